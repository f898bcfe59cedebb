import PythonPackaging
/// What a `wheeltrust build` provenance says the wheel was built from: the sdist (name, version,
/// sha256, how its origin was anchored) and every wheel installed into the build environment
/// (name, version, sha256), with the builder and whether the backend ran without network.
///
/// Guarantees: made only from a SLSA v1 statement whose build type is ``buildType`` (else nil),
/// reading `externalParameters.source` and `resolvedDependencies` (role `source` and
/// `build-requirement`); a digest that is not 64 lowercase hex characters is left out (shown
/// empty), never guessed. It is as trustworthy as the signature over the statement: callers take
/// it only from the statement that verified (the decisive attestation). The text is untrusted
/// (written by the signer) and must be escaped where it is shown.
public struct SourceBuildFacts: Sendable, Hashable, Codable {
    /// wheeltrust's build type: an sdist built into a wheel by its own PEP 517 backend.
    public static let buildType = "urn:wheeltrust:build-type:sdist-pep517@v1"

    /// The sdist the wheel was built from.
    public struct Source: Sendable, Hashable, Codable {
        public var name: String
        public var version: String
        public var filename: String
        public var sha256: String
        /// How the sdist's origin was established (`provenance`, `index-hash`, `none`).
        public var anchor: String
        /// The anchor in words (who signed the sdist, or which index published its hash).
        public var anchorDetail: String?
    }

    /// One wheel installed into the build environment.
    public struct Dependency: Sendable, Hashable, Codable {
        public var name: String
        public var version: String
        public var filename: String
        public var sha256: String
    }

    public var builder: String?
    public var source: Source
    public var dependencies: [Dependency]
    /// `none` when the backend ran without network; `not isolated` (with the reason) otherwise.
    public var network: String?

    /// The facts of `statement`, or nil when it is not a wheeltrust sdist build.
    public init?(statement: Statement) {
        guard statement.predicateType == Statement.slsaV1 else { return nil }
        let predicate = statement.predicate
        let definition = predicate["buildDefinition"]
        guard definition?["buildType"]?.stringValue == Self.buildType else { return nil }
        let external = definition?["externalParameters"]?["source"]
        let dependencies = definition?["resolvedDependencies"]?.arrayValue ?? []
        func text(_ value: JSONValue?) -> String { value?.stringValue ?? "" }
        func digest(_ value: JSONValue?) -> String {
            let hex = value?["sha256"]?.stringValue ?? ""
            return SHA256Hex(hex)?.text ?? ""
        }
        source = Source(
            name: text(external?["name"]), version: text(external?["version"]), filename: text(external?["filename"]),
            sha256: digest(external?["digest"]), anchor: text(external?["anchor"]),
            anchorDetail: external?["anchorDetail"]?.stringValue)
        self.dependencies = dependencies.compactMap { descriptor in
            guard descriptor["annotations"]?["role"]?.stringValue == "build-requirement" else { return nil }
            return Dependency(
                name: text(descriptor["annotations"]?["project"]), version: text(descriptor["annotations"]?["version"]),
                filename: text(descriptor["name"]), sha256: digest(descriptor["digest"]))
        }
        builder = statement.build.builderID
        let isolation = predicate["buildDefinition"]?["internalParameters"]?["isolation"]
        network = isolation?["network"]?.stringValue.map { network in
            isolation?["reason"]?.stringValue.map { "\(network): \($0)" } ?? network
        }
    }
}
