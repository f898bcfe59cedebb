import Attestations
import Foundation

/// One named transparency-log check and its result (every check is always reported).
public struct LogCheck: Sendable, Hashable {
    public let name: String
    public let result: LogCheckResult

    public init(name: String, result: LogCheckResult) {
        self.name = name
        self.result = result
    }
}

/// Which transparency evidence an entry must carry.
///
/// Guarantees: a required item that is missing fails its check; an item that is present is
/// always verified, required or not.
public struct LogRequirements: Sendable, Hashable {
    /// A signed entry timestamp (inclusion promise). Never required of Rekor v2 entries, which
    /// have none.
    public var signedEntryTimestamp: Bool
    /// An inclusion proof with its checkpoint.
    public var inclusionProof: Bool

    public init(signedEntryTimestamp: Bool, inclusionProof: Bool) {
        self.signedEntryTimestamp = signedEntryTimestamp
        self.inclusionProof = inclusionProof
    }

    /// PEP 740: SET, proof and checkpoint for Rekor v1; proof and checkpoint for Rekor v2.
    public static let all = LogRequirements(signedEntryTimestamp: true, inclusionProof: true)
}

/// The verdict on one transparency entry.
///
/// Guarantees: `checks` holds `body` (the Rekor body records this content and signer), then
/// `signedEntryTimestamp` (for a Rekor v1 entry that carries one or must; for a Rekor v2 entry
/// checked against another key's id, a failed `logID`), then
/// `inclusionProof` (when the entry carries a proof or must) and `checkpoint` (when the proof
/// must be there or carries one; a Rekor v2 entry always needs both), each run whatever
/// the others gave; `isVerified` is true only when every one of them is `.verified`;
/// `integratedTime` is set only when the SET verified (it is then an authenticated time for the
/// certificate validity check); `logKeyValidity` is the validity window of the log key used.
public struct LogEntryVerdict: Sendable, Hashable {
    public let checks: [LogCheck]
    public let integratedTime: Date?
    public let logKeyValidity: ValidityWindow?

    public init(checks: [LogCheck], integratedTime: Date?, logKeyValidity: ValidityWindow? = nil) {
        self.checks = checks
        self.integratedTime = integratedTime
        self.logKeyValidity = logKeyValidity
    }

    public var isVerified: Bool { !checks.isEmpty && checks.allSatisfy { $0.result.isVerified } }

    /// The failed checks.
    public var failures: [LogCheck] { checks.filter { !$0.result.isVerified } }
}

/// Runs every transparency-log check of one entry against one log key.
public enum TransparencyLogVerifier {
    public static let bodyCheck = "body"
    public static let signedEntryTimestampCheck = "signedEntryTimestamp"
    public static let inclusionProofCheck = "inclusionProof"
    public static let checkpointCheck = "checkpoint"
    /// Rekor v2 only (it has no SET, whose check covers the log id for v1).
    public static let logIDCheck = "logID"

    /// Whether `entry` is a Rekor v2 entry (`dsse` or `hashedrekord` 0.0.2: no SET, no integrated
    /// time). `intoto` 0.0.2 is a Rekor v1 kind (the number is that kind's own schema version).
    public static func isRekorV2(_ entry: TransparencyLogEntry) -> Bool {
        entry.version == "0.0.2" && (entry.kind == "dsse" || entry.kind == "hashedrekord")
    }

    /// Verifies `entry` of `attestation` with the log key `logKey` (id `logKeyID`, valid from
    /// `validFrom` to `validUntil`) of the log whose checkpoints name `logHostname`.
    public static func verify(
        _ entry: TransparencyLogEntry, of attestation: Attestation, logKey: PublicKey,
        logKeyID: [UInt8], validFrom: Date, validUntil: Date?, logHostname: String
    ) -> LogEntryVerdict {
        let body = RekorBody.checkConsistency(of: entry, with: attestation)
        return verify(
            entry, body: body, logKey: logKey, logKeyID: logKeyID, validFrom: validFrom, validUntil: validUntil,
            logHostname: logHostname, requirements: .all)
    }

