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

/// The verdict on one transparency entry of an attestation.
///
/// Guarantees: `checks` holds, in this order, `body` (the Rekor body records this attestation),
/// `signedEntryTimestamp`, `inclusionProof` and `checkpoint`, each run whatever the others gave;
/// `isVerified` is true only when every one of them is `.verified`; `integratedTime` is set only
/// when the SET verified (it is then an authenticated time for the certificate validity check).
public struct LogEntryVerdict: Sendable, Hashable {
    public let checks: [LogCheck]
    public let integratedTime: Date?

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

    /// Verifies `entry` of `attestation` with the log key `logKey` (id `logKeyID`, valid from
    /// `validFrom` to `validUntil`) of the log whose checkpoints name `logHostname`.
    public static func verify(_ entry: TransparencyLogEntry, of attestation: Attestation, logKey: PublicKey,
                              logKeyID: [UInt8], validFrom: Date, validUntil: Date?, logHostname: String) -> LogEntryVerdict {
        let set = SignedEntryTimestamp.verify(entry, logKey: logKey, logKeyID: logKeyID, validFrom: validFrom, validUntil: validUntil)
        let checks = [
            LogCheck(name: bodyCheck, result: RekorBody.checkConsistency(of: entry, with: attestation)),
            LogCheck(name: signedEntryTimestampCheck, result: set),
            LogCheck(name: inclusionProofCheck, result: MerkleInclusion.verify(entry)),
            LogCheck(name: checkpointCheck, result: Checkpoint.verify(entry, logKey: logKey, logKeyID: logKeyID, logHostname: logHostname)),
        ]
        let time = set.isVerified ? Date(timeIntervalSince1970: TimeInterval(entry.integratedTime)) : nil
        return LogEntryVerdict(checks: checks, integratedTime: time)
    }

    /// Verifies `entry` with the log of `logs` whose key id is the entry's log id; its base URL's
    /// host is the expected checkpoint origin. No such log (or an unusable key) fails every
    /// log-key check with `unknownLog`; the body check still runs.
    public static func verify(_ entry: TransparencyLogEntry, of attestation: Attestation,
                              logs: [TransparencyLogInstance]) -> LogEntryVerdict {
        guard let log = logs.first(where: { $0.keyID == entry.logID }), let key = log.publicKey,
              let host = URL(string: log.baseURL)?.host, !host.isEmpty else {
            let unknown = LogCheckResult.fail(.unknownLog, "no usable log in the trusted root has id \(Encoding.hex(entry.logID))")
            return LogEntryVerdict(checks: [
                LogCheck(name: bodyCheck, result: RekorBody.checkConsistency(of: entry, with: attestation)),
                LogCheck(name: signedEntryTimestampCheck, result: unknown),
                LogCheck(name: inclusionProofCheck, result: MerkleInclusion.verify(entry)),
                LogCheck(name: checkpointCheck, result: unknown),
            ], integratedTime: nil)
        }
        return verify(entry, of: attestation, logKey: key, logKeyID: log.keyID, validFrom: log.validFor.start,
                      validUntil: log.validFor.end, logHostname: host)
    }
}
