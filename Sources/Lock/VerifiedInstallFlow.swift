import Foundation
import PythonPackaging
import Verification

/// `install` as one flow: verify every file first (a lock's, or what a requirements file
/// resolves to), gate sdists (``SdistBuildGate``), stage and install exactly the verified copies
/// (``VerifiedInstall``), then verify the installed packages (``EnvironmentVerifier``).
///
/// Guarantees: nothing is installed unless every package verified (one failure, or an sdist
/// whose building was not allowed, returns ``Outcome/notInstalled(_:)`` with the pre-install
/// report); the installer is given only staged copies whose sha256 equals what verified; the
/// download folder of a requirements file and the staging folder are removed whatever happens;
/// after installing, each package installed from a wheel is verified again as installed (its
/// installed files against the verified RECORD), and a package built from an sdist is reported
/// by its sdist's verification (no signed wheel exists to check its installed files against).
public struct VerifiedInstallFlow: Sendable {
    /// What is to be installed.
    public enum Source: Sendable, Equatable {
        /// A PEP 751 lock and the entries chosen of it.
        case lock(String, LockSelection.Request)
        /// A requirements file, resolved by the environment's own pip (wheels only).
        case requirements(String)

        /// A `*.toml` file is a lock; anything else a requirements file.
        public static func file(_ path: String, selection: LockSelection.Request) -> Source {
            path.hasSuffix(".toml") ? .lock(path, selection) : .requirements(path)
        }
    }

    /// How an install ended (operational failures are thrown).
    public enum Outcome: Sendable {
        /// Nothing was installed: not every package verified. The pre-install report (with
        /// `sdist-build` checks); ``SdistBuildGate/refused(_:)`` names sdists refused only
        /// because building was not allowed.
        case notInstalled(Report)
        /// Installed; the report of the installed packages.
        case installed(Report)

        public var report: Report {
            switch self {
            case .notInstalled(let report), .installed(let report): report
            }
        }
    }

    /// Where the flow is, for a progress display.
    public enum Progress: Sendable {
        /// A file of the pre-install verification finished.
        case file(FileProgress)
        /// An installed package's verification finished: (finished, total, name).
        case installedPackage(done: Int, total: Int, name: String)
        /// A phase ended (the display clears its line).
        case phaseEnded
    }

    public var setup: VerificationSetup
    public var installer: VerifiedInstall.Installer = .pip
    /// Build (and install) sdists whose provenance verified.
    public var allowSdistBuild = false
    /// Packages worked on at once.
    public var jobs: Int = 4
    public var progress: (@Sendable (Progress) -> Void)?

    public init(setup: VerificationSetup) {
        self.setup = setup
    }

    public func run(_ source: Source) async throws(LockError) -> Outcome {
        var verification = PreInstallVerification(setup: setup)
        verification.jobs = jobs
        let progress = self.progress
        if let progress { verification.progress = { @Sendable file in progress(.file(file)) } }
        var report: Report
        var downloaded: String?
        do {
            switch source {
            case .lock(let file, let selection):
                report = try await verification.lock(file, selection: selection).report
            case .requirements(let file):
                (report, downloaded) = try await verification.requirements(file)
            }
        } catch {
            progress?(.phaseEnded)
            throw error
        }
        progress?(.phaseEnded)
        defer { if let downloaded { VerifiedInstall.remove(downloaded) } }
        SdistBuildGate.apply(to: &report.packages, allowBuild: allowSdistBuild)
        guard report.exitCode == 0 else { return .notInstalled(report) }

        let setup = self.setup
        var verifier = try await PreInstallVerification.verifying { () async throws(VerificationError) in
            try await setup.environmentVerifier()
        }
        let cache = verifier.pipeline.context.cache
        let (folder, files) = try VerifiedInstall.stage(report.packages, buildSdists: allowSdistBuild) { package in
            // Where the file verified: the download folder of a requirements file, else the cache.
            if let downloaded, let name = package.wheel { return (downloaded as NSString).appendingPathComponent(name) }
            return VerifiedInstall.cachedCopy(of: package, in: cache)
        }
        defer { VerifiedInstall.remove(folder) }
        try await VerifiedInstall.install(
            files, python: verifier.environment.executable, installer: installer, environment: setup.environment,
            buildSdists: allowSdistBuild)

        let built = report.packages.filter { $0.wheel.map(SdistBuildGate.isSdist) ?? false }
        let names = report.packages.filter { !($0.wheel.map(SdistBuildGate.isSdist) ?? false) }.map(\.name)
        var installed = Report(python: report.python, index: report.index, packages: [])
        if !names.isEmpty {
            if let progress {
                verifier.progress = { @Sendable done, total, name in progress(.installedPackage(done: done, total: total, name: name)) }
            }
            let request = VerifyRequest(packages: names, jobs: jobs)
            do {
                installed = try await verifier.run(request)
            } catch {
                progress?(.phaseEnded)
                throw LockError(verification: error)
            }
            progress?(.phaseEnded)
        }
        installed.packages += built
        return .installed(installed)
    }
}
