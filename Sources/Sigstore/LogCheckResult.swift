import PythonPackaging

/// The outcome of one transparency-log check (SET, inclusion proof, checkpoint, body consistency).
///
/// Tamper findings are values: `.failed` always carries a `LogCheckFailure` naming what was wrong.
public enum LogCheckResult: Verdict, Hashable {
    case verified
    case failed(LogCheckFailure)

    /// Whether the check passed.
    public var isVerified: Bool {
        if case .verified = self { return true }
        return false
    }

    /// The failure, when the check failed.
    public var failure: LogCheckFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }

    static func fail(_ reason: LogCheckFailure.Reason, _ message: String) -> LogCheckResult {
        .failed(LogCheckFailure(reason: reason, message: message))
    }
}

/// Why a transparency-log check failed: a machine-readable `reason` and a one-line `message`.
public struct LogCheckFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Reason: String, Sendable, Hashable {
        /// The entry's log id is not the id of the key it is checked against.
        case logIDMismatch
        /// No log of the trusted root has the entry's log id (or its key is unusable).
        case unknownLog
        /// The log key's validity window does not contain the entry's integrated time.
        case outsideKeyValidity
        /// The entry has no signed entry timestamp.
        case missingSignedEntryTimestamp
        /// The signed entry timestamp does not verify with the log key.
        case invalidSignedEntryTimestamp
        /// A value is outside what the check can represent (e.g. an index above 2^53).
        case unrepresentable
        /// The entry has no inclusion proof.
        case missingInclusionProof
        /// The proof's index/size/hash count do not fit together.
        case malformedInclusionProof
        /// The root computed from the leaf and audit path differs from the proof's root hash.
        case rootMismatch
        /// The proof carries no checkpoint.
        case missingCheckpoint
        /// The checkpoint is not a well-formed signed note.
        case malformedCheckpoint
        /// No checkpoint signature carries the log's key hint.
        case noCheckpointSignatureForKey
        /// The checkpoint signature with the log's key hint does not verify.
        case invalidCheckpointSignature
        /// The checkpoint's tree size differs from the proof's tree size.
        case checkpointSizeMismatch
        /// The checkpoint's root hash differs from the proof's root hash.
        case checkpointRootMismatch
        /// The checkpoint's origin does not name the expected log.
        case checkpointOriginMismatch
        /// The Rekor body cannot be read, or is of another kind than the entry says.
        case malformedBody
        /// The Rekor body does not describe the attestation it accompanies.
        case bodyMismatch
    }

    public let reason: Reason
    public let message: String

    public init(reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
