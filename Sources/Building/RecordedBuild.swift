import Attestations
import Foundation
import PythonPackaging

/// What a `wheeltrust build` provenance says was built, from what: read back for a rebuild.
///
/// Guarantees: read from the statement's exact bytes; the build type is
/// ``BuildProvenance/buildType`` (anything else is refused: its inputs would be guessed); exactly
/// one subject with a sha256 (64 hex digits); the source and every build requirement have a
/// filename and a lowercase 64-digit sha256, and every filename is a plain name (no folder part).
/// Each digest is parsed into a ``SHA256Hex`` here, where the statement's text enters.
public struct RecordedBuild: Sendable, Hashable {
    public let wheelFilename: String
    public let wheelSHA256: SHA256Hex
    public let sourceFilename: String
    public let sourceSHA256: SHA256Hex
    public let sourceURI: String?
    public let buildTag: String?
    /// Filename to sha256 of each build-environment wheel.
    public let requirements: [String: SHA256Hex]
    public let builderID: String?
    /// The provenance's `SOURCE_DATE_EPOCH`.
    public let sourceDateEpoch: String?

    public init(statement bytes: [UInt8]) throws(BuildError) {
        let statement: Statement
        do {
            statement = try Statement(parsing: bytes)
        } catch {
            throw BuildError(.usage, "the provenance's statement is malformed: \(error.message)")
        }
        guard statement.predicateType == Statement.slsaV1 else {
            throw BuildError(.usage, "the provenance is \(statement.predicateType), not SLSA v1")
        }
        let predicate = statement.predicate
        let definition = predicate["buildDefinition"]
        guard definition?["buildType"]?.stringValue == BuildProvenance.buildType else {
            throw BuildError(
                .usage,
                "the provenance's buildType is \(definition?["buildType"]?.stringValue ?? "absent"), not \(BuildProvenance.buildType): not a wheeltrust build")
        }
        guard statement.subjects.count == 1, let subject = statement.subjects.first, let digest = subject.digest["sha256"] else {
            throw BuildError(.usage, "the provenance must have exactly one subject with a sha256")
        }
        guard let wheelDigest = SHA256Hex(normalizing: digest) else {
            throw BuildError(.usage, "the provenance's subject sha256 is not 64 hex digits")
        }
        wheelFilename = subject.name
        wheelSHA256 = wheelDigest
        let source = definition?["externalParameters"]?["source"]
        guard let sourceName = source?["filename"]?.stringValue,
            let sourceDigest = source?["digest"]?["sha256"]?.stringValue.flatMap({ SHA256Hex($0) }),
            Self.isPlainName(sourceName)
        else { throw BuildError(.usage, "the provenance names no source filename and sha256") }
        sourceFilename = sourceName
        sourceSHA256 = sourceDigest
        sourceURI = source?["uri"]?.stringValue
        buildTag = definition?["externalParameters"]?["buildTag"]?.stringValue
        sourceDateEpoch = definition?["internalParameters"]?["sourceDateEpoch"]?.stringValue
        builderID = predicate["runDetails"]?["builder"]?["id"]?.stringValue
        var requirements: [String: SHA256Hex] = [:]
        if case .array(let items)? = definition?["resolvedDependencies"] {
            for (index, item) in items.enumerated() where item["annotations"]?["role"]?.stringValue == "build-requirement" {
                guard let name = item["name"]?.stringValue, let sha256 = item["digest"]?["sha256"]?.stringValue.flatMap({ SHA256Hex($0) }),
                    Self.isPlainName(name), name.hasSuffix(".whl")
                else { throw BuildError(.usage, "resolvedDependencies[\(index)]: a build requirement needs a wheel filename and a sha256") }
                requirements[name] = sha256
            }
        }
        self.requirements = requirements
    }

    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".." && !name.contains("\0")
    }

    /// The statement of the (first) attestation in a provenance or attestation file.
    public static func read(provenanceFile path: String) throws(BuildError) -> RecordedBuild {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, cap: Provenance.maxBytes)
        } catch {
            throw BuildError(.usage, "\(path): cannot read the provenance: \(error.message)")
        }
        let attestation: Attestation
        if let provenance = try? Provenance.decode(Data(bytes)),
            let first = provenance.attestationBundles.first?.attestations.first
        {
            attestation = first
        } else {
            do {
                attestation = try Attestation.decode(Data(bytes))
            } catch {
                throw BuildError(.usage, "\(path): not a PEP 740 attestation or provenance: \(error.message)")
            }
        }
        return try RecordedBuild(statement: attestation.envelope.statement)
    }
}
