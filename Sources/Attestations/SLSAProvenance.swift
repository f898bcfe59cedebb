import Foundation

/// A SLSA v1 provenance predicate (`https://slsa.dev/provenance/v1`) that a signer fills in:
/// `attest` from its flags or a predicate file, `build` from what it built.
///
/// Guarantees: ``json`` writes exactly the fields that are set (the required `buildType`,
/// `externalParameters` and `builder.id` always); ``validate()`` (run by every parser here and by
/// `attest` before signing) refuses a predicate a verifier could misread: required fields empty,
/// type or id without a URI scheme, parameters that are not JSON objects, a resource descriptor
/// with no uri/digest/content or a digest that is not lowercase hex of its algorithm's length,
/// a timestamp that is not RFC 3339, or a start after the finish. Errors are `.malformedPredicate`,
/// one line naming the JSON path (`predicate.runDetails.builder.id`) and the problem.
public struct SLSAProvenance: Sendable, Hashable {
    /// `buildDefinition.buildType`: a URI naming the template of the build.
    public var buildType: String
    /// `buildDefinition.externalParameters` (a JSON object: the inputs under outside control).
    public var externalParameters: [String: JSONValue]
    /// `buildDefinition.internalParameters` (a JSON object), nil to leave it out.
    public var internalParameters: [String: JSONValue]?
    /// `buildDefinition.resolvedDependencies`, in order.
    public var resolvedDependencies: [ResourceDescriptor]
    /// `runDetails.builder.id`: a URI naming the builder (what policies' `builders` rules match).
    public var builderID: String
    /// `runDetails.builder.version`, nil to leave it out.
    public var builderVersion: [String: String]?
    /// `runDetails.builder.builderDependencies`, in order.
    public var builderDependencies: [ResourceDescriptor]
    /// `runDetails.metadata.invocationId`.
    public var invocationID: String?
    /// `runDetails.metadata.startedOn`, RFC 3339 as written.
    public var startedOn: String?
    /// `runDetails.metadata.finishedOn`, RFC 3339 as written.
    public var finishedOn: String?
    /// `runDetails.byproducts`, in order.
    public var byproducts: [ResourceDescriptor]

    public init(
        buildType: String, builderID: String, externalParameters: [String: JSONValue] = [:],
        internalParameters: [String: JSONValue]? = nil, resolvedDependencies: [ResourceDescriptor] = [],
        builderVersion: [String: String]? = nil, builderDependencies: [ResourceDescriptor] = [],
        invocationID: String? = nil, startedOn: String? = nil, finishedOn: String? = nil,
        byproducts: [ResourceDescriptor] = []
    ) {
        self.buildType = buildType
        self.builderID = builderID
        self.externalParameters = externalParameters
        self.internalParameters = internalParameters
        self.resolvedDependencies = resolvedDependencies
        self.builderVersion = builderVersion
        self.builderDependencies = builderDependencies
        self.invocationID = invocationID
        self.startedOn = startedOn
        self.finishedOn = finishedOn
        self.byproducts = byproducts
    }

    /// An RFC 3339 UTC timestamp of `date` (whole seconds, `Z`), as the predicate's times are written.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// The predicate as JSON.
    public var json: JSONValue {
        var definition: [String: JSONValue] = [
            "buildType": .string(buildType),
            "externalParameters": .object(externalParameters),
        ]
        if let internalParameters { definition["internalParameters"] = .object(internalParameters) }
        if !resolvedDependencies.isEmpty { definition["resolvedDependencies"] = .array(resolvedDependencies.map(\.json)) }
        var builder: [String: JSONValue] = ["id": .string(builderID)]
        if let builderVersion { builder["version"] = .object(builderVersion.mapValues { .string($0) }) }
        if !builderDependencies.isEmpty { builder["builderDependencies"] = .array(builderDependencies.map(\.json)) }
        var run: [String: JSONValue] = ["builder": .object(builder)]
        var metadata: [String: JSONValue] = [:]
        if let invocationID { metadata["invocationId"] = .string(invocationID) }
        if let startedOn { metadata["startedOn"] = .string(startedOn) }
        if let finishedOn { metadata["finishedOn"] = .string(finishedOn) }
        if !metadata.isEmpty { run["metadata"] = .object(metadata) }
        if !byproducts.isEmpty { run["byproducts"] = .array(byproducts.map(\.json)) }
        return .object(["buildDefinition": .object(definition), "runDetails": .object(run)])
    }

    /// Checks the guarantees above.
    public func validate() throws(AttestationError) {
        let definition = "predicate.buildDefinition"
        let run = "predicate.runDetails"
        try Self.checkURI(buildType, path: "\(definition).buildType")
        try Self.checkURI(builderID, path: "\(run).builder.id")
        for (index, item) in resolvedDependencies.enumerated() {
            try item.validate(path: "\(definition).resolvedDependencies[\(index)]")
        }
        for (index, item) in builderDependencies.enumerated() {
            try item.validate(path: "\(run).builder.builderDependencies[\(index)]")
        }
        for (index, item) in byproducts.enumerated() {
            try item.validate(path: "\(run).byproducts[\(index)]")
        }
        if let invocationID, invocationID.isEmpty {
            throw AttestationError(.malformedPredicate, "\(run).metadata.invocationId: is empty")
        }
        let started = try startedOn.map { text throws(AttestationError) in try Self.time(text, path: "\(run).metadata.startedOn") }
        let finished = try finishedOn.map { text throws(AttestationError) in try Self.time(text, path: "\(run).metadata.finishedOn") }
        if let started, let finished, started > finished {
            throw AttestationError(.malformedPredicate, "\(run).metadata: startedOn \(startedOn ?? "") is after finishedOn \(finishedOn ?? "")")
        }
    }

    private static func time(_ text: String, path: String) throws(AttestationError) -> Date {
        guard let date = RFC3339.parse(text) else {
            throw AttestationError(.malformedPredicate, "\(path): \(text) is not an RFC 3339 timestamp (e.g. 2026-01-31T12:00:00Z)")
        }
        return date
    }

    /// Refuses text that is not a URI with a scheme (`https:`, `urn:`, `git+https:`, …), or that
    /// holds whitespace or control characters.
    package static func checkURI(_ text: String, path: String) throws(AttestationError) {
        let bytes = Array(text.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, colon < bytes.count - 1,
            let first = bytes.first, (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first),
            bytes[..<colon].allSatisfy({ byte in
                (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            })
        else {
            throw AttestationError(.malformedPredicate, "\(path): \(text.isEmpty ? "is empty" : "not a URI with a scheme (e.g. https://…, urn:…)")")
        }
        guard
            !text.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
            })
        else {
            throw AttestationError(.malformedPredicate, "\(path): a URI may not hold spaces, control or invisible formatting characters")
        }
    }
}
