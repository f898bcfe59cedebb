import Attestations
import Crypto
import Foundation

/// A decoded Rekor entry body (`canonicalizedBody`) of the kinds Sigstore signatures use.
///
/// Guarantees after `init(decoding:)`: the body is a JSON object whose `kind` is `dsse` or
/// `hashedrekord` and whose `apiVersion` is `0.0.1` (Rekor v1) or `0.0.2` (Rekor v2, spec under
/// `dsseV002` / `hashedRekordV002`), or whose `kind` is `intoto` with `apiVersion` `0.0.2` (Rekor v1,
/// what `cosign attest` writes; see `IntotoEntry`), and every field named below is present with the
/// right type and decoded. Both versions are normalised to one shape: hashes as lowercase hex with the
/// algorithm `sha256`/`sha384`/`sha512` (v0.0.2's `SHA2_256`… are mapped), verifiers as PEM
/// (v0.0.2's DER `x509Certificate`/`publicKey` raw bytes are wrapped). `envelopeHash` of a dsse
/// 0.0.1 body is never recomputed (Rekor hashed the client's own envelope JSON).
public enum RekorBody: Sendable, Hashable {
    case dsse(DSSEEntry)
    case hashedRekord(HashedRekordEntry)
    case intoto(IntotoEntry)

    /// `dsse`: `spec.payloadHash` and `spec.signatures[]`.
    public struct DSSEEntry: Sendable, Hashable {
        public struct Signature: Sendable, Hashable {
            public let signature: [UInt8]
            /// The verifier: PEM text of the signing certificate (or key).
            public let verifierPEM: String
        }
        public let apiVersion: String
        public let payloadHashAlgorithm: String
        /// Lowercase hex.
        public let payloadHash: String
        public let signatures: [Signature]
    }

    /// `hashedrekord`: the data hash, the signature and its verifier.
    public struct HashedRekordEntry: Sendable, Hashable {
        public let apiVersion: String
        public let hashAlgorithm: String
        /// Lowercase hex.
        public let hash: String
        public let signature: [UInt8]
        /// PEM of the certificate or key.
        public let publicKeyPEM: String
    }

    /// More signatures than this in a dsse body are refused.
    public static let maxSignatures = 64

    /// The API versions read.
    public static let apiVersions: Set<String> = ["0.0.1", "0.0.2"]

    public init(decoding body: [UInt8]) throws(AttestationError) {
        let json = try JSONValue.parse(Data(body), maxBytes: TransparencyLogEntry.maxBodyBytes, what: "Rekor body")
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue else {
            throw Self.error("apiVersion/kind missing")
        }
        guard Self.apiVersions.contains(apiVersion) else { throw Self.error("\(kind) \(apiVersion) is not supported") }
        if kind == IntotoEntry.kind {
            self = .intoto(try IntotoEntry(decoding: json, apiVersion: apiVersion))
            return
        }
        guard let outer = json["spec"], outer.objectValue != nil else { throw Self.error("spec missing") }
        let v2 = apiVersion == "0.0.2"
        switch kind {
        case "dsse":
            let spec = v2 ? outer["dsseV002"] : outer
            guard let spec, spec.objectValue != nil else { throw Self.error("dsse spec missing") }
            let (algorithm, hash) = try Self.hash(spec["payloadHash"], v2: v2, what: "dsse spec.payloadHash")
            guard let list = spec["signatures"]?.arrayValue else { throw Self.error("dsse spec.signatures missing") }
            guard list.count <= Self.maxSignatures else { throw Self.error("dsse body has \(list.count) signatures") }
            var signatures: [DSSEEntry.Signature] = []
            for element in list {
                let signature = element[v2 ? "content" : "signature"]?.stringValue.flatMap(Encoding.base64)
                guard let signature, let verifier = try Self.verifier(element["verifier"], v2: v2) else {
                    throw Self.error("dsse signature or verifier missing or not base64")
                }
                signatures.append(DSSEEntry.Signature(signature: signature, verifierPEM: verifier))
            }
            self = .dsse(DSSEEntry(apiVersion: apiVersion, payloadHashAlgorithm: algorithm, payloadHash: hash, signatures: signatures))
        case "hashedrekord":
            let spec = v2 ? outer["hashedRekordV002"] : outer
            guard let spec, spec.objectValue != nil else { throw Self.error("hashedrekord spec missing") }
            let (algorithm, hash) = try Self.hash(v2 ? spec["data"] : spec["data"]?["hash"], v2: v2, what: "hashedrekord spec.data")
            let signatureField = spec["signature"]
            let content = signatureField?["content"]?.stringValue.flatMap(Encoding.base64)
            let key = try Self.verifier(v2 ? signatureField?["verifier"] : signatureField?["publicKey"]?["content"], v2: v2)
            guard let content, let key else {
                throw Self.error("hashedrekord spec.signature content/verifier missing or not base64")
            }
            self = .hashedRekord(
                HashedRekordEntry(
                    apiVersion: apiVersion, hashAlgorithm: algorithm, hash: hash,
                    signature: content, publicKeyPEM: key))
        default:
            throw Self.error("kind \(kind) is not supported")
        }
    }

