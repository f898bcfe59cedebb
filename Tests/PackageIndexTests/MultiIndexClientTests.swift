import Foundation
import PythonPackaging
import Testing

@testable import PackageIndex

/// Several indexes at once against a real (scripted) server on two loopback origins: lookup
/// strategies, credentials per origin, provenance only from the index that served the file.
@Suite struct MultiIndexClientTests {
    static func client(_ indexes: [ConfiguredIndex], strategy: IndexStrategy, credentials: [IndexCredentials] = []) -> IndexClient {
        let configuration = IndexConfiguration(
            tool: .uv, indexes: indexes, strategy: strategy, certificateBundle: nil, source: "test", namesIndex: true)
        let http = HTTPClient(
            credentialSet: credentials, certificateBundle: nil, timeout: 5, retry: RetryPolicy(maxRetries: 1, baseDelay: 0.01))
        return IndexClient(configuration: configuration, http: http)
    }

    static func index(_ server: ScriptedServer, _ path: String, other: Bool = false, isDefault: Bool = false) -> ConfiguredIndex {
        let url = URL(string: "http://127.0.0.\(other ? 2 : 1):\(other ? server.otherPort : server.port)\(path)")!
        return ConfiguredIndex(url: url, origin: "test", isDefault: isDefault)
    }

    @Test func firstIndexStopsAtTheFirstIndexListingTheProject() async throws {
        let server = try await ScriptedServer.start()
        let indexes = [
            Self.index(server, "/missing/simple/"), Self.index(server, "/html/simple/"),
            Self.index(server, "/extra/simple/", isDefault: true),
        ]
        let lookup = try await Self.client(indexes, strategy: .firstIndex).lookup(ProjectName("amqp"))
        #expect(lookup.consulted == [indexes[1].url])
        #expect(lookup.files.map(\.filename) == ["amqp-1.0-py3-none-any.whl"])
        #expect(lookup.files.allSatisfy { $0.servedBy == indexes[1].url })
        // uv never asks an index after the first that lists the project.
        #expect(!server.requests().contains { $0.path.hasPrefix("/extra/") })
    }

