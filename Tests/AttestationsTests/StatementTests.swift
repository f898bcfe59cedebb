import Foundation
import Testing

@testable import Attestations

@Suite struct StatementTests {
    static func redHatStatement() throws -> Statement {
        let provenance = try Provenance.decode(Fixtures.data("amqp-5.3.1-0-py3-none-any.whl.provenance"))
        let attestation = try #require(provenance.attestationBundles.first?.attestations.first)
        return try Statement(parsing: attestation.envelope.statement)
    }

    @Test func parsesRedHatNestedStatement() throws {
        let statement = try Self.redHatStatement()
        #expect(statement.type == Statement.inTotoV01)
        #expect(statement.predicateType == Statement.slsaV02)
        #expect(statement.subjects == [Statement.Subject(name: Fixtures.redHatDistribution, digest: ["sha256": Fixtures.redHatSHA256])])
        #expect(statement.predicate["_type"]?.stringValue == Statement.inTotoV01)
    }

    @Test func buildSummaryOfNestedV02() throws {
        let build = try Self.redHatStatement().build
        #expect(build.builderID == "https://konflux-ci.dev/calunga")
        #expect(build.buildType == "https://konflux-ci.dev/PythonWheelBuild@v1")
        #expect(build.finishedOn == "2026-02-19T16:59:23Z")
        #expect(build.invocationURI == nil)
    }

    @Test func buildSummaryOfFlatV02() throws {
        let json =
            #"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2","subject":[],"predicate":{"builder":{"id":"b"},"buildType":"t","metadata":{"buildFinishedOn":"2024-01-01T00:00:00Z","buildInvocationId":"i"}}}"#
        let build = try Statement(parsing: Array(json.utf8)).build
        #expect(build == BuildSummary(builderID: "b", buildType: "t", finishedOn: "2024-01-01T00:00:00Z", invocationURI: "i"))
    }

    @Test func buildSummaryOfSLSAV1() throws {
        let json =
            #"{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","subject":[],"predicate":{"buildDefinition":{"buildType":"t","externalParameters":{}},"runDetails":{"builder":{"id":"b"},"metadata":{"finishedOn":"2024-01-01T00:00:00Z","invocationId":"https://example.invalid/run/1"}}}}"#
        let build = try Statement(parsing: Array(json.utf8)).build
        #expect(
            build
                == BuildSummary(
                    builderID: "b", buildType: "t", finishedOn: "2024-01-01T00:00:00Z", invocationURI: "https://example.invalid/run/1"))
    }

    @Test func publishV1StatesNoBuild() throws {
        let attestation = try Attestation.decode(Fixtures.data("rfc8785-0.1.2-py3-none-any.whl.publish.attestation"))
        let statement = try Statement(parsing: attestation.envelope.statement)
        #expect(statement.type == Statement.inTotoV1)
        #expect(statement.predicateType == Statement.pypiPublishV1)
        #expect(statement.subjects.first?.name == "rfc8785-0.1.2-py3-none-any.whl")
        #expect(statement.build == BuildSummary())
    }

    @Test(arguments: [
        ("not json", "not valid JSON"),
        (#"[]"#, "statement: expected an object"),
        (#"{"predicateType":"p","subject":[]}"#, "statement._type: missing"),
        (#"{"_type":"t","subject":[]}"#, "statement.predicateType: missing"),
        (#"{"_type":"t","predicateType":"p"}"#, "statement.subject: missing"),
        (#"{"_type":"t","predicateType":"p","subject":{}}"#, "statement.subject: expected an array"),
        (#"{"_type":"t","predicateType":"p","subject":[{"digest":{}}]}"#, "statement.subject[0].name: missing"),
        (#"{"_type":"t","predicateType":"p","subject":[{"name":"n"}]}"#, "statement.subject[0].digest: missing"),
        (
            #"{"_type":"t","predicateType":"p","subject":[{"name":"n","digest":{"sha256":1}}]}"#,
            "statement.subject[0].digest.sha256: expected a string"
        ),
    ])
    func malformedStatementNamesThePath(json: String, fragment: String) {
        let error = #expect(throws: AttestationError.self) { try Statement(parsing: Array(json.utf8)) }
        #expect(error?.code == .malformedStatement)
        #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "")")
    }
}