    /// `(algorithm, lowercase hex)` of a v0.0.1 `{algorithm, value}` or v0.0.2 `{algorithm, digest}` hash.
    private static func hash(_ json: JSONValue?, v2: Bool, what: String) throws(AttestationError) -> (String, String) {
        guard let algorithm = json?["algorithm"]?.stringValue else { throw error("\(what) algorithm missing") }
        if !v2 {
            guard let value = json?["value"]?.stringValue else { throw error("\(what) value missing") }
            return (algorithm, value)
        }
        guard let digest = json?["digest"]?.stringValue.flatMap(Encoding.base64) else {
            throw error("\(what) digest missing or not base64")
        }
        let names = ["SHA2_256": "sha256", "SHA2_384": "sha384", "SHA2_512": "sha512"]
        return (names[algorithm] ?? algorithm, Encoding.hex(digest))
    }

    /// The verifier as PEM: v0.0.1 carries base64 PEM; v0.0.2 `{x509Certificate|publicKey: {rawBytes}}`.
    private static func verifier(_ json: JSONValue?, v2: Bool) throws(AttestationError) -> String? {
        guard let json else { return nil }
        if !v2 {
            return json.stringValue.flatMap(Encoding.base64).map { String(decoding: $0, as: UTF8.self) }
        }
        if let der = json["x509Certificate"]?["rawBytes"]?.stringValue.flatMap(Encoding.base64) {
            return PEMBlock.encode(label: "CERTIFICATE", der: der)
        }
        if let der = json["publicKey"]?["rawBytes"]?.stringValue.flatMap(Encoding.base64) {
            return PEMBlock.encode(label: "PUBLIC KEY", der: der)
        }
        return nil
    }

    /// The body of `entry`, refused when its kind/version differ from the entry's `kindVersion`.
    public init(of entry: TransparencyLogEntry) throws(AttestationError) {
        let supported =
            entry.kind == IntotoEntry.kind
            ? entry.version == IntotoEntry.apiVersion
            : Self.apiVersions.contains(entry.version) && (entry.kind == "dsse" || entry.kind == "hashedrekord")
        guard supported else {
            throw Self.error("entry kind \(entry.kind) \(entry.version) is not supported")
        }
        try self.init(decoding: entry.canonicalizedBody)
        let (bodyKind, bodyVersion): (String, String)
        switch self {
        case .dsse(let body): (bodyKind, bodyVersion) = ("dsse", body.apiVersion)
        case .hashedRekord(let body): (bodyKind, bodyVersion) = ("hashedrekord", body.apiVersion)
        case .intoto: (bodyKind, bodyVersion) = (IntotoEntry.kind, IntotoEntry.apiVersion)
        }
        guard bodyKind == entry.kind, bodyVersion == entry.version else {
            throw Self.error("body \(bodyKind) \(bodyVersion) differs from the entry's kindVersion \(entry.kind) \(entry.version)")
        }
    }

    static func error(_ message: String) -> AttestationError {
        AttestationError(.malformedLogEntry, "Rekor body: \(message)")
    }

    /// Checks that the dsse body of `entry` records exactly `attestation` (see the content form).
    public static func checkConsistency(of entry: TransparencyLogEntry, with attestation: Attestation) -> LogCheckResult {
        guard let material = attestation.verificationMaterial else {
            return .fail(.bodyMismatch, "Rekor body: the attestation has no verification material")
        }
        return checkConsistency(of: entry, content: SigstoreContent(attestation.envelope), signer: .certificate(material.certificate))
    }

