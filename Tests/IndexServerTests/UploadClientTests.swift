import Attestations
import Foundation
import NIOCore
import PackageIndex
import Policy
import Publishing
import PythonPackaging
import Sigstore
import TestSupport
import Testing

@testable import IndexServer

/// The client half of the legacy upload API (`DistributionUpload`, `MultipartFormBody`,
/// `HTTPClient.post`) against this project's own server half, in process: the form reads back
/// exactly as sent; an accepted upload is served; the index's refusals come back as `refused`
/// with the index's reason, a wrong token as `authentication`; a file changed after it was
/// prepared is never sent whole.
@Suite struct UploadClientTests {
    static let wheel = TestSupport.dottedWheel

    /// A copy of the dotted fixture wheel in a fresh folder, attested with `key`.
    static func attestedWheel(key: PrivateKey) async throws -> (folder: String, path: String) {
        let folder = try TestSupport.folder(with: [wheel])
        let path = folder + "/" + wheel
        _ = try await Attester.attest(wheel: path, key: key, builderID: "https://ci.example/b", buildType: Attester.defaultBuildType)
        return (folder, path)
    }

    /// A store whose policy trusts `key` for every project, an upload token, and its server.
    /// The server's legacy upload URL and a client sending `token` to it.
    static func uploader(_ server: RunningIndexServer, token: String) throws -> (URL, PackageIndex.HTTPClient) {
        let uploadURL = try #require(URL(string: "legacy/", relativeTo: server.indexURL.deletingLastPathComponent())?.absoluteURL)
        return (uploadURL, client(token: token, for: uploadURL))
    }

