import Foundation
import PythonPackaging
import Testing

@testable import PackageIndex

@Suite struct IndexClientTests {
    static func client(_ server: ScriptedServer, index: String, extras: [String] = [], credentials: Bool = false) -> IndexClient {
        let configuration = IndexConfiguration(
            indexURL: server.url(index, withCredentials: credentials),
            extraIndexURLs: extras.map { server.url($0) }, source: "test")
        let creds = credentials ? IndexCredentials.forIndex(configuration.indexURL, netrc: nil) : nil
        let http = HTTPClient(
            credentials: creds, certificateBundle: nil, timeout: 5,
            retry: RetryPolicy(maxRetries: 1, baseDelay: 0.01))
        return IndexClient(configuration: configuration, http: http)
    }

    @Test func projectPageJSONThenProvenanceViaApiFallback() async throws {
        let server = try await ScriptedServer.start()
        let client = Self.client(server, index: "/pulp/pypi/dom/main/simple/")
        let page = try await client.project(ProjectName("AMQP"))
        #expect(page.name == "amqp")
        let file = try #require(page.files.first)
        #expect(file.filename == "amqp-1.0-py3-none-any.whl")
        #expect(file.sha256?.text.count == 64)
        #expect(server.requests().first?.accept == IndexClient.simpleAccept)

        let fetched = try await client.provenance(for: file, project: ProjectName("AMQP"), version: "1.0")
        #expect(
            fetched.url.absoluteString
                == "http://127.0.0.1:\(server.port)/api/pypi/dom/main/integrity/amqp/1.0/amqp-1.0-py3-none-any.whl/provenance/")
        #expect(fetched.provenance.attestationBundles.count == 1)
        let integrity = server.requests().filter { $0.path.contains("/integrity/") }
        #expect(
            integrity.map(\.path) == [
                "/pypi/dom/main/integrity/amqp/1.0/amqp-1.0-py3-none-any.whl/provenance/",
                "/api/pypi/dom/main/integrity/amqp/1.0/amqp-1.0-py3-none-any.whl/provenance/",
            ])
        #expect(integrity.allSatisfy { $0.accept == IndexClient.integrityAccept })
    }

    @Test func htmlPageAndMergedExtraIndex() async throws {
        let server = try await ScriptedServer.start()
        let client = Self.client(server, index: "/html/simple/", extras: ["/missing/simple/", "/extra/simple/"])
        let page = try await client.project(ProjectName("amqp"))
        #expect(page.files.map(\.filename) == ["amqp-1.0-py3-none-any.whl", "amqp-0.9.tar.gz"])
        #expect(page.files[0].provenanceURL?.absoluteString.hasSuffix(":\(server.port)/nowhere/") == true)
        #expect(page.files[0].indexURL?.absoluteString.hasSuffix("/html/simple/") == true)
        #expect(page.files[1].indexURL?.absoluteString.hasSuffix("/extra/simple/") == true)
    }

    @Test func missingProjectAndMissingProvenanceAreNotFound() async throws {
        let server = try await ScriptedServer.start()
        let client = Self.client(server, index: "/html/simple/")
        let noProject = await #expect(throws: IndexError.self) { try await client.project(ProjectName("nothing-here")) }
        #expect(noProject?.code == .notFound)
        #expect(noProject?.message == "project nothing-here not found at \(server.url("/html/simple/nothing-here/").absoluteString)")

        let page = try await client.project(ProjectName("amqp"))
        let file = try #require(page.files.first)
        let noProvenance = await #expect(throws: IndexError.self) {
            try await client.provenance(for: file, project: ProjectName("amqp"), version: "1.0")
        }
        #expect(noProvenance?.code == .notFound)
        #expect(
            noProvenance?.message.hasPrefix(
                "no provenance for amqp-1.0-py3-none-any.whl: tried \(server.url("/nowhere/").absoluteString), ") == true,
            "\(noProvenance?.message ?? "")")
        // advertised, /api variant, derived Pulp-less parent form, PyPI form: all 404.
        #expect(server.requests().filter { $0.path.contains("provenance") || $0.path.contains("nowhere") }.count == 4)
    }

    @Test func authenticationStopsTheCandidateWalk() async throws {
        let server = try await ScriptedServer.start()
        let client = Self.client(server, index: "/locked/simple/")
        let file = IndexFile(
            filename: "a-1.tar.gz", url: server.url("/files/a-1.tar.gz"), sha256: nil,
            provenanceURL: server.url("/locked/integrity/a/1/a-1.tar.gz/provenance/"),
            coreMetadata: false, yanked: false)
        let error = await #expect(throws: IndexError.self) {
            try await client.provenance(for: file, project: ProjectName("a"), version: "1")
        }
        #expect(error?.code == .authentication)
        #expect(
            error?.message
                == "provenance of a-1.tar.gz: HTTP 401 from \(server.url("/locked/integrity/a/1/a-1.tar.gz/provenance/").absoluteString) "
                + "(no credentials configured for this host)")
        #expect(server.requests().count == 1)
    }

    @Test func malformedPageIsBadResponse() async throws {
        let server = try await ScriptedServer.start()
        let client = Self.client(server, index: "/garbage/simple/")
        let error = await #expect(throws: IndexError.self) { try await client.project(ProjectName("amqp")) }
        #expect(error?.code == .badResponse)
        #expect(error?.message == "simple page \(server.url("/garbage/simple/amqp/").absoluteString) has no 'files' array")
    }

    @Test func networkErrorStopsTheWalk() async throws {
        let port = try Loopback.freePort()
        let configuration = IndexConfiguration(indexURL: URL(string: "http://127.0.0.1:\(port)/simple/")!, source: "test")
        let client = IndexClient(
            configuration: configuration,
            http: HTTPClient(
                credentials: nil, certificateBundle: nil, timeout: 5,
                retry: RetryPolicy(maxRetries: 0)))
        let file = IndexFile(
            filename: "a-1.tar.gz", url: URL(string: "http://127.0.0.1:\(port)/a-1.tar.gz")!, sha256: nil,
            provenanceURL: nil, coreMetadata: false, yanked: false)
        let error = await #expect(throws: IndexError.self) {
            try await client.provenance(for: file, project: ProjectName("a"), version: "1")
        }
        #expect(error?.code == .network)
        #expect(
            error?.message == "provenance of a-1.tar.gz: http://127.0.0.1:\(port)/integrity/a/1/a-1.tar.gz/provenance/: connection refused")
    }
}