    /// Checks that the body of `entry` records exactly `content` signed by `signer`.
    ///
    /// Guarantees when `.verified`: the body decodes and matches the entry's kindVersion, and
    /// - `dsse` (0.0.1/0.0.2), only for DSSE content: `payloadHash` is sha256 and equals SHA-256 of
    ///   the payload bytes; exactly one signature, byte-equal to the content's; its verifier
    ///   equals the signer (certificate DER or public key SPKI);
    /// - `hashedrekord` (0.0.1/0.0.2): the hash is sha256 and equals the artifact digest (for a
    ///   message signature) or SHA-256 of the DSSE PAE (for a DSSE envelope); the signature is
    ///   byte-equal; the verifier equals the signer;
    /// - `intoto` 0.0.2, only for DSSE content: see `IntotoEntry.check` (payload type, payload
    ///   hash, payload when recorded, exactly one signature with its verifier).
    public static func checkConsistency(of entry: TransparencyLogEntry, content: SigstoreContent, signer: SigstoreSigner) -> LogCheckResult
    {
        let body: RekorBody
        do {
            body = try RekorBody(of: entry)
        } catch {
            return .fail(.malformedBody, error.message)
        }
        switch body {
        case .dsse(let dsse):
            guard case .dsse(let type, let payload, let signature) = content else {
                return .fail(.bodyMismatch, "Rekor body: kind dsse does not record a message signature")
            }
            _ = type
            guard dsse.payloadHashAlgorithm == "sha256" else {
                return .fail(.bodyMismatch, "Rekor body: payloadHash algorithm \(dsse.payloadHashAlgorithm) is not sha256")
            }
            let payloadHash = Encoding.hex(SHA256.hash(data: payload))
            guard dsse.payloadHash == payloadHash else {
                return .fail(.bodyMismatch, "Rekor body: payloadHash \(dsse.payloadHash) is not sha256 of the statement \(payloadHash)")
            }
            guard dsse.signatures.count == 1, let recorded = dsse.signatures.first else {
                return .fail(.bodyMismatch, "Rekor body: \(dsse.signatures.count) signatures recorded; exactly one is required")
            }
            guard recorded.signature == signature else {
                return .fail(.bodyMismatch, "Rekor body: recorded signature differs from the attestation's signature")
            }
            return verifierCheck(recorded.verifierPEM, signer: signer)
        case .hashedRekord(let hashed):
            guard hashed.hashAlgorithm == "sha256" else {
                return .fail(.bodyMismatch, "Rekor body: hashedrekord hash algorithm \(hashed.hashAlgorithm) is not sha256")
            }
            let expected: String
            switch content {
            case .messageSignature(let digest, _): expected = Encoding.hex(digest)
            case .dsse(let type, let payload, _): expected = Encoding.hex(SHA256.hash(data: DSSE.pae(payloadType: type, payload: payload)))
            }
            guard hashed.hash == expected else {
                return .fail(.bodyMismatch, "Rekor body: hashedrekord hash \(hashed.hash) is not the signed artifact's digest \(expected)")
            }
            guard hashed.signature == content.signature else {
                return .fail(.bodyMismatch, "Rekor body: recorded signature differs from the bundle's signature")
            }
            return verifierCheck(hashed.publicKeyPEM, signer: signer)
        case .intoto(let intoto):
            return intoto.check(content: content, signer: signer)
        }
    }

    static func verifierCheck(_ pem: String, signer: SigstoreSigner) -> LogCheckResult {
        switch signer {
        case .certificate(let der):
            let certificate: [UInt8]
            do {
                certificate = try PEMBlock.first(in: pem, labels: ["CERTIFICATE"], what: "Rekor body verifier").der
            } catch {
                return .fail(.bodyMismatch, "Rekor body: verifier is not a PEM certificate (\(error.message))")
            }
            guard certificate == der else {
                return .fail(.bodyMismatch, "Rekor body: verifier certificate differs from the attestation's certificate")
            }
        case .publicKey(let key):
            guard let recorded = try? PublicKey(pem: pem), recorded == key else {
                return .fail(.bodyMismatch, "Rekor body: verifier is not the given public key")
            }
        }
        return .verified
    }
}
