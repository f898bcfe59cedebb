import Foundation

/// A SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), the subset wheeltrust
/// writes: one run, its tool with one rule per check, and results with physical (file) and logical
/// (distribution) locations.
///
/// Guarantees: encodes to a document valid against the official SARIF 2.1.0 JSON schema (a test
/// validates real output with a JSON-schema validator); keys are sorted and nothing in it depends
/// on the time or the order work finished in, so the same report gives the same bytes.
public struct SARIFLog: Codable, Sendable, Equatable {
    /// The schema this document follows (OASIS's published location of the 2.1.0 errata 01 schema).
    public static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

    public var schema: String = SARIFLog.schemaURI
    public var version: String = "2.1.0"
    public var runs: [Run]

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version, runs
    }

    public init(runs: [Run]) {
        self.runs = runs
    }

    /// The document as UTF-8 JSON, keys sorted, so output is byte-for-byte reproducible.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// One invocation of the tool and what it found.
    public struct Run: Codable, Sendable, Equatable {
        public var tool: Tool
        public var invocations: [Invocation]
        public var results: [Result]
    }

    public struct Tool: Codable, Sendable, Equatable {
        public var driver: Driver
    }

    public struct Driver: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var informationUri: String
        public var rules: [Rule]
    }

    /// A SARIF `reportingDescriptor`: one rule, i.e. one check.
    public struct Rule: Codable, Sendable, Equatable {
        public var id: String
        public var shortDescription: Message
        public var defaultConfiguration: Configuration
    }

    public struct Configuration: Codable, Sendable, Equatable {
        public var level: String
    }

    public struct Invocation: Codable, Sendable, Equatable {
        /// The run completed and its results are complete (a package that could not be checked is
        /// a `warning` result, not a failed execution).
        public var executionSuccessful: Bool
        /// wheeltrust's exit code for the report (0 verified, 1 failed, 3 not checked).
        public var exitCode: Int
    }

    public struct Message: Codable, Sendable, Equatable {
        public var text: String
    }

    /// One finding: a failed check (`level` `error`) or a check that could not run (`warning`).
    public struct Result: Codable, Sendable, Equatable {
        public var ruleId: String
        public var ruleIndex: Int
        public var level: String
        public var message: Message
        public var locations: [Location]
        /// `wheeltrust/v1`: SHA-256 of the rule id, the normalised package name and the file path
        /// (never of the message or the time), so the same finding keeps its fingerprint.
        public var partialFingerprints: [String: String]
        /// `package`, `version`, `wheel`, `sha256` (when known) and `checkStatus`.
        public var properties: [String: String]
    }

    public struct Location: Codable, Sendable, Equatable {
        public var physicalLocation: PhysicalLocation?
        public var logicalLocations: [LogicalLocation]?
    }

    public struct PhysicalLocation: Codable, Sendable, Equatable {
        public var artifactLocation: ArtifactLocation
    }

    public struct ArtifactLocation: Codable, Sendable, Equatable {
        /// A `file://` URI of the absolute path, percent-encoded.
        public var uri: String
    }

    /// The distribution a finding belongs to: `name` the project, `fullyQualifiedName` the wheel
    /// filename when one was matched, else `name==version`; `kind` `package`.
    public struct LogicalLocation: Codable, Sendable, Equatable {
        public var name: String
        public var fullyQualifiedName: String
        public var kind: String
    }
}
