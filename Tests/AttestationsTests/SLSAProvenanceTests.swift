import Foundation
import PythonPackaging
import Testing

@testable import Attestations

@Suite("SLSA v1 provenance predicates")
struct SLSAProvenanceTests {
    static let sha = String(repeating: "ab", count: 32)

    static func full() -> SLSAProvenance {
        SLSAProvenance(
            buildType: "https://wheeltrust.example/build/v1", builderID: "https://ci.example/builders/linux",
            externalParameters: ["source": .object(["name": .string("demo"), "version": .string("1.0")])],
            internalParameters: ["isolation": .string("unshare -rn")],
            resolvedDependencies: [
                ResourceDescriptor(uri: "https://files.example/demo-1.0.tar.gz", digest: ["sha256": sha], name: "demo-1.0.tar.gz"),
                ResourceDescriptor(digest: ["sha256": String(repeating: "01", count: 32)], name: "setuptools-80.0-py3-none-any.whl"),
            ],
            builderVersion: ["wheeltrust": "0.13"],
            builderDependencies: [ResourceDescriptor(uri: "pkg:generic/python@3.11", digest: ["sha1": String(repeating: "c", count: 40)])],
            invocationID: "https://ci.example/runs/42", startedOn: "2026-01-31T12:00:00Z", finishedOn: "2026-01-31T13:05:00.5+01:00",
            byproducts: [
                ResourceDescriptor(
                    digest: ["sha512": String(repeating: "e", count: 128)], name: "build.log", mediaType: "text/plain",
                    content: Array("ok".utf8), annotations: ["lines": .number(3)])
            ])
    }

    /// Parses `json` (text) and returns the error message, or nil when it parsed.
    static func refusal(_ json: String) -> String? {
        do {
            _ = try SLSAProvenance(predicateJSON: Data(json.utf8))
            return nil
        } catch {
            #expect(error.code == .malformedPredicate, "\(error)")
            return error.message
        }
    }

