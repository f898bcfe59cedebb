import Attestations
import Foundation
import Policy
import Publishing
import PythonPackaging
import Sigstore
import Testing

@testable import IndexServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A token that may not upload at all (a read token: the one every reader of a private index
/// holds) is refused before the body is read: nothing of it reaches the staging folder or
/// memory, so holders of read tokens cannot fill the store's disk with uploads in flight. (A
/// token's project list needs the form's name, so an upload token for another project is refused
/// after the form, as before.)
@Suite struct UploadRoleBeforeBodyTests {
    /// Sends the head and the first `partial` bytes of a body announced as much larger, keeps the
    /// connection open, and reads until the answer's head arrives or `seconds` pass; `whileOpen`
    /// runs with the connection still open. Status 0: no answer in time.
    static func partialUpload(
        port: Int, head: String, partial: [UInt8], seconds: Int, whileOpen: @Sendable @escaping () -> Void
    ) async -> (status: Int, text: String) {
        await DedicatedThread.run {
            guard let fd = RawHTTP.connectLoopback(port: port, receiveTimeoutSeconds: seconds) else { return (0, "") }
            defer { close(fd) }
            RawHTTP.writeAll(fd, Array(head.utf8) + partial)
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while !received.contains(subsequence: Array("\r\n\r\n".utf8)) {
                let count = read(fd, &chunk, chunk.count)
                if count <= 0 { break }
                received += chunk[0..<count]
            }
            whileOpen()
            let answer = RawHTTP.parse(received)
            return (answer.status, String(decoding: received, as: UTF8.self))
        }
    }

    @Test func aReadTokenIsRefusedBeforeItsBodyIsRead() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-upload-role-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try PublishingStore(directory: root.appendingPathComponent("store"))
        let reader = try store.addToken(name: "reader", role: .read).secret
        var configuration = ServerConfiguration(directory: "", store: root.appendingPathComponent("store").path)
        let key = try PrivateKeyForTests.publicKey()
        configuration.uploadGate = UploadGate(
            policy: Policy(keys: ["release": key], identities: [:], rules: [], path: nil, sha256: nil, origin: .option),
            trustedRoot: try TrustedRoot.production)
        let server = try await IndexServer(configuration: configuration).start()

        let boundary = "wheeltrustboundary"
        let credentials = Data("__token__:\(reader)".utf8).base64EncodedString()
        let announced = 50 << 20
        let head = [
            "POST /pypi/wheeltrust/main/legacy/ HTTP/1.1", "Host: 127.0.0.1:\(server.port)",
            "Authorization: Basic \(credentials)", "Content-Type: multipart/form-data; boundary=\(boundary)",
            "Content-Length: \(announced)", "", "",
        ].joined(separator: "\r\n")
        var partial = Array(
            ("--\(boundary)\r\nContent-Disposition: form-data; name=\":action\"\r\n\r\nfile_upload\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"content\"; filename=\"demo-1.0-py3-none-any.whl\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").utf8)
        partial += [UInt8](repeating: 0x41, count: 256 << 10)
        let staging = store.stagingDirectory.path
        let seenWhileOpen = StagingSnapshot()
        let answer = await Self.partialUpload(port: server.port, head: head, partial: partial, seconds: 10) {
            seenWhileOpen.names = (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []
        }
        await server.stop()
        #expect(answer.status == 403, "a read token must be refused at once, before the body: \(answer.text.prefix(300))")
        #expect(answer.text.contains("read token and may not upload"), "\(answer.text.prefix(300))")
        #expect(seenWhileOpen.names.isEmpty, "nothing of the body may be staged: \(seenWhileOpen.names)")
    }
}

/// What the staging folder held while the connection was open.
final class StagingSnapshot: @unchecked Sendable {
    var names: [String] = []
}

/// A public key for a policy that names it (its rule list is empty: no upload could pass anyway).
enum PrivateKeyForTests {
    static func publicKey() throws -> KeyAnchor {
        let key = try PrivateKey.generate(.ecdsaP256).publicKey
        return KeyAnchor(name: "release", origin: "test", key: TrustedKey(name: "release", key: key))
    }
}

extension Array where Element == UInt8 {
    fileprivate func contains(subsequence: [UInt8]) -> Bool {
        guard count >= subsequence.count else { return false }
        for start in 0...(count - subsequence.count) where self[start..<start + subsequence.count].elementsEqual(subsequence) {
            return true
        }
        return false
    }
}
