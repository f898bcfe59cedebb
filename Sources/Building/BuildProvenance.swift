import Attestations
import Foundation

/// The SLSA v1 provenance of one `wheeltrust build`: what was built from what, how and by whom.
///
/// Guarantees: the statement has exactly one subject, the wheel's filename and the sha256 of the
/// file written; `resolvedDependencies` lists the sdist (first) and every wheel installed into
/// the build environment, each by name and sha256; `internalParameters.isolation` says whether the
/// backend ran without network, in words that cannot be mistaken when it did not; the build type
/// is ``buildType`` (documented in docs/BUILD-TYPE.md).
public struct BuildProvenance: Sendable {
    /// Our build type: an sdist built into a wheel by its own PEP 517 backend, as `wheeltrust build` does it.
    public static let buildType = "urn:wheeltrust:build-type:sdist-pep517@v1"
    /// The builder id when none is configured.
    public static let defaultBuilderID = "urn:wheeltrust:builder:local"

    public var wheelFilename: String
    public var wheelSHA256: String
    public var source: SourceDistribution
    public var buildTag: String?
    public var requirementSource: RequirementSource
    public var buildSystem: BuildSystemTable
    public var interpreter: InterpreterFacts
    public var isolation: NetworkIsolation
    public var sourceDateEpoch: Int
    public var sourceDateEpochFrom: String
    public var environmentVariables: [String]
    public var dependencies: [BuildDependency]
    public var builderID: String
    public var invocationID: String
    public var startedOn: Date
    public var finishedOn: Date
    public var logName: String
    public var logSHA256: String

    /// The in-toto v1 statement, as the exact bytes to sign (sorted keys).
    public func statement() -> [UInt8] {
        var sourceObject: [String: JSONValue] = [
            "name": .string(source.filename.name.raw),
            "version": .string(source.filename.version.description),
            "filename": .string(source.filename.filename),
            "digest": .object(["sha256": .string(source.sha256)]),
            "anchor": .string(source.anchor.kind),
            "anchorDetail": .string(source.anchor.summary),
        ]
        if let uri = source.uri { sourceObject["uri"] = .string(uri) }
        let external: [String: JSONValue] = [
            "source": .object(sourceObject),
            "buildTag": buildTag.map(JSONValue.string) ?? .null,
            "config": .object([
                "buildRequirementsFrom": .string(requirementSource.recorded),
                "onlyBinary": .bool(true),
            ]),
        ]
        let isolationObject: JSONValue
        switch isolation {
        case .namespace:
            isolationObject = .object(["network": .string("none"), "method": .string("unshare -rn (user and network namespace)")])
        case .unavailable(let reason):
            isolationObject = .object(["network": .string("not isolated"), "reason": .string(reason)])
        }
        let internalParameters: [String: JSONValue] = [
            "interpreter": .object([
                "path": .string(interpreter.executable),
                "implementation": .string(interpreter.implementation),
                "version": .string(interpreter.version),
            ]),
            "platform": .string(interpreter.platform),
            "machine": .string(interpreter.machine),
            "isolation": isolationObject,
            "buildBackend": .string(buildSystem.backend),
            "backendPath": .array(buildSystem.backendPath.map(JSONValue.string)),
            "buildSystemFallback": .bool(buildSystem.isFallback),
            "buildSystemRequires": .array(buildSystem.requires.map(JSONValue.string)),
            "sourceDateEpoch": .string(String(sourceDateEpoch)),
            "sourceDateEpochFrom": .string(sourceDateEpochFrom),
            "environment": .array(environmentVariables.sorted().map(JSONValue.string)),
        ]
        var sourceDescriptor: [String: JSONValue] = [
            "name": .string(source.filename.filename),
            "digest": .object(["sha256": .string(source.sha256)]),
            "annotations": .object(["role": .string("source")]),
        ]
        if let uri = source.uri { sourceDescriptor["uri"] = .string(uri) }
        let resolved: [JSONValue] =
            [.object(sourceDescriptor)]
            + dependencies.map { dependency in
                .object([
                    "name": .string(dependency.filename),
                    "digest": .object(["sha256": .string(dependency.sha256)]),
                    "annotations": .object([
                        "role": .string("build-requirement"),
                        "project": .string(dependency.name),
                        "version": .string(dependency.version),
                    ]),
                ])
            }
        let statement: JSONValue = .object([
            "_type": .string(Statement.inTotoV1),
            "subject": .array([
                .object(["name": .string(wheelFilename), "digest": .object(["sha256": .string(wheelSHA256.lowercased())])])
            ]),
            "predicateType": .string(Statement.slsaV1),
            "predicate": .object([
                "buildDefinition": .object([
                    "buildType": .string(Self.buildType),
                    "externalParameters": .object(external),
                    "internalParameters": .object(internalParameters),
                    "resolvedDependencies": .array(resolved),
                ]),
                "runDetails": .object([
                    "builder": .object(["id": .string(builderID)]),
                    "metadata": .object([
                        "invocationId": .string(invocationID),
                        "startedOn": .string(Self.timestamp(startedOn)),
                        "finishedOn": .string(Self.timestamp(finishedOn)),
                    ]),
                    "byproducts": .array([
                        .object([
                            "name": .string(logName),
                            "digest": .object(["sha256": .string(logSHA256)]),
                            "mediaType": .string("text/plain"),
                        ])
                    ]),
                ]),
            ]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Objects of strings, arrays and booleans always encode.
        return Array((try? encoder.encode(statement)) ?? Data())
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// What the build interpreter says about itself (asked once, by the driver).
public struct InterpreterFacts: Sendable, Hashable, Codable {
    public let executable: String
    public let version: String
    public let implementation: String
    public let platform: String
    public let machine: String
}
