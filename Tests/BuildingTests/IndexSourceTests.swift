import Attestations
import Foundation
import IndexServer
import PythonPackaging
import Testing
import Verification

@testable import Building

extension Builds {
    /// The sdist taken from an index (NAME==VERSION): its digest checked against the index's, its own
    /// provenance verified when the index has one, and the anchor written into the build's provenance.
    @Suite struct IndexSourceTests {
        /// A static PEP 503 index served by Python's http.server on 127.0.0.1, publishing `published`
        /// as the sdist's sha256.
        final class StaticIndex: @unchecked Sendable {
            let root: String
            let process: Process
            let url: String

            /// The index started; the wait for its port is awaited on a thread of its own.
            static func start(sdist: String, published: String) async throws -> StaticIndex {
                try await DedicatedThread.run { () throws in try StaticIndex(sdist: sdist, published: published) }
            }

            private init(sdist: String, published: String) throws {
                root = try BuildFixtures.temporaryDirectory("static-index")
                let filename = (sdist as NSString).lastPathComponent
                let project = String(filename.split(separator: "-")[0])
                try FileManager.default.createDirectory(atPath: root + "/simple/\(project)", withIntermediateDirectories: true)
                try FileManager.default.createDirectory(atPath: root + "/files", withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: sdist, toPath: root + "/files/" + filename)
                try """
                <!DOCTYPE html><html><body><a href="../../files/\(filename)#sha256=\(published)">\(filename)</a></body></html>
                """.write(toFile: root + "/simple/\(project)/index.html", atomically: true, encoding: .utf8)
                let portFile = root + "/port"
                let script = """
                    import functools, http.server, sys
                    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
                    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
                    open(sys.argv[2] + ".tmp", "w").write(str(server.server_address[1]))
                    import os; os.rename(sys.argv[2] + ".tmp", sys.argv[2])
                    server.serve_forever()
                    """
                process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", "-c", script, root, portFile]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                var port: String?
                for _ in 0..<100 {
                    if let text = try? String(contentsOfFile: portFile, encoding: .utf8) {
                        port = text
                        break
                    }
                    Thread.sleep(forTimeInterval: 0.1)
                }
                guard let found = port else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: portFile]) }
                url = "http://127.0.0.1:\(found)/simple/"
            }

            deinit {
                // SIGKILL: a test runner's children may inherit SIGTERM ignored.
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                try? FileManager.default.removeItem(atPath: root)
            }
        }

        static func setup(indexURL: String, keys: [String] = [], cache: String) -> VerificationSetup {
            VerificationSetup(
                indexURL: indexURL, keyFiles: keys, noDefaultKeys: keys.isEmpty, cacheDirectory: cache,
                environment: ["HOME": cache, "PIP_CONFIG_FILE": "/dev/null"])
        }

        @Test func aSetupProblemIsKeptAsAValueAndItsMessageNamesNoOption() async throws {
            let work = try BuildFixtures.temporaryDirectory("setup-problem")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let error = await #expect(throws: BuildError.self) {
                try await SourceLocator.pipeline(Self.setup(indexURL: "ftp://idx.example/simple/", cache: work + "/cache"))
            }
            #expect(error?.code == .usage && error?.message == "the index URL is not an http(s) URL: ftp://idx.example/simple/")
            guard case .verification(let cause)? = error?.setupProblem else {
                Issue.record("no verification setup problem: \(String(describing: error))")
                return
            }
            #expect(cause.setupProblem == .indexURLNotHTTP(shown: "ftp://idx.example/simple/"))
            let only = BuildError(setupProblem: .onlyNotInTree("nosuch"))
            #expect(only.code == .usage && only.message == "nosuch is not a package of the resolved tree")
        }

        @Test func anSdistWhoseDigestDiffersFromTheIndexIsRefusedInIndexHash() async throws {
            let work = try BuildFixtures.temporaryDirectory("mismatch")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdist = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(), in: work)
            let index = try await StaticIndex.start(sdist: sdist, published: String(repeating: "ab", count: 32))
            let error = await #expect(throws: BuildError.self) {
                try await SourceLocator.resolve("tiny==1.0", setup: Self.setup(indexURL: index.url, cache: work + "/cache"))
            }
            #expect(error?.code == .sourceRejected)
            #expect(
                error?.message.hasPrefix("index-hash: the index publishes sha256 \(String(repeating: "ab", count: 32)) but the wheel is")
                    == true, "\(error?.message ?? "")")
        }

        @Test func anSdistOnAnIndexWithoutProvenanceIsAnchoredByItsDigestAndSaysSo() async throws {
            let work = try BuildFixtures.temporaryDirectory("digest-anchor")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let sdist = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(), in: work)
            let digest = try await BuildFixtures.sha256(sdist)
            let index = try await StaticIndex.start(sdist: sdist, published: digest)
            let source = try await SourceLocator.resolve("tiny==1.0", setup: Self.setup(indexURL: index.url, cache: work + "/cache"))
            #expect(source.sha256.text == digest)
            guard case .indexDigest = source.anchor else {
                Issue.record("anchor \(source.anchor)")
                return
            }
            let (key, _) = try BuildFixtures.signingKey()
            let result = try await SourceBuilder.build(
                BuildRequest(
                    source: source, outputDirectory: work + "/out", requirements: .findLinks(work), python: BuildFixtures.buildPython,
                    signer: key))
            let external = try #require(try BuildFixtures.predicate(result.statement)["buildDefinition"] as? [String: Any])[
                "externalParameters"]
            let recorded = try #require((external as? [String: Any])?["source"] as? [String: Any])
            #expect(recorded["anchor"] as? String == "index-digest")
            #expect((recorded["uri"] as? String)?.hasSuffix("/files/tiny-1.0.tar.gz") == true)
        }

        /// Dependency confusion by respelling: the configured index offers `tiny-1.0.tar.gz`, an
        /// extra index (pip's `extra-index-url`, the attacker's) offers other bytes as
        /// `tiny-1.0.0.tar.gz`, the same release and format under another spelling (and sorted
        /// first), without provenance. Which one was meant cannot be told: `index-file` refuses
        /// the build, instead of building the extra index's sdist anchored by its own digest.
        @Test func aRespelledSdistOnAnotherIndexIsAConflictNotASource() async throws {
            let work = try BuildFixtures.temporaryDirectory("respelled")
            defer { try? FileManager.default.removeItem(atPath: work) }
            try FileManager.default.createDirectory(atPath: work + "/a", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: work + "/b", withIntermediateDirectories: true)
            let genuine = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(), in: work + "/a")
            var planted = BuildFixtures.inTreeBackendProject()
            planted["planted.py"] = "print('not the genuine source')\n"
            let respelled = try await BuildFixtures.makeSdist(name: "tiny", version: "1.0.0", files: planted, in: work + "/b")
            #expect((respelled as NSString).lastPathComponent == "tiny-1.0.0.tar.gz")
            let configured = try await StaticIndex.start(sdist: genuine, published: try await BuildFixtures.sha256(genuine))
            let extra = try await StaticIndex.start(sdist: respelled, published: try await BuildFixtures.sha256(respelled))
            var setup = Self.setup(indexURL: configured.url, cache: work + "/cache")
            setup.environment["PIP_EXTRA_INDEX_URL"] = extra.url
            let error = await #expect(throws: BuildError.self) {
                let source = try await SourceLocator.resolve("tiny==1.0", setup: setup)
                Issue.record("built from \(source.uri) (\(source.anchor))")
            }
            #expect(error?.code == .sourceRejected, "\(String(describing: error))")
            #expect(error?.message.hasPrefix("index-file: ") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("offered by several indexes with different contents") == true, "\(error?.message ?? "")")
            #expect(error?.message.contains("tiny-1.0.0.tar.gz") == true, "\(error?.message ?? "")")
        }

        /// The sdist on wheeltrust's own index with a key-signed attestation: verified against the
        /// trusted key (anchor "provenance"); with an attestation from another key: refused in `signature`.
        @Test func anSdistsOwnProvenanceIsVerifiedAndAWrongSignerRefused() async throws {
            let work = try BuildFixtures.temporaryDirectory("provenance")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let served = work + "/served"
            try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
            let sdist = try await BuildFixtures.makeSdist(
                name: "tiny", version: "1.0", files: BuildFixtures.inTreeBackendProject(), in: served)
            try FileManager.default.removeItem(atPath: served + "/tiny-1.0.json")
            let (publisherKey, publisherPublic) = try BuildFixtures.signingKey()
            _ = try await Attester.attest(wheel: sdist, key: publisherKey, builderID: "urn:test:publisher", buildType: "urn:test:sdist")
            let server = try await IndexServer(configuration: ServerConfiguration(directory: served)).start()
            do {
                let url = server.indexURL.absoluteString
                let source = try await SourceLocator.resolve(
                    "tiny==1.0", setup: Self.setup(indexURL: url, keys: [publisherPublic], cache: work + "/cache"))
                guard case .verifiedProvenance(_, let signer) = source.anchor else {
                    Issue.record("anchor \(source.anchor)")
                    await server.stop()
                    return
                }
                #expect(signer.contains("sha256:"))

                let (_, otherPublic) = try BuildFixtures.signingKey()
                let error = await #expect(throws: BuildError.self) {
                    try await SourceLocator.resolve(
                        "tiny==1.0", setup: Self.setup(indexURL: url, keys: [otherPublic], cache: work + "/cache2"))
                }
                #expect(error?.code == .sourceRejected)
                #expect(error?.message.hasPrefix("signature: ") == true, "\(error?.message ?? "")")
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }
}
