import Attestations
import Foundation
import PythonPackaging
import Testing

@testable import Building

/// `RecordedBuild(statement:)`: every digest a `wheeltrust build` provenance records is parsed into
/// a ``SHA256Hex`` where the statement's text enters, and one that is not 64 hex digits is refused
/// there (a usage error naming what), never compared later.
@Suite struct RecordedBuildTests {
    static let wheel = "demo-1.0-0-py3-none-any.whl"
    static let wheelDigest = String(repeating: "ab", count: 32)
    static let sourceDigest = String(repeating: "cd", count: 32)
    static let requirementDigest = String(repeating: "ef", count: 32)

    /// A build statement with these digests (any text).
    static func statement(wheel: String = wheelDigest, source: String = sourceDigest, requirement: String = requirementDigest) -> [UInt8] {
        let statement: JSONValue = .object([
            "_type": .string(Statement.inTotoV1),
            "subject": .array([.object(["name": .string(Self.wheel), "digest": .object(["sha256": .string(wheel)])])]),
            "predicateType": .string(Statement.slsaV1),
            "predicate": .object([
                "buildDefinition": .object([
                    "buildType": .string(BuildProvenance.buildType),
                    "externalParameters": .object([
                        "source": .object(["filename": .string("demo-1.0.tar.gz"), "digest": .object(["sha256": .string(source)])])
                    ]),
                    "resolvedDependencies": .array([
                        .object([
                            "name": .string("flit_core-3.9.0-py3-none-any.whl"), "digest": .object(["sha256": .string(requirement)]),
                            "annotations": .object(["role": .string("build-requirement")]),
                        ])
                    ]),
                ])
            ]),
        ])
        // Objects of strings always encode.
        return Array((try? JSONEncoder().encode(statement)) ?? Data())
    }

    static func refusal(_ bytes: [UInt8]) -> BuildError? {
        do {
            _ = try RecordedBuild(statement: bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test("the recorded digests are read as SHA256Hex values; the subject's may be written in either case")
    func digestsAreParsed() throws {
        let recorded = try RecordedBuild(statement: Self.statement(wheel: Self.wheelDigest.uppercased()))
        #expect(recorded.wheelFilename == Self.wheel)
        #expect(recorded.wheelSHA256 == SHA256Hex(Self.wheelDigest))
        #expect(recorded.sourceSHA256 == SHA256Hex(Self.sourceDigest))
        #expect(recorded.requirements == ["flit_core-3.9.0-py3-none-any.whl": try #require(SHA256Hex(Self.requirementDigest))])
    }

    @Test("a subject sha256 that is not 64 hex digits is refused where the statement is read")
    func malformedSubjectDigest() {
        for bad in ["", String(Self.wheelDigest.dropLast()), "../" + String(repeating: "a", count: 61)] {
            let error = Self.refusal(Self.statement(wheel: bad))
            #expect(error?.code == .usage, "\(bad)")
            #expect(error?.message == "the provenance's subject sha256 is not 64 hex digits", "\(bad)")
        }
    }

    @Test("a source or build-requirement digest that is not 64 lowercase hex digits is refused, naming which")
    func malformedInputDigests() {
        for bad in [Self.sourceDigest.uppercased(), "", String(Self.sourceDigest.dropLast()) + "g"] {
            let source = Self.refusal(Self.statement(source: bad))
            #expect(source?.code == .usage && source?.message == "the provenance names no source filename and sha256", "\(bad)")
            let requirement = Self.refusal(Self.statement(requirement: bad))
            #expect(
                requirement?.code == .usage
                    && requirement?.message == "resolvedDependencies[0]: a build requirement needs a wheel filename and a sha256", "\(bad)")
        }
    }
}
