import Crypto
import Foundation

/// A decoded Rekor v1 entry body (`canonicalizedBody`) of the kinds PEP 740 attestations use.
///
/// Guarantees after `init(decoding:)`: the body is a JSON object whose `apiVersion` and `kind` are
/// `0.0.1` and `dsse` or `hashedrekord`, and every field named below is present with the right
/// type and decoded (base64 fields standard alphabet). `envelopeHash` of a dsse body is read but
/// never recomputed (Rekor hashed the client's own envelope JSON; it cannot be reproduced).
public enum RekorBody: Sendable, Hashable {
    case dsse(DSSEEntry)
    case hashedRekord(HashedRekordEntry)

    /// `dsse` 0.0.1: `spec.payloadHash` and `spec.signatures[]`.
    public struct DSSEEntry: Sendable, Hashable {
        public struct Signature: Sendable, Hashable {
            public let signature: [UInt8]
            /// The decoded `verifier`: PEM text of the signing certificate (or key).
            public let verifierPEM: String
        }
        public let payloadHashAlgorithm: String
        /// Lowercase hex, as Rekor writes it.
        public let payloadHash: String
        public let signatures: [Signature]
    }

    /// `hashedrekord` 0.0.1: `spec.data.hash`, `spec.signature.content`, `spec.signature.publicKey.content`.
    public struct HashedRekordEntry: Sendable, Hashable {
        public let hashAlgorithm: String
        public let hash: String
        public let signature: [UInt8]
        /// The decoded `publicKey.content`: PEM of the certificate or key.
        public let publicKeyPEM: String
    }

    /// More signatures than this in a dsse body are refused.
    public static let maxSignatures = 64

    public init(decoding body: [UInt8]) throws(AttestationError) {
        let json = try JSONValue.parse(Data(body), maxBytes: TransparencyLogEntry.maxBodyBytes, what: "Rekor body")
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue else {
            throw Self.error("apiVersion/kind missing")
        }
        guard apiVersion == "0.0.1" else { throw Self.error("\(kind) \(apiVersion) is not supported") }
        guard let spec = json["spec"], spec.objectValue != nil else { throw Self.error("spec missing") }
        switch kind {
        case "dsse":
            guard let algorithm = spec["payloadHash"]?["algorithm"]?.stringValue,
                  let value = spec["payloadHash"]?["value"]?.stringValue else {
                throw Self.error("dsse spec.payloadHash missing")
            }
            guard let list = spec["signatures"]?.arrayValue else { throw Self.error("dsse spec.signatures missing") }
            guard list.count <= Self.maxSignatures else { throw Self.error("dsse body has \(list.count) signatures") }
            var signatures: [DSSEEntry.Signature] = []
            for element in list {
                guard let sig = element["signature"]?.stringValue.flatMap(Encoding.base64),
                      let verifier = element["verifier"]?.stringValue.flatMap(Encoding.base64) else {
                    throw Self.error("dsse signature or verifier missing or not base64")
                }
                signatures.append(DSSEEntry.Signature(signature: sig, verifierPEM: String(decoding: verifier, as: UTF8.self)))
            }
            self = .dsse(DSSEEntry(payloadHashAlgorithm: algorithm, payloadHash: value, signatures: signatures))
        case "hashedrekord":
            guard let algorithm = spec["data"]?["hash"]?["algorithm"]?.stringValue,
                  let value = spec["data"]?["hash"]?["value"]?.stringValue else {
                throw Self.error("hashedrekord spec.data.hash missing")
            }
            guard let content = spec["signature"]?["content"]?.stringValue.flatMap(Encoding.base64),
                  let key = spec["signature"]?["publicKey"]?["content"]?.stringValue.flatMap(Encoding.base64) else {
                throw Self.error("hashedrekord spec.signature content/publicKey missing or not base64")
            }
            self = .hashedRekord(HashedRekordEntry(hashAlgorithm: algorithm, hash: value, signature: content,
                                              publicKeyPEM: String(decoding: key, as: UTF8.self)))
        default:
            throw Self.error("kind \(kind) is not supported")
        }
    }

    /// The body of `entry`, refused when its kind/version differ from the entry's `kindVersion`.
    public init(of entry: TransparencyLogEntry) throws(AttestationError) {
        guard entry.version == "0.0.1", entry.kind == "dsse" || entry.kind == "hashedrekord" else {
            throw Self.error("entry kind \(entry.kind) \(entry.version) is not supported")
        }
        try self.init(decoding: entry.canonicalizedBody)
        let bodyKind: String
        switch self {
        case .dsse: bodyKind = "dsse"
        case .hashedRekord: bodyKind = "hashedrekord"
        }
        guard bodyKind == entry.kind else {
            throw Self.error("body kind \(bodyKind) differs from the entry's kind \(entry.kind)")
        }
    }

    private static func error(_ message: String) -> AttestationError {
        AttestationError(.malformedLogEntry, "Rekor body: \(message)")
    }

    /// Checks that the dsse body of `entry` records exactly `attestation`.
    ///
    /// Guarantees when `.verified`: the body is `dsse` 0.0.1 (matching the entry's kind);
    /// `payloadHash` is sha256 and equals SHA-256 of the statement bytes; there is exactly one
    /// signature, byte-equal to the attestation's; its verifier is a PEM certificate whose DER
    /// equals the attestation's leaf certificate. `envelopeHash` is not checked.
    public static func checkConsistency(of entry: TransparencyLogEntry, with attestation: Attestation) -> LogCheckResult {
        guard let material = attestation.verificationMaterial else {
            return .fail(.bodyMismatch, "Rekor body: the attestation has no verification material")
        }
        let body: RekorBody
        do {
            body = try RekorBody(of: entry)
        } catch {
            return .fail(.malformedBody, error.message)
        }
        guard case .dsse(let dsse) = body else {
            return .fail(.bodyMismatch, "Rekor body: kind \(entry.kind) does not record a DSSE attestation")
        }
        guard dsse.payloadHashAlgorithm == "sha256" else {
            return .fail(.bodyMismatch, "Rekor body: payloadHash algorithm \(dsse.payloadHashAlgorithm) is not sha256")
        }
        let statementHash = Encoding.hex(SHA256.hash(data: attestation.envelope.statement))
        guard dsse.payloadHash == statementHash else {
            return .fail(.bodyMismatch, "Rekor body: payloadHash \(dsse.payloadHash) is not sha256 of the statement \(statementHash)")
        }
        guard dsse.signatures.count == 1, let recorded = dsse.signatures.first else {
            return .fail(.bodyMismatch, "Rekor body: \(dsse.signatures.count) signatures recorded; exactly one is required")
        }
        guard recorded.signature == attestation.envelope.signature else {
            return .fail(.bodyMismatch, "Rekor body: recorded signature differs from the attestation's signature")
        }
        let certificate: [UInt8]
        do {
            certificate = try PEMBlock.first(in: recorded.verifierPEM, labels: ["CERTIFICATE"], what: "Rekor body verifier").der
        } catch {
            return .fail(.bodyMismatch, "Rekor body: verifier is not a PEM certificate (\(error.message))")
        }
        guard certificate == material.certificate else {
            return .fail(.bodyMismatch, "Rekor body: verifier certificate differs from the attestation's certificate")
        }
        return .verified
    }
}
