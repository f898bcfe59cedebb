import Foundation

/// An in-toto statement, parsed from the exact bytes a signature covered.
///
/// Guarantees: `_type`, `subject` (names and string digests) and `predicateType` were present
/// with their JSON types; nothing was normalised. Whether the types are acceptable is decided by
/// `StatementChecks`, not here.
public struct Statement: Sendable, Hashable {
    public static let inTotoV01 = "https://in-toto.io/Statement/v0.1"
    public static let inTotoV1 = "https://in-toto.io/Statement/v1"
    public static let slsaV02 = "https://slsa.dev/provenance/v0.2"
    public static let slsaV1 = "https://slsa.dev/provenance/v1"
    public static let pypiPublishV1 = "https://docs.pypi.org/attestations/publish/v1"

    /// One artifact the statement is about.
    public struct Subject: Sendable, Hashable {
        public var name: String
        /// Algorithm name (e.g. `sha256`) to hex digest, as written.
        public var digest: [String: String]

        public init(name: String, digest: [String: String]) {
            self.name = name
            self.digest = digest
        }
    }

    /// The `_type` URI.
    public let type: String
    public let subjects: [Subject]
    public let predicateType: String
    /// The predicate, `.null` when absent.
    public let predicate: JSONValue

    /// Parses `bytes` as a statement (at most `Provenance.maxBytes`).
    public init(parsing bytes: [UInt8]) throws(AttestationError) {
        let json: JSONValue
        do {
            json = try JSONValue.parse(Data(bytes), maxBytes: Provenance.maxBytes, what: "statement")
        } catch {
            throw AttestationError(.malformedStatement, error.message)
        }
        let reader = try JSONObjectReader(json, path: "statement", code: .malformedStatement)
        type = try reader.string("_type")
        predicateType = try reader.string("predicateType")
        predicate = reader.members["predicate"] ?? .null
        var subjects: [Subject] = []
        for (index, element) in try reader.array("subject").enumerated() {
            let subject = try JSONObjectReader(element, path: "\(reader.child("subject"))[\(index)]", code: .malformedStatement)
            let name = try subject.string("name")
            let digestReader = try JSONObjectReader(subject.require("digest"), path: subject.child("digest"), code: .malformedStatement)
            var digest: [String: String] = [:]
            for (algorithm, value) in digestReader.members {
                guard case .string(let text) = value else {
                    throw digestReader.fail(algorithm, "expected a string, found \(value.kindName)")
                }
                digest[algorithm] = text
            }
            subjects.append(Subject(name: name, digest: digest))
        }
        self.subjects = subjects
    }

    /// Who built the subject, how and when, read from whichever predicate shape this is.
    public var build: BuildSummary {
        BuildSummary(predicateType: predicateType, predicate: predicate)
    }
}
