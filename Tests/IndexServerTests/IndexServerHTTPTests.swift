import Attestations
import Foundation
import PythonPackaging
import Testing

@testable import IndexServer

/// The server over real HTTP on 127.0.0.1 (port picked by the system).
@Suite struct IndexServerHTTPTests {
    static let pipAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"

    /// Starts a server on a copy of the fixture wheels, runs `body`, stops the server.
    private func withServer(
        wheels: [String] = [TestSupport.dottedWheel, TestSupport.datatoolWheel],
        auth: BasicCredentials? = nil, legacy: Bool = false,
        prepare: (String) async throws -> Void = { _ in },
        _ body: (URL, String) async throws -> Void
    ) async throws {
        let directory = try TestSupport.folder(with: wheels)
        defer { TestSupport.remove(directory) }
        try await prepare(directory)
        let server = try await IndexServer(
            configuration: ServerConfiguration(
                directory: directory, auth: auth, legacyProvenanceURLs: legacy)
        ).start()
        do {
            try await body(server.indexURL, directory)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func json(_ result: TestSupport.HTTPResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: result.body) as? [String: Any])
    }

    @Test func rootListsProjectsAsHTMLAndJSON() async throws {
        try await withServer { index, _ in
            #expect(index.absoluteString.hasPrefix("http://127.0.0.1:"))
            #expect(index.absoluteString.hasSuffix("/pypi/wheeltrust/main/simple/"))
            let html = try await TestSupport.get(index)
            #expect(html.status == 200)
            #expect(html.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(html.text.contains(#"<a href="dotted-pkg/">dotted-pkg</a>"#))
            #expect(html.text.contains(#"<a href="datatool/">datatool</a>"#))

            let json = try await TestSupport.get(index, accept: Self.pipAccept)
            #expect(json.header("Content-Type") == "application/vnd.pypi.simple.v1+json")
            let projects = try #require(try self.json(json)["projects"] as? [[String: Any]])
            #expect(projects.compactMap { $0["name"] as? String } == ["datatool", "dotted-pkg"])
        }
    }

    @Test func projectJSONCarriesHashesMetadataAndProvenance() async throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        try await withServer(prepare: { directory in
            _ = try await Attester.attest(
                wheel: directory + "/" + TestSupport.dottedWheel, key: key,
                builderID: "urn:test:builder", buildType: "urn:test:type")
        }) { index, _ in
            let page = try await TestSupport.get(index.appendingPathComponent("dotted-pkg/"), accept: Self.pipAccept)
            #expect(page.status == 200)
            let object = try json(page)
            #expect(object["name"] as? String == "dotted-pkg")
            #expect(object["versions"] as? [String] == ["1.2.0"])
            #expect((object["meta"] as? [String: Any])?["api-version"] as? String == "1.1")
            let file = try #require((object["files"] as? [[String: Any]])?.first)
            #expect(file["filename"] as? String == TestSupport.dottedWheel)
            #expect((file["hashes"] as? [String: String])?["sha256"] == TestSupport.dottedSHA256)
            #expect(file["size"] as? Int == 1820)

            let url = try #require((file["url"] as? String).flatMap(URL.init(string:)))
            #expect(url.path == "/api/pulp-content/wheeltrust/main/" + TestSupport.dottedWheel)
            let download = try await TestSupport.get(url)
            #expect(download.status == 200)
            #expect(download.body == (try Data(contentsOf: TestSupport.fixtureWheels.appendingPathComponent(TestSupport.dottedWheel))))

            // PEP 658: the .metadata file is the wheel's METADATA, and its hash is advertised.
            let metadataHash = try #require((file["core-metadata"] as? [String: String])?["sha256"])
            #expect((file["data-dist-info-metadata"] as? [String: String])?["sha256"] == metadataHash)
            let metadata = try await TestSupport.get(URL(string: url.absoluteString + ".metadata")!)
            #expect(metadata.status == 200)
            #expect(metadata.text.contains("Name: Dotted.Pkg\n"))
            #expect(StreamingHasherCheck.sha256Hex(metadata.body) == metadataHash)

            // PEP 740: the provenance URL is the Integrity API and returns a verifiable provenance.
            let provenanceURL = try #require((file["provenance"] as? String).flatMap(URL.init(string:)))
            #expect(
                provenanceURL.path
                    == "/api/pypi/wheeltrust/main/integrity/dotted-pkg/1.2.0/\(TestSupport.dottedWheel)/provenance")
            #expect(provenanceURL.absoluteString.hasSuffix("/provenance/"))
            let provenance = try await TestSupport.get(provenanceURL)
            #expect(provenance.status == 200)
            #expect(provenance.header("Content-Type") == "application/json")
            let decoded = try Provenance.decode(provenance.body)
            #expect(decoded.attestationBundles.count == 1)
            #expect(decoded.attestationBundles.first?.publisher == ServerConfiguration.pulpUserPublisher)
            let verdict = await ProvenanceVerifier(verifiers: [
                KeySignatureVerifier(trustedKeys: [TrustedKey(name: "test", key: key.publicKey)])
            ])
            .verify(decoded, distribution: TestSupport.dottedWheel, sha256Hex: TestSupport.dottedDigest)
            #expect(verdict.isVerified)

