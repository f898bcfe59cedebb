import PythonPackaging
import Verification

/// Whether `install` may build the sdists it was given: building an sdist runs its own code (its
/// build backend, its `setup.py`), so it happens only for an sdist whose provenance verified and
/// only when the caller allowed building.
///
/// Guarantees: every report whose file is an sdist gets one `sdist-build` check: `skip` when the
/// package did not verify (it is never built: the report has failed already), `pass` when it
/// verified and building is allowed, `fail` when it verified and building is not allowed (so the
/// package, and with it the install, fails: nothing is installed). Wheels get no such check. The
/// messages name no command-line option: ``refused(_:)`` lets a caller say how to allow it.
public enum SdistBuildGate {
    /// Adds the `sdist-build` check to each sdist's report.
    public static func apply(to reports: inout [PackageReport], allowBuild: Bool) {
        for index in reports.indices {
            guard let filename = reports[index].wheel, isSdist(filename) else { continue }
            let verified = reports[index].status == .verified
            let check: CheckResult
            if !verified {
                check = CheckResult(.sdistBuild, .skip, "\(filename) is not built: its provenance did not verify")
            } else if allowBuild {
                check = CheckResult(
                    .sdistBuild, .pass,
                    "\(filename) verified; it is built from the verified copy with no index and no build isolation "
                        + "(its build backend must already be installed in the environment)")
            } else {
                check = CheckResult(
                    .sdistBuild, .fail,
                    "\(filename) is an sdist: building it runs its own code, and building sdists was not allowed for this install")
            }
            reports[index].checks.append(check)
        }
    }

    /// The packages refused only because building was not allowed (for the caller's hint).
    public static func refused(_ reports: [PackageReport]) -> [String] {
        reports.filter { $0.checks.contains { $0.name == .sdistBuild && $0.status == .fail } }.map(\.name)
    }

    /// An sdist's file name (not a wheel's, and one ``SdistFilename`` parses).
    public static func isSdist(_ filename: String) -> Bool {
        (try? WheelFilename(parsing: filename)) == nil && (try? SdistFilename(parsing: filename)) != nil
    }
}