    @Test func allIndexesKeepsEveryIndexsFilesWithTheirIndex() async throws {
        let server = try await ScriptedServer.start()
        let indexes = [Self.index(server, "/html/simple/"), Self.index(server, "/extra/simple/", other: true)]
        let lookup = try await Self.client(indexes, strategy: .allIndexes).lookup(ProjectName("amqp"))
        #expect(lookup.consulted == indexes.map(\.url))
        #expect(
            lookup.files.map { "\($0.filename) \($0.servedBy?.host ?? "")" } == [
                "amqp-1.0-py3-none-any.whl 127.0.0.1", "amqp-0.9.tar.gz 127.0.0.2", "amqp-1.0-py3-none-any.whl 127.0.0.2",
            ])
        // The same file name on two indexes: the html index publishes a sha256, the extra one none.
        let wheels = lookup.files.filter { $0.filename.hasSuffix(".whl") }
        guard case .conflict(let message) = ProjectLookup.resolveDuplicates(wheels) else {
            Issue.record("a file name with an unprovable digest on one index must be a conflict")
            return
        }
        #expect(message.contains("amqp-1.0-py3-none-any.whl is offered by several indexes with different contents"))
        #expect(message.contains(indexes[0].url.absoluteString) && message.contains(indexes[1].url.absoluteString))
        #expect(message.contains("not published"))
    }

    @Test func eachIndexGetsOnlyItsOwnCredentials() async throws {
        let server = try await ScriptedServer.start()
        let locked = Self.index(server, "/locked/simple/")
        let open = Self.index(server, "/extra/simple/", other: true)
        let credentials = IndexCredentials(
            user: ScriptedServer.user, password: ScriptedServer.password, scheme: "http", host: "127.0.0.1", port: server.port)
        _ = try await Self.client([locked, open], strategy: .allIndexes, credentials: [credentials]).pages(ProjectName("amqp"))
        let requests = server.requests()
        #expect(requests.contains { $0.path == "/locked/simple/amqp/" && $0.authorization == ScriptedServer.expectedAuthorization })
        #expect(requests.filter { $0.host == "127.0.0.2" }.allSatisfy { $0.authorization == nil })
        #expect(requests.contains { $0.host == "127.0.0.2" })
    }

    @Test func provenanceIsNeverBorrowedFromAnotherOrigin() async throws {
        let server = try await ScriptedServer.start()
        // The page on 127.0.0.2 advertises a (valid) provenance on 127.0.0.1: not followed.
        let foreign = Self.client([Self.index(server, "/borrow/simple/", other: true)], strategy: .firstIndex)
        let page = try await foreign.project(ProjectName("amqp"))
        let file = try #require(page.files.first)
        let refused = await #expect(throws: IndexError.self) {
            try await foreign.provenance(for: file, project: ProjectName("amqp"), version: "1.0")
        }
        #expect(refused?.code == .notFound)
        #expect(!server.requests().contains { $0.path.hasPrefix("/api/pypi/dom/main/integrity/") })
        #expect(refused?.message.contains("127.0.0.1") == false, "\(refused?.message ?? "")")

        // The same page served on 127.0.0.1 (the provenance's own origin): followed.
        let own = Self.client([Self.index(server, "/borrow/simple/")], strategy: .firstIndex)
        let ownFile = try #require(try await own.project(ProjectName("amqp")).files.first)
        let fetched = try await own.provenance(for: ownFile, project: ProjectName("amqp"), version: "1.0")
        #expect(fetched.url.host == "127.0.0.1")
    }

    @Test func sameFileOnTwoIndexesIsKeptOnceFromTheFirst() throws {
        let sha = String(repeating: "ab", count: 32)
        func file(_ index: String, _ sha256: String?) -> IndexFile {
            IndexFile(
                filename: "a-1.0-py3-none-any.whl", url: URL(string: "https://\(index)/a.whl")!,
                sha256: sha256.flatMap { SHA256Hex(normalizing: $0) },
                provenanceURL: nil, coreMetadata: false, yanked: false, indexURL: URL(string: "https://u:p@\(index)/simple/")!)
        }
        #expect(
            ProjectLookup.resolveDuplicates([file("one.example", sha), file("two.example", sha.uppercased())])
                == .distinct([file("one.example", sha)]))
        guard
            case .conflict(let message) = ProjectLookup.resolveDuplicates([
                file("one.example", sha), file("two.example", String(repeating: "cd", count: 32)),
            ])
        else {
            Issue.record("different digests must conflict")
            return
        }
        #expect(message.contains("https://one.example/simple/ (sha256 \(sha))"))
        #expect(!message.contains("u:p@"))
        // Another spelling of the same wheel name is the same file: a conflict too, both names shown.
        var respelled = file("two.example", String(repeating: "cd", count: 32))
        respelled.filename = "A-1.0-py3-none-any.whl"
        guard case .conflict(let respelledMessage) = ProjectLookup.resolveDuplicates([file("one.example", sha), respelled]) else {
            Issue.record("a respelled name with other bytes must conflict")
            return
        }
        #expect(respelledMessage.contains("https://two.example/simple/ (A-1.0-py3-none-any.whl, sha256 "), "\(respelledMessage)")
        // Another build tag is another file: both stay candidates (METADATA then decides).
        var rebuilt = file("two.example", String(repeating: "cd", count: 32))
        rebuilt.filename = "a-1.0-1-py3-none-any.whl"
        guard case .distinct(let both) = ProjectLookup.resolveDuplicates([file("one.example", sha), rebuilt]) else {
            Issue.record("another build tag is another file")
            return
        }
        #expect(both.count == 2)
    }

    /// A name an attestation's subject cannot tell apart is one file, whatever the spelling of
    /// its version (`1.0`, `1.0.0`, `1.0.0.0`) or, for an sdist, of its project: another index
    /// offering it with other bytes is a conflict, never a second candidate that an installer or
    /// `build NAME==VERSION` might take instead.
    @Test func versionRespellingsAndSdistRespellingsAreOneFile() throws {
        let sha = String(repeating: "ab", count: 32)
        let other = String(repeating: "cd", count: 32)
        func file(_ index: String, _ filename: String, _ sha256: String) -> IndexFile {
            IndexFile(
                filename: filename, url: URL(string: "https://\(index)/\(filename)")!, sha256: SHA256Hex(normalizing: sha256),
                provenanceURL: nil, coreMetadata: false, yanked: false, indexURL: URL(string: "https://\(index)/simple/")!)
        }
        let respellings = [
            ("a-1.0-py3-none-any.whl", "a-1.0.0-py3-none-any.whl"),
            ("a-1.0-py3-none-any.whl", "A-1.0.0.0-py3-none-any.whl"),
            ("a-1.0-py2.py3-none-any.whl", "a-1.0.0-py3.py2-none-any.whl"),
            ("a-1.0.tar.gz", "A-1.0.tar.gz"),
            ("a-1.0.tar.gz", "a-1.0.0.tar.gz"),
            ("a_b-1.0.tar.gz", "A.B-1.0.0.tar.gz"),
        ]
        for (first, second) in respellings {
            let offered = [file("one.example", first, sha), file("two.example", second, other)]
            guard case .conflict(let message) = ProjectLookup.resolveDuplicates(offered) else {
                Issue.record("\(first) and \(second) with other bytes must conflict")
                continue
            }
            #expect(message.contains("https://two.example/simple/ (\(second), sha256 \(other))"), "\(message)")
            // The same bytes under both spellings are one file, kept from the first index.
            #expect(
                ProjectLookup.resolveDuplicates([file("one.example", first, sha), file("two.example", second, sha)])
                    == .distinct([file("one.example", first, sha)]))
        }
        // Another release, another sdist format, another build tag: other files.
        for (first, second) in [
            ("a-1.0.tar.gz", "a-1.0.1.tar.gz"), ("a-1.0.tar.gz", "a-1.0.zip"), ("a-1.0-py3-none-any.whl", "a-1.0-1-py3-none-any.whl"),
            ("a-1.0.tar.gz", "a-1.0-py3-none-any.whl"),
        ] {
            guard case .distinct(let both) = ProjectLookup.resolveDuplicates([file("one.example", first, sha), file("two.example", second, other)])
            else {
                Issue.record("\(first) and \(second) are different files")
                continue
            }
            #expect(both.count == 2)
        }
    }
}
