import Attestations
import Foundation

/// One signed TUF metadata document: `{"signed": {...}, "signatures": [{"keyid", "sig"}]}`.
///
/// Guarantees after `parse`: the document is strict JSON (`TUFJSON`: no duplicate names, integers
/// only), `signed` is an object whose `_type` equals the expected role type, `spec_version` has
/// major version 1, `version` is an integer ≥ 1, `expires` is an RFC 3339 time;
/// `canonicalSigned` are the OLPC canonical bytes of `signed` (what the signatures cover). At most
/// `maxSignatures` signatures are read; a signature whose `sig` is not hex is kept as empty bytes
/// (it never verifies).
public struct TUFEnvelope: Sendable {
    /// One entry of `signatures`.
    public struct Signature: Sendable, Hashable {
        public let keyID: String
        public let bytes: [UInt8]
    }

    public static let maxSignatures = 256

    public let type: String
    public let signed: JSONValue
    public let canonicalSigned: [UInt8]
    public let signatures: [Signature]
    public let version: Int
    public let expires: Date
    public let specVersion: String

    /// Reads `bytes` as metadata of `type` (`root`, `timestamp`, `snapshot`, `targets`); `role`
    /// names the document in failures.
    static func parse(_ bytes: [UInt8], type: String, role: String) throws(TUFRefused) -> TUFEnvelope {
        let json: JSONValue
        do {
            json = try TUFJSON.parse(bytes)
        } catch {
            throw TUFRefused(.malformed, role: role, "not valid metadata JSON: \(error.reason)")
        }
        guard case .object(let top) = json, let signed = top["signed"], case .object = signed,
            let signatureList = top["signatures"]?.arrayValue
        else {
            throw TUFRefused(.malformed, role: role, "metadata lacks a \"signed\" object or a \"signatures\" list")
        }
        guard signatureList.count <= maxSignatures else {
            throw TUFRefused(.tooLarge, role: role, "more than \(maxSignatures) signatures")
        }
        var signatures: [Signature] = []
        for entry in signatureList {
            guard let keyID = entry["keyid"]?.stringValue, let sig = entry["sig"]?.stringValue else {
                throw TUFRefused(.malformed, role: role, "a signature lacks \"keyid\" or \"sig\"")
            }
            signatures.append(Signature(keyID: keyID, bytes: TUFHex.decode(sig) ?? []))
        }
        guard signed["_type"]?.stringValue == type else {
            let found = signed["_type"]?.stringValue.map { "\"\($0.prefix(40))\"" } ?? "none"
            throw TUFRefused(.malformed, role: role, "_type is \(found), expected \"\(type)\"")
        }
        guard let specVersion = signed["spec_version"]?.stringValue else {
            throw TUFRefused(.malformed, role: role, "spec_version is missing")
        }
        guard specVersion.split(separator: ".", omittingEmptySubsequences: false).first == "1" else {
            throw TUFRefused(.malformed, role: role, "unsupported spec_version \(specVersion.prefix(20)) (1.x is supported)")
        }
        guard let version = signed["version"].flatMap(TUFFields.integer), version >= 1 else {
            throw TUFRefused(.malformed, role: role, "version is missing or not a positive integer")
        }
        guard let expiresText = signed["expires"]?.stringValue, let expires = RFC3339.parse(expiresText) else {
            throw TUFRefused(.malformed, role: role, "expires is missing or not an RFC 3339 time")
        }
        guard let canonical = TUFCanonicalJSON.serialize(signed) else {
            throw TUFRefused(.malformed, role: role, "signed part has no canonical form")
        }
        return TUFEnvelope(
            type: type, signed: signed, canonicalSigned: canonical, signatures: signatures,
            version: version, expires: expires, specVersion: specVersion)
    }

    /// How many distinct keys of `keyIDs` (looked up in `keys`) signed `canonicalSigned`. A key id
    /// that appears in several signatures counts once; signatures by key ids outside `keyIDs`
    /// are ignored, as are keys that `keys` does not hold (unusable or unknown).
    func validSignatureCount(keyIDs: [String], keys: [String: TUFKey]) -> Int {
        let authorised = Set(keyIDs)
        var counted: Set<String> = []
        for signature in signatures where authorised.contains(signature.keyID) && !counted.contains(signature.keyID) {
            guard let key = keys[signature.keyID], !signature.bytes.isEmpty else { continue }
            if key.isValidSignature(signature.bytes, for: canonicalSigned) {
                counted.insert(signature.keyID)
            }
        }
        return counted.count
    }
}

/// Field readers shared by the metadata models.
enum TUFFields {
    static func integer(_ value: JSONValue) -> Int? {
        guard case .number(let number) = value, let integer = TUFJSON.exactInteger(number) else { return nil }
        return Int(exactly: integer)
    }

    static let hashAlgorithms: Set<String> = ["sha256", "sha384", "sha512"]

    /// `{"sha256": "<hex>", ...}`: every algorithm must be one we can check, every value hex.
    static func hashes(_ value: JSONValue?, role: String, what: String) throws(TUFRefused) -> [String: [UInt8]] {
        guard let members = value?.objectValue, !members.isEmpty else {
            throw TUFRefused(.malformed, role: role, "\(what) hashes are missing or empty")
        }
        var out: [String: [UInt8]] = [:]
        for (algorithm, digest) in members {
            guard hashAlgorithms.contains(algorithm) else {
                throw TUFRefused(.malformed, role: role, "\(what) lists unsupported hash algorithm \(algorithm.prefix(20))")
            }
            guard let hex = digest.stringValue, let bytes = TUFHex.decode(hex), !bytes.isEmpty else {
                throw TUFRefused(.malformed, role: role, "\(what) \(algorithm) hash is not hex")
            }
            out[algorithm] = bytes
        }
        return out
    }
}
