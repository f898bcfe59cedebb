import Attestations
import Crypto
import Foundation
import PythonPackaging

extension RekorBody {
    /// An `intoto` v0.0.2 Rekor body: the DSSE envelope `cosign attest` (and Sigstore deployments
    /// such as Red Hat Trusted Artifact Signer) log, on a Rekor v1 log (signed entry timestamp,
    /// integrated time).
    ///
    /// The canonical body (Rekor's `pkg/types/intoto/v0.0.2` schema) is
    /// `{"apiVersion":"0.0.2","kind":"intoto","spec":{"content":{"envelope":{…},"hash":{…},"payloadHash":{…}}}}`
    /// where `envelope` holds `payloadType`, `signatures` (each `{keyid?, sig, publicKey}`) and,
    /// in some logs, `payload`. Rekor stores the envelope's own base64 strings as bytes and encodes
    /// those bytes again: `sig` and `payload` are base64 of the base64 text of the signature and
    /// payload (double-encoded); `publicKey` is base64 of the PEM of the certificate or key (once).
    /// `hash` is SHA-256 of the envelope JSON the client submitted (its own serialisation) and
    /// `payloadHash` SHA-256 of the decoded payload.
    ///
    /// Guarantees after decoding: every object holds only the members the schema names (any
    /// other member is refused, as the entry's own fields are); `payloadType` is a string; both
    /// hashes are `sha256` with 64 lowercase hex digits; `signatures` has 1 to
    /// `RekorBody.maxSignatures` elements, each with a doubly decoded `sig` and a PEM verifier;
    /// `payload`, when present, is doubly decoded. Nothing is compared here: see `check`.
    public struct IntotoEntry: Sendable, Hashable {
        public struct Signature: Sendable, Hashable {
            /// The raw signature bytes (after both base64 layers).
            public let signature: [UInt8]
            /// PEM text of the signing certificate (or key).
            public let verifierPEM: String
            /// The DSSE key id, when recorded (unauthenticated metadata, never compared).
            public let keyID: String?
        }

        public static let kind = "intoto"
        public static let apiVersion = "0.0.2"

        public let payloadType: String
        /// The payload bytes, when the body records them (Rekor's canonical form omits them).
        public let payload: [UInt8]?
        /// Lowercase hex SHA-256 of the payload.
        public let payloadHash: String
        /// Lowercase hex SHA-256 of the envelope JSON as the client submitted it.
        public let envelopeHash: String
        public let signatures: [Signature]

        init(decoding json: JSONValue, apiVersion: String) throws(AttestationError) {
            guard apiVersion == Self.apiVersion else { throw RekorBody.error("intoto \(apiVersion) is not supported (0.0.2 is)") }
            try Self.only(json, "body", ["apiVersion", "kind", "spec"])
            guard let spec = json["spec"], spec.objectValue != nil else { throw RekorBody.error("intoto spec missing") }
            try Self.only(spec, "spec", ["content"])
            guard let content = spec["content"], content.objectValue != nil else { throw RekorBody.error("intoto spec.content missing") }
            try Self.only(content, "spec.content", ["envelope", "hash", "payloadHash"])
            guard let envelope = content["envelope"], envelope.objectValue != nil else {
                throw RekorBody.error("intoto spec.content.envelope missing")
            }
            try Self.only(envelope, "envelope", ["payload", "payloadType", "signatures"])
            guard let type = envelope["payloadType"]?.stringValue else { throw RekorBody.error("intoto envelope.payloadType missing") }
            payloadType = type
            if let payloadJSON = envelope["payload"] {
                guard let text = payloadJSON.stringValue, let decoded = Self.doubleBase64(text) else {
                    throw RekorBody.error("intoto envelope.payload is not base64 of the envelope's base64 payload")
                }
                payload = decoded
            } else {
                payload = nil
            }
            guard let list = envelope["signatures"]?.arrayValue, !list.isEmpty else {
                throw RekorBody.error("intoto envelope.signatures missing or empty")
            }
            guard list.count <= RekorBody.maxSignatures else { throw RekorBody.error("intoto body has \(list.count) signatures") }
            var signatures: [Signature] = []
            for element in list {
                guard element.objectValue != nil else { throw RekorBody.error("intoto envelope.signatures[] is not an object") }
                try Self.only(element, "envelope.signatures[]", ["keyid", "sig", "publicKey"])
                guard let sigText = element["sig"]?.stringValue, let signature = Self.doubleBase64(sigText) else {
                    throw RekorBody.error("intoto signature sig missing or not base64 of the envelope's base64 signature")
                }
                guard let keyText = element["publicKey"]?.stringValue, let keyBytes = Encoding.base64(keyText) else {
                    throw RekorBody.error("intoto signature publicKey missing or not base64")
                }
                var keyID: String?
                if let value = element["keyid"] {
                    guard let text = value.stringValue else { throw RekorBody.error("intoto signature keyid is not a string") }
                    keyID = text
                }
                signatures.append(Signature(signature: signature, verifierPEM: String(decoding: keyBytes, as: UTF8.self), keyID: keyID))
            }
            self.signatures = signatures
            payloadHash = try Self.sha256(content["payloadHash"], "payloadHash")
            envelopeHash = try Self.sha256(content["hash"], "hash")
        }

