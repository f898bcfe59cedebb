import PythonPackaging

/// The `identity-pin` check (step 4): whether the signer that verified a package now is the one
/// its pin remembers.
///
/// Guarantees, for a package with a pin: `pass` only when an attestation of the wheel verified
/// (``PackageReport/signer`` is set only then) and its signer is the pinned one
/// (``PinnedIdentity/sameSigner(as:)``); `fail` with `identity changed: was <pin>, now <signer>`
/// when another trusted signer verified it; `fail` with `downgrade: …` when no attestation verified
/// now (the index publishes none, none verifies, the wheel is no longer found) or when no
/// attestation was examined at all; `error` only when none verified, none of steps 1 to 4 failed
/// and one of them could not be checked (the comparison could not be made: "could not check",
/// never a pass). A package without a pin gets `skip` (nothing to compare with; a skip never makes
/// a package verified). A check quoting another carries that one's remedy. Pins of projects that
/// are not installed are not looked at.
public enum IdentityPinCheck {
    /// The check for one package's report.
    public static func check(_ report: PackageReport, pin: PinsFile.Pin?) -> CheckResult {
        let name = ProjectName(report.name).normalized
        guard let pin else {
            return CheckResult(.identityPin, .skip, "no pin for \(name) in the pins file")
        }
        let pinned = pin.identity.summary
        if let signer = report.signer {
            let now = PinnedIdentity(signer)
            if pin.identity.sameSigner(as: now) {
                return CheckResult(.identityPin, .pass, "signed by \(now.summary), as pinned on \(pin.recorded)")
            }
            return CheckResult(.identityPin, .fail, "identity changed: was \(pinned), now \(now.summary)")
        }
        let earlier = report.checks.filter { $0.name.step <= 4 }
        if let failed = earlier.first(where: { $0.status == .fail }) {
            return CheckResult(
                .identityPin, .fail,
                "downgrade: pinned to \(pinned), but no attestation verifies now (\(failed.name): \(excerpt(failed.detail)))",
                remedy: failed.remedy)
        }
        if let unchecked = earlier.first(where: { $0.status == .error }) {
            return CheckResult(
                .identityPin, .error,
                "cannot compare with the pin \(pinned): \(unchecked.name) could not be checked (\(excerpt(unchecked.detail)))",
                remedy: unchecked.remedy)
        }
        return CheckResult(.identityPin, .fail, "downgrade: pinned to \(pinned), but no attestation was verified now")
    }

    /// Adds the check to each report, after its steps 1 to 4 (before the first check of step 5).
    public static func apply(_ pins: PinsFile, to reports: inout [PackageReport]) {
        for index in reports.indices {
            let result = check(reports[index], pin: pins[ProjectName(reports[index].name)])
            let position = reports[index].checks.firstIndex { $0.name.step > CheckName.identityPin.step } ?? reports[index].checks.endIndex
            reports[index].checks.insert(result, at: position)
        }
    }

    /// A check's detail shortened for quoting inside another's.
    private static func excerpt(_ detail: String) -> String {
        detail.count > 200 ? String(detail.prefix(200)) + "…" : detail
    }
}