    @Test("every field is written and reads back the same; the statement carries it as its predicate")
    func roundTrip() throws {
        let provenance = Self.full()
        try provenance.validate()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = try encoder.encode(provenance.json)
        #expect(try SLSAProvenance(predicateJSON: bytes) == provenance)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""byproducts":[{"annotations":{"lines":3},"content":"b2s=""#), "\(text)")

        let statement = try Statement(
            parsing: AttestationBuilder.slsaV1Statement(
                filename: "demo-1.0-py3-none-any.whl", sha256Hex: try #require(SHA256Hex(Self.sha)), provenance: provenance))
        #expect(statement.predicateType == Statement.slsaV1)
        #expect(try SLSAProvenance(parsing: statement.predicate) == provenance)
        #expect(statement.build.builderID == "https://ci.example/builders/linux")
        #expect(statement.build.invocationURI == "https://ci.example/runs/42")
    }

    @Test("the old defaults give the same predicate as before: external parameters {} and a finish time")
    func defaultsUnchanged() throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        let bytes = AttestationBuilder.slsaV1Statement(
            filename: "x-1.0-py3-none-any.whl", sha256Hex: try #require(SHA256Hex(Self.sha)), builderID: "urn:b", buildType: "urn:t",
            finishedOn: date)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"_type":"https://in-toto.io/Statement/v1","predicate":{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{"id":"urn:b"},"metadata":{"finishedOn":"2027-01-15T08:00:00Z"}}},"predicateType":"https://slsa.dev/provenance/v1","subject":[{"digest":{"sha256":"\#(Self.sha)"},"name":"x-1.0-py3-none-any.whl"}]}"#
        )
    }

    @Test("a real predicate written by GitHub Actions reads, gitCommit digest and all")
    func realPredicate() throws {
        let provenance = try SLSAProvenance(predicateJSON: Fixtures.data("pypi_attestations-0.0.19.slsa-predicate.json"))
        #expect(provenance.buildType == "https://actions.github.io/buildtypes/workflow/v1")
        #expect(
            provenance.builderID
                == "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19")
        #expect(provenance.resolvedDependencies.first?.digest == ["gitCommit": "08802efe1f8e5fec4ad842d6b8ce97656092ee72"])
        #expect(provenance.externalParameters["workflow"]?["ref"]?.stringValue == "refs/tags/v0.0.19")
        #expect(provenance.internalParameters?["github"]?["event_name"]?.stringValue == "release")
        #expect(provenance.invocationID == "https://github.com/trailofbits/pypi-attestations/actions/runs/12169989787/attempts/1")
    }

    @Test(
        "a predicate that breaks the format is refused with the JSON path and the problem",
        arguments: [
            (#"{"runDetails":{"builder":{"id":"urn:b"}}}"#, "predicate.buildDefinition: missing required field"),
            (#"{"buildDefinition":{"externalParameters":{}},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.buildType: missing required field"),
            (#"{"buildDefinition":{"buildType":7,"externalParameters":{}},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.buildType: expected a string, found a number"),
            (#"{"buildDefinition":{"buildType":"urn:t"},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.externalParameters: missing required field"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":[]},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.externalParameters: expected an object, found an array"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{}}}"#,
             "predicate.runDetails.builder.id: missing required field"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{"id":"local builder"}}}"#,
             "predicate.runDetails.builder.id: not a URI with a scheme"),
            (#"{"buildDefinition":{"buildType":"","externalParameters":{}},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.buildType: is empty"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{"id":"urn:b","builderDependecies":[]}}}"#,
             "predicate.runDetails.builder.builderDependecies: unknown field"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{"id":"urn:b","version":{"x":1}}}}"#,
             "predicate.runDetails.builder.version.x: expected a string, found a number"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{},"resolvedDependencies":[{"name":"a"}]},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.resolvedDependencies[0]: needs at least one of uri, digest, content"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{},"resolvedDependencies":[{"digest":{"sha256":"ABCD"}}]},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.resolvedDependencies[0].digest.sha256: not lowercase hex"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{},"resolvedDependencies":[{"digest":{"sha256":"abcd"}}]},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.resolvedDependencies[0].digest.sha256: 4 hex digits, expected 64"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{},"resolvedDependencies":[{"digest":{"crc32":"abcd"}}]},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.resolvedDependencies[0].digest.crc32: unknown digest algorithm"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{},"resolvedDependencies":[{"digest":{}}]},"runDetails":{"builder":{"id":"urn:b"}}}"#,
             "predicate.buildDefinition.resolvedDependencies[0].digest: is empty"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{"id":"urn:b"},"byproducts":[{"content":"!!"}]}}"#,
             "predicate.runDetails.byproducts[0].content: not valid base64"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{"id":"urn:b"},"metadata":{"finishedOn":"yesterday"}}}"#,
             "predicate.runDetails.metadata.finishedOn: yesterday is not an RFC 3339 timestamp"),
            (#"{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{"id":"urn:b"},"metadata":{"startedOn":"2026-01-02T00:00:00Z","finishedOn":"2026-01-01T00:00:00Z"}}}"#,
             "predicate.runDetails.metadata: startedOn 2026-01-02T00:00:00Z is after finishedOn"),
            (#"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","predicate":{}}"#,
             "predicate: this is a whole statement"),
            (#"[1]"#, "predicate: expected an object, found an array"),
            (#"{"#, "predicate: not valid JSON"),
        ])
    func refusals(_ json: String, _ expected: String) {
        let message = Self.refusal(json)
        #expect(message?.hasPrefix(expected) == true, "\(message ?? "parsed")")
    }

    @Test("NAME=ALGORITHM:HEX[@URI] reads as a resource descriptor, and every bad part is named")
    func flagValues() throws {
        let withURI = try ResourceDescriptor(flagValue: "src=sha256:\(Self.sha)@https://files.example/a.tar.gz?x=1", what: "--resolved-dependency")
        #expect(withURI == ResourceDescriptor(uri: "https://files.example/a.tar.gz?x=1", digest: ["sha256": Self.sha], name: "src"))
        let bare = try ResourceDescriptor(flagValue: "build.log=sha256:\(Self.sha)", what: "--byproduct")
        #expect(bare == ResourceDescriptor(digest: ["sha256": Self.sha], name: "build.log"))

        let cases: [(String, String)] = [
            ("src", "--byproduct src: expected NAME=ALGORITHM:HEX[@URI]"),
            ("=sha256:\(Self.sha)", "the NAME before '=' is empty"),
            ("src=\(Self.sha)", "expected ALGORITHM:HEX after '='"),
            ("src=sha256:\(Self.sha.uppercased())", "--byproduct src=sha256:\(Self.sha.uppercased()): digest.sha256: not lowercase hex"),
            ("src=sha256:\(Self.sha.dropLast())", ": digest.sha256: 63 hex digits, expected 64"),
            ("src=sha1:\(Self.sha)", ": digest.sha1: 64 hex digits, expected 40"),
            ("src=sha256:\(Self.sha)@files.example/a", "@files.example/a: uri: not a URI with a scheme"),
            ("src=sha256:\(Self.sha)@https://a b", ": uri: a URI may not hold spaces"),
            ("src=sha256:\(Self.sha)@https://example.com/\u{202E}lmth.exe", ": uri: a URI may not hold spaces, control or invisible"),
        ]
        for (value, expected) in cases {
            do {
                _ = try ResourceDescriptor(flagValue: value, what: "--byproduct")
                Issue.record("\(value) was accepted")
            } catch {
                #expect(error.code == .malformedPredicate && error.message.contains(expected), "\(value): \(error.message)")
            }
        }
    }

    @Test("a file is described by the SHA-256 of its bytes; an unreadable one is an I/O error")
    func fileDescriptor() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wt-rd-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        let descriptor = try ResourceDescriptor.file(at: path, uri: "file:///build.log")
        #expect(descriptor.digest == ["sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"])
        #expect(descriptor.name == (path as NSString).lastPathComponent && descriptor.uri == "file:///build.log")
        try descriptor.validate(path: "byproducts[0]")
        let missing = #expect(throws: AttestationError.self) { _ = try ResourceDescriptor.file(at: path + ".absent") }
        #expect(missing?.code == .io && missing?.message.hasPrefix("cannot read \(path).absent") == true)
    }

    @Test("parameters must be one JSON object")
    func parameters() throws {
        #expect(try SLSAProvenance.parameters(json: Data(#"{"a":[1,"b"]}"#.utf8), what: "--external-parameters")["a"] == .array([.number(1), .string("b")]))
        for (json, expected) in [
            ("[]", "--external-parameters: expected a JSON object, found an array"),
            ("{", "--external-parameters: not valid JSON"),
        ] {
            #expect(throws: AttestationError(.malformedPredicate, expected)) {
                _ = try SLSAProvenance.parameters(json: Data(json.utf8), what: "--external-parameters")
            }
        }
    }
}
