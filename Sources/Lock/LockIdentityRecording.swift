import PythonPackaging
import Verification

/// What `lock-identities` writes: for each lock entry that verified and names no
/// `attestation-identities` yet, the identity of its decisive signer.
///
/// Guarantees: only a package whose report is `verified` and carries a signer is recorded, with
/// ``PinnedIdentity``'s fields (what identifies the signer from one release to the next, never the
/// certificate's per-release values); reports are matched to entries by normalised name and
/// version (and file), so an entry is never given another's identity; entries that already have
/// identities are left out.
public enum LockIdentityRecording {
    /// Writes `lock`, with the additions for `reports`, to `destination` (atomically: the old
    /// file stays whole if writing fails); returns how many packages were given identities. The
    /// rest of the file is kept byte for byte (``IdentityRewrite``).
    public static func record(_ lock: PylockFile, reports: [PackageReport], to destination: String) throws(LockError) -> Int {
        let additions = additions(lock: lock, reports: reports)
        let text = try IdentityRewrite.rewrite(lock, adding: additions)
        do {
            try AtomicFile.write(Array(text.utf8), to: destination, creatingDirectory: false)
        } catch {
            throw LockError(.operational, "cannot write \(destination): \(error.message)")
        }
        return additions.count
    }

    public static func additions(lock: PylockFile, reports: [PackageReport]) -> [Int: [LockedIdentity]] {
        var additions: [Int: [LockedIdentity]] = [:]
        for package in lock.packages where package.identities == nil {
            let matching = reports.filter { report in
                ProjectNameCheck.same(report.name, package.name.raw)
                    && (package.version == nil || package.version?.description == report.version)
                    && fileBelongs(report.wheel, to: package)
            }
            guard matching.count == 1, let report = matching.first, report.status == .verified, let signer = report.signer else {
                continue
            }
            additions[package.position] = [LockedIdentity(PinnedIdentity(signer))]
        }
        return additions
    }

    static func fileBelongs(_ filename: String?, to package: LockedPackage) -> Bool {
        guard let filename, case .files(let wheels, let sdist) = package.source else { return false }
        return wheels.contains { $0.filename == filename } || sdist?.filename == filename
    }
}

enum ProjectNameCheck {
    static func same(_ a: String, _ b: String) -> Bool {
        ProjectName.normalize(a) == ProjectName.normalize(b)
    }
}