        /// Whether `entry` records exactly the DSSE `content` signed by `signer`.
        ///
        /// Guarantees when `.verified`: `content` is a DSSE envelope; the recorded `payloadType`
        /// equals the envelope's; `payloadHash` equals SHA-256 of the envelope's payload bytes;
        /// a recorded `payload` is byte-equal to them; exactly one signature is recorded, byte-equal
        /// to the envelope's, and its verifier equals the signer (certificate DER or key). The
        /// envelope `hash` covers the client's own JSON serialisation of the envelope (keyid and
        /// member order included) and cannot be recomputed from the bundle; everything that
        /// serialisation signs (type, payload, signature, signer) is bound by the checks above.
        func check(content: SigstoreContent, signer: SigstoreSigner) -> LogCheckResult {
            guard case .dsse(let type, let bytes, let signature) = content else {
                return .fail(.bodyMismatch, "Rekor body: kind intoto does not record a message signature")
            }
            guard payloadType == type else {
                return .fail(
                    .bodyMismatch, "Rekor body: intoto payloadType \(payloadType.prefix(100)) is not the envelope's \(type.prefix(100))")
            }
            let digest = Encoding.hex(SHA256.hash(data: bytes))
            guard payloadHash == digest else {
                return .fail(
                    .bodyMismatch, "Rekor body: intoto payloadHash \(payloadHash) is not sha256 of the envelope's payload \(digest)")
            }
            if let payload, payload != bytes {
                return .fail(.bodyMismatch, "Rekor body: intoto payload differs from the envelope's payload")
            }
            guard signatures.count == 1, let recorded = signatures.first else {
                return .fail(.bodyMismatch, "Rekor body: \(signatures.count) intoto signatures recorded; exactly one is required")
            }
            guard recorded.signature == signature else {
                return .fail(.bodyMismatch, "Rekor body: recorded intoto signature differs from the envelope's signature")
            }
            return RekorBody.verifierCheck(recorded.verifierPEM, signer: signer)
        }

        /// Refuses any member of `json` outside `allowed`.
        private static func only(_ json: JSONValue, _ path: String, _ allowed: Set<String>) throws(AttestationError) {
            if let unknown = json.objectValue?.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw RekorBody.error("intoto \(path).\(unknown.prefix(64)): unknown field")
            }
        }

        /// `{"algorithm": "sha256", "value": <64 lowercase hex>}` → the hex.
        private static func sha256(_ json: JSONValue?, _ name: String) throws(AttestationError) -> String {
            guard let json, json.objectValue != nil else { throw RekorBody.error("intoto spec.content.\(name) missing") }
            try only(json, "spec.content.\(name)", ["algorithm", "value"])
            guard json["algorithm"]?.stringValue == "sha256" else {
                throw RekorBody.error("intoto spec.content.\(name).algorithm is not sha256")
            }
            guard let value = json["value"]?.stringValue.flatMap({ SHA256Hex($0) }) else {
                throw RekorBody.error("intoto spec.content.\(name).value is not 64 lowercase hex digits")
            }
            return value.text
        }

        /// base64 whose decoded bytes are themselves base64 text: the inner bytes.
        private static func doubleBase64(_ text: String) -> [UInt8]? {
            guard let outer = Encoding.base64(text), let inner = String(bytes: outer, encoding: .ascii) else { return nil }
            return Encoding.base64(inner)
        }
    }
}
