import Attestations
import Foundation
import PythonPackaging
import Sigstore

/// Reads the files people hand to the offline commands: a PEP 740 provenance object (as the
/// Integrity API serves it) or a single PEP 740 attestation (as `attest` and PyPI tooling write).
///
/// A lone attestation becomes a provenance with one bundle whose publisher is `Publisher.localFile`:
/// a keyless signature then verifies only against the identity the user pins.
public enum ProvenanceFile {
    public static func decode(_ data: Data) throws(AttestationError) -> Provenance {
        if let provenance = try? Provenance.decode(data) { return provenance }
        let attestation = try Attestation.decode(data)
        return Provenance(attestationBundles: [
            AttestationBundle(publisher: .localFile, attestations: [attestation])
        ])
    }
}

/// Small helpers over local files for the offline commands.
public enum LocalFiles {
    public static func sha256(of path: String) throws(VerificationError) -> SHA256Hex {
        do {
            return try SHA256Hex(FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest)
        } catch {
            throw VerificationError(.usage, error.message)
        }
    }
}

/// A provenance object described for a person: bundles, publishers, statements, build facts.
/// Nothing here verifies anything; `inspect` says so. Every value from the document (publisher
/// fields, statement subjects and types, builder ids, certificate claims) is escaped
/// (``TerminalText``), so a document cannot print control codes or extra lines.
public enum ProvenanceDescription {
    public static func describe(_ provenance: Provenance) -> String {
        describeText(provenance).rendered
    }

    /// The description as terminal-safe text.
    public static func describeText(_ provenance: Provenance) -> TerminalText {
        var lines: [TerminalText] = ["Provenance (version 1), \(provenance.attestationBundles.count) bundle(s) — decoded, not verified"]
        for (bundleIndex, bundle) in provenance.attestationBundles.enumerated() {
            let extra = bundle.publisher.fields.keys.sorted().compactMap { key -> TerminalText? in
                guard let value = bundle.publisher.fields[key]?.stringValue else { return nil }
                return "\(key)=\(value)"
            }
            lines.append(
                "bundle \(bundleIndex + 1): publisher \(bundle.publisher.kind)"
                    + (extra.isEmpty ? "" : " (\(extra.joined(separator: ", ")))"))
            for (index, attestation) in bundle.attestations.enumerated() {
                let label: TerminalText = "  attestation \(bundleIndex + 1).\(index + 1)"
                let signing: TerminalText =
                    attestation.verificationMaterial == nil
                    ? "key-signed (no verification material)"
                    : "Sigstore keyless (certificate + \(attestation.verificationMaterial?.transparencyEntries.count ?? 0) log entries)"
                lines.append("\(label): \(signing), signature \(attestation.envelope.signature.count) bytes")
                if let material = attestation.verificationMaterial {
                    lines.append(contentsOf: certificateLines(material.certificate))
                }
                guard let statement = try? Statement(parsing: attestation.envelope.statement) else {
                    lines.append("    statement: not a valid in-toto statement")
                    continue
                }
                lines.append("    statement type: \(statement.type)")
                lines.append("    predicate type: \(statement.predicateType)")
                for subject in statement.subjects {
                    let digests = subject.digest.keys.sorted().map { key -> TerminalText in "\(key):\(subject.digest[key] ?? "")" }
                        .joined(separator: " ")
                    lines.append("    subject: \(subject.name) \(digests)")
                }
                let build = statement.build
                if let value = build.builderID { lines.append("    builder: \(value)") }
                if let value = build.buildType { lines.append("    build type: \(value)") }
                if let value = build.finishedOn { lines.append("    finished: \(value)") }
                if let facts = SourceBuildFacts(statement: statement) { lines += SourceBuildText.lines(facts, indent: "    ") }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The Fulcio claims of a keyless attestation's signing certificate that matter to a person
    /// deciding whom to trust (unverified, like everything `inspect` shows).
    static func certificateLines(_ der: [UInt8]) -> [TerminalText] {
        let identity: FulcioIdentity
        do {
            identity = try FulcioIdentity(certificateDER: der)
        } catch {
            return ["    certificate: \(error.message)"]
        }
        let claims: [(String, String?)] = [
            ("identity (SAN)", identity.subjectAlternativeName?.value),
            ("issuer", identity.effectiveIssuer),
            ("source repository", identity.sourceRepositoryURI),
            ("workflow", identity.buildConfigURI),
            ("ref", identity.sourceRepositoryRef),
            ("commit", identity.sourceRepositoryDigest),
            ("trigger", identity.buildTrigger),
            ("run", identity.runInvocationURI),
        ]
        return claims.compactMap { name, value in value.map { "    \(name): \($0)" } }
    }
}
