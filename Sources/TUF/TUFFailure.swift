/// Why a TUF update did not complete: a returned value, never thrown to the caller.
///
/// Guarantees: `message` is one line that starts with the role (`root`, `timestamp`, `snapshot`,
/// `targets` or the target's name) and says what was wrong (`"timestamp: version 1 is lower than
/// the trusted version 2 (rollback)"`). `code` tells verification findings (`isTamper`: the
/// repository served something the trusted metadata does not allow) from operational failures
/// (network, local cache I/O). After any failure the trusted metadata in the store is the one
/// from before the update, or a verified newer version of some roles; never anything unverified.
public struct TUFFailure: Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem this is.
    public enum Code: String, Sendable, Hashable {
        /// Fewer valid signatures than the role's threshold.
        case signature
        /// A version that goes backwards, skips, or differs from the one the parent role names.
        case version
        /// Metadata whose `expires` is not after `now` (freeze attack).
        case expired
        /// A length or hash that differs from the one the parent role names.
        case integrity
        /// A document larger than its bound, or a response that exceeded the bound.
        case tooLarge
        /// Metadata that cannot be read (syntax, schema, unknown type, unsupported spec version).
        case malformed
        /// A role removed from snapshot, too many root rotations, a target not listed.
        case policy
        /// A required file the repository does not have (404).
        case notFound
        /// The repository could not be reached or answered with an error.
        case network
        /// The local trusted metadata store could not be read or written.
        case store
    }

    public let code: Code
    /// The role (or target name) concerned.
    public let role: String
    /// One line naming the role and what was wrong.
    public let message: String

    public init(_ code: Code, role: String, _ reason: String) {
        self.code = code
        self.role = role
        self.message = "\(role): \(reason)".replacingOccurrences(of: "\n", with: " ")
    }

    /// Whether the repository served something that failed verification (an attack or a broken
    /// repository), as opposed to an operational failure.
    public var isTamper: Bool {
        switch code {
        case .network, .store, .notFound: false
        default: true
        }
    }

    public var description: String { message }
}

/// Internal carrier so the workflow can use `throw` for its early exits.
struct TUFRefused: Error {
    let failure: TUFFailure

    init(_ code: TUFFailure.Code, role: String, _ reason: String) {
        failure = TUFFailure(code, role: role, reason)
    }

    init(_ failure: TUFFailure) {
        self.failure = failure
    }
}