    /// `logPort`: the explicit port of the log's base URL, if any (an origin may then name
    /// `<hostname>:<port>`, as a log served on a port does).
    static func verify(
        _ entry: TransparencyLogEntry, body: LogCheckResult, logKey: PublicKey, logKeyID: [UInt8],
        validFrom: Date, validUntil: Date?, logHostname: String, logPort: Int? = nil,
        requirements: LogRequirements
    ) -> LogEntryVerdict {
        var checks = [LogCheck(name: bodyCheck, result: body)]
        var time: Date?
        if !isRekorV2(entry) && (requirements.signedEntryTimestamp || entry.signedEntryTimestamp != nil) {
            let set = SignedEntryTimestamp.verify(entry, logKey: logKey, logKeyID: logKeyID, validFrom: validFrom, validUntil: validUntil)
            checks.append(LogCheck(name: signedEntryTimestampCheck, result: set))
            if set.isVerified { time = Date(timeIntervalSince1970: TimeInterval(entry.integratedTime)) }
        } else if isRekorV2(entry) && entry.logID != logKeyID {
            checks.append(
                LogCheck(
                    name: logIDCheck,
                    result: .fail(.logIDMismatch, "entry log id \(Encoding.hex(entry.logID)) is not the key's id \(Encoding.hex(logKeyID))")
                ))
        }
        if isRekorV2(entry) && (entry.integratedTime != 0 || entry.signedEntryTimestamp != nil) {
            // Rekor v2 signs no entry timestamp: a time or SET here is unauthenticated, so refuse it.
            checks.append(
                LogCheck(
                    name: signedEntryTimestampCheck,
                    result: .fail(
                        .unrepresentable,
                        "a Rekor v2 entry carries an integrated time or SET that v2 logs never sign")))
        }
        if requirements.inclusionProof || isRekorV2(entry) || entry.inclusionProof != nil {
            checks.append(LogCheck(name: inclusionProofCheck, result: MerkleInclusion.verify(entry)))
            if requirements.inclusionProof || isRekorV2(entry) || entry.inclusionProof?.checkpoint != nil {
                checks.append(
                    LogCheck(
                        name: checkpointCheck,
                        result: Checkpoint.verify(
                            entry, logKey: logKey, logKeyID: logKeyID, logHostname: logHostname,
                            logPort: logPort)))
            }
        }
        return LogEntryVerdict(
            checks: checks, integratedTime: time,
            logKeyValidity: ValidityWindow(start: validFrom, end: validUntil))
    }

    /// Verifies `entry` with the log of `logs` whose key id is the entry's log id; its base URL's
    /// host is the expected checkpoint origin. No such log (or an unusable key) fails every
    /// log-key check with `unknownLog`; the body check still runs.
    public static func verify(
        _ entry: TransparencyLogEntry, of attestation: Attestation,
        logs: [TransparencyLogInstance]
    ) -> LogEntryVerdict {
        let body = RekorBody.checkConsistency(of: entry, with: attestation)
        return verify(entry, body: body, logs: logs, requirements: .all)
    }

    /// Verifies `entry` as the log record of `content` signed by `signer`, with the evidence
    /// `requirements` asks for, against the log of `logs` whose key id is the entry's log id.
    public static func verify(
        _ entry: TransparencyLogEntry, content: SigstoreContent, signer: SigstoreSigner,
        logs: [TransparencyLogInstance], requirements: LogRequirements
    ) -> LogEntryVerdict {
        let body = RekorBody.checkConsistency(of: entry, content: content, signer: signer)
        return verify(entry, body: body, logs: logs, requirements: requirements)
    }

    private static func verify(
        _ entry: TransparencyLogEntry, body: LogCheckResult, logs: [TransparencyLogInstance],
        requirements: LogRequirements
    ) -> LogEntryVerdict {
        guard let log = logs.first(where: { $0.keyID == entry.logID }), let key = log.publicKey,
            let url = URL(string: log.baseURL), let host = url.host, !host.isEmpty
        else {
            let unknown = LogCheckResult.fail(.unknownLog, "no usable log in the trusted root has id \(Encoding.hex(entry.logID))")
            var checks = [LogCheck(name: bodyCheck, result: body)]
            if !isRekorV2(entry) { checks.append(LogCheck(name: signedEntryTimestampCheck, result: unknown)) }
            checks.append(LogCheck(name: inclusionProofCheck, result: MerkleInclusion.verify(entry)))
            checks.append(LogCheck(name: checkpointCheck, result: unknown))
            return LogEntryVerdict(checks: checks, integratedTime: nil)
        }
        return verify(
            entry, body: body, logKey: key, logKeyID: log.keyID, validFrom: log.validFor.start,
            validUntil: log.validFor.end, logHostname: host, logPort: url.port, requirements: requirements)
    }
}