    private func withIndex(trusting key: PublicKey, _ body: (RunningIndexServer, String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-upload-client-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try key.pemRepresentation.write(toFile: root.path + "/release.pub", atomically: true, encoding: .utf8)
        try PolicyText.oneKey("release", file: "release.pub").write(toFile: root.path + "/policy.toml", atomically: true, encoding: .utf8)
        let policy = try PolicyDiscovery.load(path: root.path + "/policy.toml")
        let store = try PublishingStore(directory: root.appendingPathComponent("store"))
        let token = try store.addToken(name: "ci", role: .upload).secret
        var configuration = ServerConfiguration(directory: "", store: root.appendingPathComponent("store").path)
        configuration.uploadGate = UploadGate(policy: policy, trustedRoot: try TrustedRoot.production)
        let server = try await IndexServer(configuration: configuration).start()
        do {
            try await body(server, token)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func client(token: String, for url: URL) -> PackageIndex.HTTPClient {
        let origin = URLComponents(url: url, resolvingAgainstBaseURL: false)!
        return PackageIndex.HTTPClient(
            credentials: IndexCredentials(user: "__token__", password: token, scheme: "http", host: origin.host!, port: origin.port),
            certificateBundle: nil, timeout: 30, maxRetries: 0)
    }

    /// Writes the wheel's members again, stored instead of deflated: other bytes, the same wheel.
    static func rezip(_ path: String) async throws {
        let python = try #require(TestSupport.python3())
        let script = """
            import sys, zipfile
            members = [(i, zipfile.ZipFile(sys.argv[1]).read(i.filename)) for i in zipfile.ZipFile(sys.argv[1]).infolist()]
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
                for info, data in members:
                    info.compress_type = zipfile.ZIP_STORED
                    z.writestr(info, data)
            """
        let result = try await TestSupport.run(python, ["-c", script, path])
        try #require(result.status == 0, "\(result.output)")
    }

    @Test func theFormReadsBackExactlyAsSentThroughTheServersReader() async throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let (folder, path) = try await Self.attestedWheel(key: key)
        defer { TestSupport.remove(folder) }
        let upload = try DistributionUpload.prepare(path: path, attestations: [path + ".slsa.attestation"])
        let form = try MultipartFormBody(fields: upload.fields, fileField: "content", filename: Self.wheel, filePath: path)
        var bytes: [UInt8] = []
        for try await chunk in form.chunks(counting: { _ in }) { bytes += chunk.readableBytesView }
        #expect(Int64(bytes.count) == form.length)

        let staging = try TestSupport.folder(with: [])
        defer { TestSupport.remove(staging) }
        let reader = UploadFormReader(boundary: form.boundary, stagingDirectory: staging, limits: .init(maxFileSize: 1 << 24))
        try reader.feed(ByteBuffer(bytes: bytes))
        let read = try reader.finish()
        #expect(read.value(":action") == "file_upload")
        #expect(read.value("name").map { ProjectName($0) } == ProjectName("dotted-pkg"))
        #expect(read.value("version") == "1.2.0")
        #expect(read.value("filetype") == "bdist_wheel")
        #expect(read.value("sha256_digest") == upload.sha256.text)
        #expect(read.content?.filename == Self.wheel)
        #expect(read.content?.digests.sha256 == upload.sha256)
        let attestations = try #require(read.attestations)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(attestations)) as? [[String: Any]])
        #expect(array.count == 1)
        // The server's own check passes the form as a whole.
        guard case .passed = DistributionCheck.check(read) else {
            Issue.record("the server's DistributionCheck refused the client's form")
            return
        }
    }

    @Test func namesThatCouldEndAHeaderAreRefused() async throws {
        let (folder, path) = try await Self.attestedWheel(key: try PrivateKey.generate(.ecdsaP256))
        defer { TestSupport.remove(folder) }
        for bad in ["a\"b", "a\r\nX-Injected: 1", "a\\b", ""] {
            #expect(throws: IndexError.self) {
                try MultipartFormBody(fields: [(bad, "v")], fileField: "content", filename: Self.wheel, filePath: path)
            }
            #expect(throws: IndexError.self) {
                try MultipartFormBody(fields: [], fileField: "content", filename: bad, filePath: path)
            }
        }
        #expect(throws: IndexError.self) {
            try MultipartFormBody(fields: [], fileField: "content", filename: Self.wheel, filePath: folder)
        }
    }

    @Test func aFileThatGrowsOrShrinksAfterItWasPreparedIsNotSentWhole() async throws {
        let (folder, path) = try await Self.attestedWheel(key: try PrivateKey.generate(.ecdsaP256))
        defer { TestSupport.remove(folder) }
        for change in ["grew", "shrank"] {
            let form = try MultipartFormBody(fields: [("name", "x")], fileField: "content", filename: Self.wheel, filePath: path)
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            if change == "grew" {
                try handle.seekToEnd()
                try handle.write(contentsOf: Data([0x41]))
            } else {
                try handle.truncate(atOffset: UInt64(form.length) / 4)
            }
            try handle.close()
            var failure: IndexError?
            do {
                for try await _ in form.chunks(counting: { _ in }) {}
            } catch let error as IndexError {
                failure = error
            }
            #expect(failure?.code == .cache)
            #expect(failure?.message.contains(change) == true, "\(String(describing: failure))")
        }
    }

    @Test func acceptedServedIdempotentAndRefusalsComeBackWithTheIndexsReason() async throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let (folder, path) = try await Self.attestedWheel(key: key)
        defer { TestSupport.remove(folder) }
        try await withIndex(trusting: key.publicKey) { server, token in
            let (uploadURL, client) = try Self.uploader(server, token: token)
            let upload = try DistributionUpload.prepare(path: path, attestations: [path + ".slsa.attestation"])
            try await upload.send(to: uploadURL, client: client)
            let page = try await TestSupport.get(server.indexURL.appendingPathComponent("dotted-pkg/"), user: "__token__", password: token)
            #expect(page.status == 200)
            #expect(page.text.contains(Self.wheel), "\(page.text)")
            // The same bytes again: accepted (a resumed CI job uploads again).
            try await upload.send(to: uploadURL, client: client)

            // Other bytes under the same filename: refused, the index's reason carried back.
            let (otherFolder, otherPath) = try await Self.attestedWheel(key: key)
            defer { TestSupport.remove(otherFolder) }
            try await Self.rezip(otherPath)
            _ = try await Attester.attest(
                wheel: otherPath, key: key, builderID: "https://ci.example/b", buildType: Attester.defaultBuildType)
            let swapped = try DistributionUpload.prepare(path: otherPath, attestations: [otherPath + ".slsa.attestation"])
            await #expect {
                try await swapped.send(to: uploadURL, client: client)
            } throws: { error in
                guard let error = error as? IndexError else { return false }
                return error.code == .refused && error.message.contains("HTTP 400") && error.message.contains("already exists")
            }

            // A wrong token: authentication, not refused.
            await #expect {
                try await upload.send(to: uploadURL, client: Self.client(token: token + "0", for: uploadURL))
            } throws: { error in
                (error as? IndexError)?.code == .authentication
            }
        }
    }

    @Test func theSignedFileUnderAnotherSpellingOfItsNameIsRefused() async throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let (folder, path) = try await Self.attestedWheel(key: key)
        defer { TestSupport.remove(folder) }
        try await withIndex(trusting: key.publicKey) { server, token in
            let (uploadURL, client) = try Self.uploader(server, token: token)
            try await DistributionUpload.prepare(path: path, attestations: [path + ".slsa.attestation"]).send(to: uploadURL, client: client)
            // The very bytes and attestation the signer made, under a name that parses to the same
            // wheel: its attestation's subject names it, but the store holds it already.
            let respelled = folder + "/Dotted.Pkg-1.2-0-py3-none-any.whl"
            try FileManager.default.copyItem(atPath: path, toPath: respelled)
            let upload = try DistributionUpload.prepare(path: respelled, attestations: [path + ".slsa.attestation"])
            await #expect {
                try await upload.send(to: uploadURL, client: client)
            } throws: { error in
                guard let error = error as? IndexError else { return false }
                return error.code == .refused && error.message.contains("HTTP 400")
                    && error.message.contains("another spelling of the published \(Self.wheel)")
            }
            let page = try await TestSupport.get(server.indexURL.appendingPathComponent("dotted-pkg/"), user: "__token__", password: token)
            #expect(page.status == 200)
            #expect(page.text.contains(Self.wheel), "\(page.text)")
            #expect(!page.text.contains("Dotted.Pkg-1.2-0"), "\(page.text)")
        }
    }

    @Test func anAttestationByAnotherKeyIsRefusedNamingTheSignature() async throws {
        let trusted = try PrivateKey.generate(.ecdsaP256)
        let (folder, path) = try await Self.attestedWheel(key: try PrivateKey.generate(.ecdsaP256))
        defer { TestSupport.remove(folder) }
        try await withIndex(trusting: trusted.publicKey) { server, token in
            let (uploadURL, client) = try Self.uploader(server, token: token)
            let upload = try DistributionUpload.prepare(path: path, attestations: [path + ".slsa.attestation"])
            await #expect {
                try await upload.send(to: uploadURL, client: client)
            } throws: { error in
                guard let error = error as? IndexError else { return false }
                return error.code == .refused && error.message.contains("signature matches no trusted key")
            }
            let page = try await TestSupport.get(server.indexURL.appendingPathComponent("dotted-pkg/"), user: "__token__", password: token)
            #expect(page.status == 404)
        }
    }
}
