import Attestations
import Verification

/// The `lock-identity` check: the signer of the decisive attestation against the package's
/// `attestation-identities` in the lock.
///
/// Guarantees: passes only when a verified signer is given and ``LockedIdentity/matches(_:)`` one
/// of the lock's identities; fails naming the lock's identities (was) and the signer (now) when it
/// matches none (an empty list matches nothing); `skip` when nothing verified (the package has
/// already failed in the provenance checks, so the skip never hides a failure).
enum LockIdentityCheck {
    static func check(identities: [LockedIdentity], signer: SignerIdentity?) -> CheckResult {
        guard let signer else {
            return CheckResult(.lockIdentity, .skip, "no verified signer to compare with the lock's attestation-identities")
        }
        let pinned = PinnedIdentity(signer)
        let named = identities.isEmpty ? "none" : identities.map(\.summary).joined(separator: "; ")
        if let match = identities.first(where: { $0.matches(pinned) }) {
            return CheckResult(.lockIdentity, .pass, "signed by \(pinned.summary), the lock's \(match.summary)")
        }
        return CheckResult(.lockIdentity, .fail, "identity changed: the lock names \(named), now signed by \(pinned.summary)")
    }
}
