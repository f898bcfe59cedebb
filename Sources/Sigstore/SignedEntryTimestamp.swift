import Attestations
import Foundation

/// Verification of a Rekor v1 signed entry timestamp (the inclusion promise).
///
/// Guarantees when `verify` returns `.verified`: the entry's log id equals `logKeyID`; the log key's
/// validity window (`validFrom ≤ t ≤ validUntil`, inclusive, open-ended when `validUntil` is nil)
/// contains the entry's `integratedTime` `t`; and the SET is a valid signature by `logKey` over the
/// RFC 8785 canonical JSON of `{"body": <canonicalizedBody as received>, "integratedTime": t,
/// "logID": <lowercase hex of logId.keyId>, "logIndex": <the entry's global logIndex>}`.
public enum SignedEntryTimestamp {
    /// The exact bytes the SET signs, for `entry`.
    public static func payload(for entry: TransparencyLogEntry) throws(AttestationError) -> [UInt8] {
        let limit: Int64 = 1 << 53
        guard entry.integratedTime <= limit, entry.logIndex <= limit else {
            throw AttestationError(.malformedLogEntry, "transparency entry: integratedTime or logIndex exceeds 2^53")
        }
        let object: JSONValue = .object([
            "body": .string(entry.canonicalizedBodyBase64),
            "integratedTime": .number(Double(entry.integratedTime)),
            "logID": .string(Encoding.hex(entry.logID)),
            "logIndex": .number(Double(entry.logIndex)),
        ])
        return try CanonicalJSON.serialize(object)
    }

    /// Checks the SET of `entry` with the log key `logKey` whose id is `logKeyID` and whose
    /// validity window is `validFrom`…`validUntil`.
    public static func verify(
        _ entry: TransparencyLogEntry, logKey: PublicKey, logKeyID: [UInt8],
        validFrom: Date, validUntil: Date?
    ) -> LogCheckResult {
        guard entry.logID == logKeyID else {
            return .fail(.logIDMismatch, "SET: entry log id \(Encoding.hex(entry.logID)) is not the key's id \(Encoding.hex(logKeyID))")
        }
        let time = Date(timeIntervalSince1970: TimeInterval(entry.integratedTime))
        guard time >= validFrom, validUntil.map({ time <= $0 }) ?? true else {
            return .fail(.outsideKeyValidity, "SET: integratedTime \(entry.integratedTime) is outside the log key's validity window")
        }
        guard let signature = entry.signedEntryTimestamp else {
            return .fail(.missingSignedEntryTimestamp, "SET: the entry has no inclusion promise")
        }
        let message: [UInt8]
        do {
            message = try payload(for: entry)
        } catch {
            return .fail(.unrepresentable, "SET: \(error.message)")
        }
        guard logKey.isValidSignature(signature, for: message, rsaPadding: .pkcs1v15) else {
            return .fail(.invalidSignedEntryTimestamp, "SET: signature does not verify with the log key over the canonical entry")
        }
        return .verified
    }
}
