import Attestations
import Foundation
import PythonPackaging

/// The SLSA v1 provenance of one `wheeltrust build`: what was built from what, how and by whom.
///
/// Guarantees: `resolvedDependencies` lists the sdist (first) and every wheel installed into
/// the build environment, each by name and sha256; `internalParameters.isolation` says whether the
/// backend ran without network, in words that cannot be mistaken when it did not; the build type
/// is ``buildType`` (documented in docs/BUILD-TYPE.md). The statement around it (one subject: the
/// wheel's filename and the sha256 of the file written) is made and signed by ``Attester``, the
/// writer `attest` uses.
public struct BuildProvenance: Sendable {
    /// Our build type: an sdist built into a wheel by its own PEP 517 backend, as `wheeltrust build` does it.
    public static let buildType = SourceBuildFacts.buildType
    /// The builder id when none is configured.
    public static let defaultBuilderID = "urn:wheeltrust:builder:local"

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
    public var logSHA256: SHA256Hex

    /// The SLSA v1 predicate (attest's ``SLSAProvenance``), validated before it is signed.
    public func predicate() -> SLSAProvenance {
        var sourceObject: [String: JSONValue] = [
            "name": .string(source.filename.name.raw),
            "version": .string(source.filename.version.description),
            "filename": .string(source.filename.filename),
            "digest": .object(["sha256": .string(source.sha256.text)]),
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
        let sourceDescriptor = ResourceDescriptor(
            uri: source.uri, digest: ["sha256": source.sha256.text], name: source.filename.filename,
            annotations: ["role": .string("source")])
        let dependencyDescriptors = dependencies.map { dependency in
            ResourceDescriptor(
                digest: ["sha256": dependency.sha256], name: dependency.filename,
                annotations: [
                    "role": .string("build-requirement"), "project": .string(dependency.name),
                    "version": .string(dependency.version),
                ])
        }
        return SLSAProvenance(
            buildType: Self.buildType, builderID: builderID, externalParameters: external,
            internalParameters: internalParameters, resolvedDependencies: [sourceDescriptor] + dependencyDescriptors,
            invocationID: invocationID, startedOn: SLSAProvenance.timestamp(startedOn),
            finishedOn: SLSAProvenance.timestamp(finishedOn),
            byproducts: [ResourceDescriptor(digest: ["sha256": logSHA256.text], name: logName, mediaType: "text/plain")])
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
