import AttestationsTestSupport
import Foundation
import PythonPackaging
import Testing

@testable import Attestations

@Suite struct StatementChecksTests {
    static func statement(
        type: String = Statement.inTotoV1, predicateType: String = Statement.slsaV1,
        subjects: [(String, [String: String])]
    ) throws -> Statement {
        let subjectJSON = subjects.map { name, digest in
            JSONValue.object(["name": .string(name), "digest": .object(digest.mapValues { .string($0) })])
        }
        let json = JSONValue.object(["_type": .string(type), "predicateType": .string(predicateType), "subject": .array(subjectJSON)])
        return try Statement(parsing: Array(JSONEncoder().encode(json)))
    }

    static func failed(_ checks: [StatementCheck]) -> Set<String> {
        Set(checks.filter { !$0.passed }.map(\.name))
    }

    @Test func redHatStatementPassesForItsFile() throws {
        let checks = StatementChecks.evaluate(
            try StatementTests.redHatStatement(), distribution: Fixtures.redHatDistribution, sha256Hex: Fixtures.redHatDigest)
        #expect(checks.count == 5)
        #expect(checks.allPassed, "\(checks)")
    }

    @Test func uppercaseExpectedDigestStillMatches() throws {
        let checks = StatementChecks.evaluate(
            try StatementTests.redHatStatement(), distribution: Fixtures.redHatDistribution,
            sha256Hex: try #require(SHA256Hex(normalizing: Fixtures.redHatSHA256.uppercased())))
        #expect(checks.allPassed)
    }

    @Test func redHatStatementFailsForAnotherDigest() throws {
        var other = Array(Fixtures.redHatSHA256)
        other[0] = "1"
        let checks = StatementChecks.evaluate(
            try StatementTests.redHatStatement(), distribution: Fixtures.redHatDistribution,
            sha256Hex: try #require(SHA256Hex(String(other))))
        #expect(Self.failed(checks) == [StatementChecks.subjectDigest])
    }

    @Test(arguments: [
        "amqp-5.3.2-0-py3-none-any.whl", "amqp-5.3.1-1-py3-none-any.whl", "amqp-5.3.1-py3-none-any.whl",
        "amqp-5.3.1-0-py2-none-any.whl", "kombu-5.3.1-0-py3-none-any.whl", "amqp-5.3.1.tar.gz", "amqp",
    ])
    func redHatStatementFailsForAnotherName(name: String) throws {
        let checks = StatementChecks.evaluate(try StatementTests.redHatStatement(), distribution: name, sha256Hex: Fixtures.redHatDigest)
        #expect(Self.failed(checks) == [StatementChecks.subjectName])
    }

    @Test func namesAreComparedParsed() throws {
        let subject = "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        let digest = String(repeating: "a", count: 64)
        let hex = try #require(SHA256Hex(digest))
        let statement = try Self.statement(subjects: [(subject, ["sha256": digest])])
        let reordered = "spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"
        #expect(StatementChecks.evaluate(statement, distribution: reordered, sha256Hex: hex).allPassed)
        #expect(
            StatementChecks.evaluate(
                statement, distribution: "SPT3G-1.0.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", sha256Hex: hex
            ).allPassed)
        #expect(
            Self.failed(
                StatementChecks.evaluate(statement, distribution: "spt3g-1.0-cp310-cp310-manylinux2014_x86_64.whl", sha256Hex: hex)) == [
                    StatementChecks.subjectName
                ])
    }

    @Test func subjectThatIsNotAFilenameFailsAgainstAFilename() throws {
        let digest = String(repeating: "b", count: 64)
        let hex = try #require(SHA256Hex(digest))
        let statement = try Self.statement(subjects: [("../amqp-5.3.1-0-py3-none-any.whl/x", ["sha256": digest])])
        #expect(
            Self.failed(StatementChecks.evaluate(statement, distribution: Fixtures.redHatDistribution, sha256Hex: hex)) == [
                StatementChecks.subjectName
            ])
    }

    @Test func statementAndPredicateTypesAreChecked() throws {
        let digest = String(repeating: "c", count: 64)
        let hex = try #require(SHA256Hex(digest))
        let name = "pkg-1.0.tar.gz"
        let badType = try Self.statement(type: "https://in-toto.io/Statement/v9", subjects: [(name, ["sha256": digest])])
        #expect(Self.failed(StatementChecks.evaluate(badType, distribution: name, sha256Hex: hex)) == [StatementChecks.statementType])
        let badPredicate = try Self.statement(predicateType: "https://example.invalid/whatever", subjects: [(name, ["sha256": digest])])
        #expect(
            Self.failed(StatementChecks.evaluate(badPredicate, distribution: name, sha256Hex: hex)) == [StatementChecks.predicateType])
    }

    @Test func noSubjectOrManySubjectsFailEveryPerSubjectCheck() throws {
        let digest = String(repeating: "d", count: 64)
        let hex = try #require(SHA256Hex(digest))
        let name = "pkg-1.0.tar.gz"
        let none = try Self.statement(subjects: [])
        #expect(
            Self.failed(StatementChecks.evaluate(none, distribution: name, sha256Hex: hex))
                == [StatementChecks.singleSubject, StatementChecks.subjectName, StatementChecks.subjectDigest])
        let two = try Self.statement(subjects: [(name, ["sha256": digest]), ("other-1.0.tar.gz", ["sha256": digest])])
        #expect(
            Self.failed(StatementChecks.evaluate(two, distribution: name, sha256Hex: hex))
                == [StatementChecks.singleSubject, StatementChecks.subjectName, StatementChecks.subjectDigest])
    }

    @Test func missingSha256AndBadExpectedDigestFail() throws {
        let name = "pkg-1.0.tar.gz"
        let hex = try #require(SHA256Hex(String(repeating: "e", count: 64)))
        let sha512Only = try Self.statement(subjects: [(name, ["sha512": String(repeating: "e", count: 128)])])
        let checks = StatementChecks.evaluate(sha512Only, distribution: name, sha256Hex: hex)
        #expect(Self.failed(checks) == [StatementChecks.subjectDigest])
        #expect(checks.last?.detail.contains("sha512") == true)
        // A bad expected digest is refused where it is parsed (nothing else can be handed to the
        // checks), and an empty stated digest still fails against a real one.
        #expect(throws: PackagingError(.invalidDigest, "sha256 hex digest has 0 characters, expected 64 lowercase hex digits")) {
            try SHA256Hex(validating: "")
        }
        let ok = try Self.statement(subjects: [(name, ["sha256": ""])])
        #expect(Self.failed(StatementChecks.evaluate(ok, distribution: name, sha256Hex: hex)) == [StatementChecks.subjectDigest])
    }
}
