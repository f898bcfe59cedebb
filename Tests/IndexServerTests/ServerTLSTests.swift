import Foundation
import IndexServer
import TestSupport
import Testing

/// `serve --tls-certificate/--tls-key`: unusable TLS files are a configuration error naming the
/// file, before anything listens.
@Suite struct ServerTLSTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wt-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func missingAndMismatchedFilesAreRefused() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let authority = try TestCertificateAuthority()
        let (certificate, key) = try authority.issueServerCertificate()
        let (_, otherKey) = try authority.issueServerCertificate()
        try certificate.write(toFile: dir + "/server.pem", atomically: true, encoding: .utf8)
        try key.write(toFile: dir + "/server.key", atomically: true, encoding: .utf8)
        try otherKey.write(toFile: dir + "/other.key", atomically: true, encoding: .utf8)
        try "not a key".write(toFile: dir + "/junk.key", atomically: true, encoding: .utf8)

        func problem(_ cert: String, _ key: String) -> ServerError? {
            let configuration = ServerConfiguration(
                directory: dir, tls: ServerTLS(certificateChainPath: dir + "/" + cert, privateKeyPath: dir + "/" + key))
            do {
                try configuration.validate()
                return nil
            } catch {
                return error
            }
        }
        #expect(problem("server.pem", "server.key") == nil)
        let missing = problem("absent.pem", "server.key")
        #expect(missing?.code == .configuration)
        #expect(missing?.message.contains("absent.pem") == true)
        let junk = problem("server.pem", "junk.key")
        #expect(junk?.code == .configuration)
        #expect(junk?.message.contains("junk.key") == true)
        let mismatch = problem("server.pem", "other.key")
        #expect(mismatch?.code == .configuration)
        #expect(mismatch?.message.contains("does not belong") == true)
    }

    @Test func httpsServerAdvertisesHTTPSURLs() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let authority = try TestCertificateAuthority()
        let (certificate, key) = try authority.issueServerCertificate()
        try certificate.write(toFile: dir + "/server.pem", atomically: true, encoding: .utf8)
        try key.write(toFile: dir + "/server.key", atomically: true, encoding: .utf8)
        let server = try await IndexServer(
            configuration: ServerConfiguration(
                directory: dir, tls: ServerTLS(certificateChainPath: dir + "/server.pem", privateKeyPath: dir + "/server.key"))
        ).start()
        #expect(server.indexURL.scheme == "https")
        await server.stop()
    }
}