            // A file without provenance says so explicitly.
            let other = try await TestSupport.get(index.appendingPathComponent("datatool/"), accept: Self.pipAccept)
            let otherFile = try #require((try json(other)["files"] as? [[String: Any]])?.first)
            #expect(otherFile["provenance"] is NSNull)
        }
    }

    @Test func projectHTMLCarriesPEP503AndPEP740Attributes() async throws {
        try await withServer(prepare: { directory in
            try TestSupport.write("{\"version\":1}", to: directory, name: TestSupport.dottedWheel + ".x.attestation")
        }) { index, _ in
            let page = try await TestSupport.get(index.appendingPathComponent("dotted-pkg/"))
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("/api/pulp-content/wheeltrust/main/\(TestSupport.dottedWheel)#sha256=\(TestSupport.dottedSHA256)\""))
            #expect(page.text.contains("data-core-metadata=\"sha256="))
            #expect(page.text.contains("data-provenance=\"http://127.0.0.1:"))
            #expect(page.text.contains("/api/pypi/wheeltrust/main/integrity/dotted-pkg/1.2.0/\(TestSupport.dottedWheel)/provenance/\""))
            #expect(page.text.contains(">\(TestSupport.dottedWheel)</a>"))
        }
    }

    @Test func nonNormalizedNamesAndMissingSlashesRedirect() async throws {
        try await withServer { index, _ in
            for spelling in ["Dotted.Pkg/", "dotted_pkg/", "DOTTED-PKG", "dotted-pkg"] {
                let response = try await TestSupport.get(URL(string: index.absoluteString + spelling)!)
                #expect(response.status == 301, "\(spelling)")
                #expect(response.header("Location") == "/pypi/wheeltrust/main/simple/dotted-pkg/", "\(spelling)")
            }
            let root = try await TestSupport.get(URL(string: String(index.absoluteString.dropLast()))!)
            #expect(root.status == 301)
            #expect(root.header("Location") == "/pypi/wheeltrust/main/simple/")
        }
    }

    @Test func unknownThingsAre404AndOtherMethods405() async throws {
        try await withServer { index, _ in
            let origin = "http://127.0.0.1:\(index.port ?? 0)"
            let missing = try await TestSupport.get(index.appendingPathComponent("nothing-here/"))
            #expect(missing.status == 404)
            #expect(missing.text == "nothing-here does not exist.")
            for path in [
                "/", "/api/pulp-content/wheeltrust/main/README", "/api/pulp-content/wheeltrust/main/../x",
                "/api/pulp-content/wheeltrust/main/datatool-0.3.tar.gz",
                "/api/pulp-content/wheeltrust/main/\(TestSupport.dottedWheel).metadata.metadata",
                "/pypi/wheeltrust/main/simple/a/b/",
            ] {
                #expect(try await TestSupport.get(URL(string: origin + path)!).status == 404, "\(path)")
            }
            let post = try await TestSupport.get(index, method: "POST")
            #expect(post.status == 405)
            let head = try await TestSupport.get(index.appendingPathComponent("dotted-pkg/"), method: "HEAD")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }
    }

    @Test func integrityAPIAnswersLikePulp() async throws {
        try await withServer(prepare: { directory in
            try TestSupport.write(
                #"{"version":1,"attestation_bundles":[]}"#, to: directory, name: TestSupport.datatoolWheel + ".provenance")
            try TestSupport.write("[not an object]", to: directory, name: TestSupport.dottedWheel + ".bad.attestation")
        }) { index, _ in
            let base = "http://127.0.0.1:\(index.port ?? 0)/api/pypi/wheeltrust/main/integrity/"
            let served = try await TestSupport.get(URL(string: base + "datatool/0.3/\(TestSupport.datatoolWheel)/provenance/")!)
            #expect(served.status == 200)
            #expect(served.text == #"{"version":1,"attestation_bundles":[]}"#)

            // Pulp wants the normalized name, exact version and exact filename.
            let wrongName = try await TestSupport.get(URL(string: base + "DataTool/0.3/\(TestSupport.datatoolWheel)/provenance/")!)
            #expect(wrongName.status == 404)
            #expect(wrongName.text == "DataTool 0.3 \(TestSupport.datatoolWheel) provenance does not exist.")
            let noProvenance = try await TestSupport.get(URL(string: base + "datatool/0.3/datatool-0.3.tar.gz/provenance/")!)
            #expect(noProvenance.status == 404)
            #expect(noProvenance.text == "datatool 0.3 datatool-0.3.tar.gz provenance does not exist.")

            let noSlash = try await TestSupport.get(URL(string: base + "datatool/0.3/\(TestSupport.datatoolWheel)/provenance")!)
            #expect(noSlash.status == 301)
            #expect(
                noSlash.header("Location") == "/api/pypi/wheeltrust/main/integrity/datatool/0.3/\(TestSupport.datatoolWheel)/provenance/")

            // A malformed attestation file is an error naming it, not a crash.
            let broken = try await TestSupport.get(URL(string: base + "dotted-pkg/1.2.0/\(TestSupport.dottedWheel)/provenance/")!)
            #expect(broken.status == 500)
            #expect(broken.text == "attestation file \(TestSupport.dottedWheel).bad.attestation is not a JSON object")
            // The server is still up.
            #expect(try await TestSupport.get(index).status == 200)
        }
    }

    @Test func legacyFlagAdvertisesTheURLWithoutAPIWhichIs404() async throws {
        try await withServer(
            legacy: true,
            prepare: { directory in
                try TestSupport.write("{\"version\":1}", to: directory, name: TestSupport.dottedWheel + ".x.attestation")
            }
        ) { index, _ in
            let page = try await TestSupport.get(index.appendingPathComponent("dotted-pkg/"), accept: Self.pipAccept)
            let file = try #require((try json(page)["files"] as? [[String: Any]])?.first)
            let advertised = try #require((file["provenance"] as? String).flatMap(URL.init(string:)))
            #expect(advertised.path == "/pypi/wheeltrust/main/integrity/dotted-pkg/1.2.0/\(TestSupport.dottedWheel)/provenance")
            #expect(try await TestSupport.get(advertised).status == 404)
            // The /api form still works: what a client falls back to.
            let fixed = URL(string: advertised.absoluteString.replacingOccurrences(of: "/pypi/", with: "/api/pypi/"))!
            #expect(try await TestSupport.get(fixed).status == 200)
        }
    }

    @Test func hashOverrideChangesOnlyTheAdvertisedHash() async throws {
        let fake = String(repeating: "0", count: 64)
        try await withServer(prepare: { directory in
            try TestSupport.write(fake, to: directory, name: TestSupport.dottedWheel + ".sha256")
        }) { index, _ in
            let page = try await TestSupport.get(index.appendingPathComponent("dotted-pkg/"), accept: Self.pipAccept)
            let file = try #require((try json(page)["files"] as? [[String: Any]])?.first)
            #expect((file["hashes"] as? [String: String])?["sha256"] == fake)
            let html = try await TestSupport.get(index.appendingPathComponent("dotted-pkg/"))
            #expect(html.text.contains("#sha256=\(fake)"))
        }
    }

    @Test func basicAuthGuardsEveryRoute() async throws {
        try await withServer(auth: BasicCredentials(user: "user", password: "token")) { index, _ in
            let origin = "http://127.0.0.1:\(index.port ?? 0)"
            let urls = [
                index, index.appendingPathComponent("dotted-pkg/"),
                URL(string: origin + "/api/pulp-content/wheeltrust/main/" + TestSupport.dottedWheel)!,
                URL(string: origin + "/api/pypi/wheeltrust/main/integrity/dotted-pkg/1.2.0/\(TestSupport.dottedWheel)/provenance/")!,
                URL(string: origin + "/no/such/route")!,
            ]
            for url in urls {
                let anonymous = try await TestSupport.get(url)
                #expect(anonymous.status == 401, "\(url)")
                #expect(anonymous.header("WWW-Authenticate") == "Basic realm=\"wheeltrust\"")
                #expect(try await TestSupport.get(url, user: "user", password: "wrong").status == 401)
                #expect(try await TestSupport.get(url, user: "other", password: "token").status == 401)
            }
            #expect(try await TestSupport.get(urls[0], user: "user", password: "token").status == 200)
            #expect(try await TestSupport.get(urls[1], user: "user", password: "token").status == 200)
            #expect(try await TestSupport.get(urls[2], user: "user", password: "token").status == 200)
            #expect(try await TestSupport.get(urls[3], user: "user", password: "token").status == 404)  // no provenance
        }
    }

    @Test func startFailsCleanlyOnABadFolderOrABusyPort() async throws {
        let badFolder = await #expect(throws: ServerError.self) {
            _ = try await IndexServer(configuration: ServerConfiguration(directory: "/nonexistent/wheeltrust")).start()
        }
        #expect(badFolder?.code == .configuration)
        #expect(badFolder?.message == "the served folder /nonexistent/wheeltrust does not exist or is not a folder")
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        let first = try await IndexServer(configuration: ServerConfiguration(directory: directory)).start()
        let busy = await #expect(throws: (any Error).self) {
            let second = try await IndexServer(configuration: ServerConfiguration(directory: directory, port: first.port)).start()
            await second.stop()
        }
        #expect(String(describing: busy).contains("Address already in use"), "\(String(describing: busy))")
        await first.stop()
    }

    @Test func filesAddedWhileRunningAppear() async throws {
        try await withServer(wheels: []) { index, directory in
            #expect(try await TestSupport.get(index.appendingPathComponent("dotted-pkg/")).status == 404)
            try FileManager.default.copyItem(
                atPath: TestSupport.fixtureWheels.appendingPathComponent(TestSupport.dottedWheel).path,
                toPath: directory + "/" + TestSupport.dottedWheel)
            #expect(try await TestSupport.get(index.appendingPathComponent("dotted-pkg/")).status == 200)
        }
    }
}

/// SHA-256 of response bodies, through the PythonPackaging hasher the server uses.
enum StreamingHasherCheck {
    static func sha256Hex(_ data: Data) -> String {
        FileDigest.compute([UInt8](data), algorithm: .sha256).hex
    }
}
