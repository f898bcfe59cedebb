import Foundation
import Publishing
import PythonPackaging
import Testing

@testable import IndexServer

/// `serve --store` over real HTTP: token authentication on every read route, the store's pages
/// (api-version 1.3, yanked, requires-python, metadata, provenance in both Integrity API shapes),
/// one server per store.
@Suite struct StoreServerHTTPTests {
    static let jsonAccept = "application/vnd.pypi.simple.v1+json"
    static let provenance = Array(#"{"version":1,"attestation_bundles":[]}"#.utf8)

    /// A store holding the dotted and datatool fixture wheels (datatool with a provenance and
    /// yanked), a read token, and its server.
    private func withStore(anonymousRead: Bool = false, _ body: (URL, PublishingStore, String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-store-http-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try PublishingStore(directory: root)
        for wheel in [TestSupport.dottedWheel, TestSupport.datatoolWheel] {
            let source = TestSupport.fixtureWheels.appendingPathComponent(wheel).path
            let staged = store.stagingDirectory.appendingPathComponent(UUID().uuidString)
            try FileManager.default.copyItem(atPath: source, toPath: staged.path)
            let (digest, size) = try FileHashing.digest(ofFileAt: source, algorithm: .sha256)
            let upload = StoreUpload(
                stagedFile: staged, filename: wheel, sha256: digest.hex, size: size,
                coreMetadata: try Wheel.open(path: source).coreMetadataBytes,
                provenance: wheel == TestSupport.datatoolWheel ? Self.provenance : nil, uploader: "test")
            guard case .published = try store.publish(upload) else { throw PublishingError(.io, "not published") }
        }
        try #require(try store.yank(filename: TestSupport.datatoolWheel, reason: "broken <build>", by: "admin") != nil)
        let token = try store.addToken(name: "reader", role: .read).secret
        let server = try await IndexServer(
            configuration: ServerConfiguration(directory: "", store: root.path, anonymousRead: anonymousRead)
        ).start()
        do {
            try await body(server.indexURL, store, token)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func everyReadRouteNeedsAValidTokenAndARevokedTokenStopsAtOnce() async throws {
        try await withStore { index, store, token in
            let routes = [
                index, index.appendingPathComponent("datatool/"),
                URL(string: "/api/pulp-content/wheeltrust/main/\(TestSupport.datatoolWheel)", relativeTo: index)!.absoluteURL,
                URL(string: "/integrity/datatool/0.3/\(TestSupport.datatoolWheel)/provenance", relativeTo: index)!.absoluteURL,
            ]
            for route in routes {
                let anonymous = try await TestSupport.get(route)
                #expect(anonymous.status == 401, "\(route)")
                #expect(anonymous.header("WWW-Authenticate") == "Basic realm=\"wheeltrust\"")
                #expect(try await TestSupport.get(route, user: "__token__", password: token + "0").status == 401)
                #expect(
                    try await TestSupport.get(route, user: "__token__", password: "wt_" + String(repeating: "0", count: 81)).status == 401)
                #expect(try await TestSupport.get(route, user: "someone", password: token).status == 401)
                #expect(try await TestSupport.get(route, user: "__token__", password: token).status == 200, "\(route)")
                #expect(try await TestSupport.get(route, user: "reader", password: token).status == 200, "\(route)")
            }
            #expect(try store.revokeToken(name: "reader"))
            #expect(try await TestSupport.get(index, user: "__token__", password: token).status == 401)
        }
    }

    @Test func anonymousReadServesWithoutCredentialsButNotWithWrongOnes() async throws {
        try await withStore(anonymousRead: true) { index, _, token in
            let anonymous = try await TestSupport.get(index)
            let wrong = try await TestSupport.get(index, user: "__token__", password: "wrong")
            let right = try await TestSupport.get(index, user: "__token__", password: token)
            #expect(anonymous.status == 200)
            #expect(wrong.status == 401)
            #expect(right.status == 200)
        }
    }

    @Test func pagesCarryApiVersion13YankedRequiresPythonMetadataAndProvenance() async throws {
        try await withStore { index, store, token in
            let page = try await TestSupport.get(
                index.appendingPathComponent("datatool/"), accept: Self.jsonAccept, user: "__token__", password: token)
            #expect(page.header("Content-Type") == Self.jsonAccept)
            let object = try #require(try JSONSerialization.jsonObject(with: page.body) as? [String: Any])
            #expect((object["meta"] as? [String: Any])?["api-version"] as? String == "1.3")
            #expect(object["versions"] as? [String] == ["0.3"])
            let file = try #require((object["files"] as? [[String: Any]])?.first)
            let stored = try #require(try store.file(named: TestSupport.datatoolWheel))
            #expect(file["yanked"] as? String == "broken <build>")
            #expect(file["requires-python"] as? String == stored.requiresPython)
            #expect((file["hashes"] as? [String: String])?["sha256"] == stored.sha256)
            #expect(file["size"] as? Int == Int(stored.size))
            #expect((file["core-metadata"] as? [String: String])?["sha256"] == stored.coreMetadataSHA256)
            let provenanceURL = try #require(file["provenance"] as? String)
            #expect(provenanceURL.hasSuffix("/api/pypi/wheeltrust/main/integrity/datatool/0.3/\(TestSupport.datatoolWheel)/provenance/"))

            // Pulp's shape (advertised) and the public index's shape give the stored bytes.
            let pulp = try await TestSupport.get(try #require(URL(string: provenanceURL)), user: "__token__", password: token)
            #expect(pulp.status == 200 && [UInt8](pulp.body) == Self.provenance)
            let pypi = try await TestSupport.get(
                URL(string: "/integrity/datatool/0.3/\(TestSupport.datatoolWheel)/provenance", relativeTo: index)!.absoluteURL,
                user: "__token__", password: token)
            #expect(pypi.status == 200 && [UInt8](pypi.body) == Self.provenance)
            // No provenance: 404 in both shapes; `provenance: null` in the page.
            let dottedPage = try await TestSupport.get(
                index.appendingPathComponent("dotted-pkg/"), accept: Self.jsonAccept, user: "__token__", password: token)
            let dotted = try #require(
                ((try JSONSerialization.jsonObject(with: dottedPage.body) as? [String: Any])?["files"] as? [[String: Any]])?.first)
            #expect(dotted["provenance"] is NSNull)
            #expect(dotted["yanked"] as? Bool == false)
            let none = try await TestSupport.get(
                URL(string: "/integrity/dotted-pkg/1.2.0/\(TestSupport.dottedWheel)/provenance", relativeTo: index)!.absoluteURL,
                user: "__token__", password: token)
            #expect(none.status == 404)

            // PEP 658: the stored metadata blob, whose sha256 the page advertised.
            let metadata = try await TestSupport.get(
                URL(string: "/api/pulp-content/wheeltrust/main/\(TestSupport.datatoolWheel).metadata", relativeTo: index)!.absoluteURL,
                user: "__token__", password: token)
            #expect(metadata.status == 200)
            #expect(FileDigest.compute([UInt8](metadata.body), algorithm: .sha256).hex == stored.coreMetadataSHA256)

            // HTML: data-yanked (escaped), data-provenance, data-core-metadata, version 1.3.
            let html = try await TestSupport.get(index.appendingPathComponent("datatool/"), user: "__token__", password: token)
            #expect(html.text.contains("content=\"1.3\""))
            #expect(html.text.contains("data-yanked=\"broken &lt;build&gt;\""), "\(html.text)")
            #expect(html.text.contains("data-provenance=\""))
            #expect(html.text.contains("data-core-metadata=\"sha256=\(stored.coreMetadataSHA256 ?? "")\""))

            // A file the store does not hold, and a deleted one, are 404.
            #expect(try await TestSupport.get(index.appendingPathComponent("nothing/"), user: "__token__", password: token).status == 404)
            try #require(try store.delete(filename: TestSupport.dottedWheel, by: "admin") != nil)
            let gone = try await TestSupport.get(
                URL(string: "/api/pulp-content/wheeltrust/main/\(TestSupport.dottedWheel)", relativeTo: index)!.absoluteURL,
                user: "__token__", password: token)
            #expect(gone.status == 404)
            let root = try await TestSupport.get(index, user: "__token__", password: token)
            #expect(!root.text.contains("dotted-pkg") && root.text.contains("datatool"))
        }
    }

    @Test func aSecondServerOnTheSameStoreIsRefused() async throws {
        try await withStore { _, store, _ in
            await #expect {
                _ = try await IndexServer(configuration: ServerConfiguration(directory: "", store: store.directory.path)).start()
            } throws: { error in
                (error as? ServerError)?.code == .configuration && (error as? ServerError)?.message.contains("already serving") == true
            }
        }
    }

    @Test func aStoreTakesNoAuthAndAFolderNoAnonymousRead() throws {
        #expect {
            try ServerConfiguration(directory: "", auth: BasicCredentials(user: "u", password: "p"), store: "/tmp/x").validate()
        } throws: {
            // The library names no option (the command line refuses `--auth` with a store itself).
            ($0 as? ServerError)?.code == .configuration
                && ($0 as? ServerError)?.message == "a store is served with its own tokens, not with folder credentials"
        }
        #expect {
            try ServerConfiguration(directory: "/tmp", anonymousRead: true).validate()
        } throws: { ($0 as? ServerError)?.code == .configuration }
    }
}
