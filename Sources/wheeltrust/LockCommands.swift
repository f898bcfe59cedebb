import ArgumentParser
import Foundation
import Lock
import PackageIndex
import PythonPackaging
import Verification

/// Runs a lock-file flow, turning its errors into the right exit code (a verification setup
/// problem worded with the option behind it, as every verifying command words it).
func prepareLock<T>(_ body: () throws(LockError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw lockFailure(error)
    }
}

/// The same for a flow that awaits (one that runs pip or the installer).
func prepareLock<T>(_ body: () async throws(LockError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw lockFailure(error)
    }
}

func lockFailure(_ error: LockError) -> ExitCode {
    if let cause = error.verificationProblem {
        return fail("\(FlagNames.message(cause))", code: cause.code == .usage ? Exit.usage : Exit.incomplete)
    }
    return fail("\(error.message)", code: error.code == .operational ? Exit.incomplete : Exit.usage)
}

/// Which of a lock's entries apply beyond its defaults: PEP 751 extras and dependency groups.
struct LockSelectionOptions: ParsableArguments {
    @Option(
        name: .customLong("extra"),
        help: ArgumentHelp("Include the lock's entries for this extra (repeatable; one of its `extras`).", valueName: "NAME"))
    var extras: [String] = []

    @Option(
        name: .customLong("group"),
        help: ArgumentHelp(
            "Include the lock's entries for this dependency group too (repeatable; one of its `dependency-groups`).", valueName: "NAME"))
    var groups: [String] = []

    @Flag(name: .long, help: "Leave out the lock's `default-groups` (included unless this is given).")
    var noDefaultGroups = false

    var request: LockSelection.Request {
        LockSelection.Request(extras: extras, groups: groups, defaultGroups: !noDefaultGroups)
    }

    var isDefault: Bool { request == LockSelection.Request() }
}

extension VerifyingOptions {
    /// Runs the library's pre-install verification under these options with a progress line,
    /// cleared however it ends.
    func preInstall<T>(
        jobs: Int, wheelContents: Bool = false, _ body: (PreInstallVerification) async throws(LockError) -> T
    ) async throws -> T {
        var verification = PreInstallVerification(setup: setup)
        verification.jobs = jobs
        verification.checkWheelContents = wheelContents
        let line = ProgressLine.make(format: output.format, quiet: output.quiet)
        defer { line?.finish() }
        if let line { verification.progress = { line.update($0) } }
        return try await prepareLock { () async throws(LockError) in try await body(verification) }
    }
}

/// `wheeltrust verify-lock pylock.toml`: every file the lock would install, verified first.
struct VerifyLockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-lock",
        abstract: "Verify every file a PEP 751 lock (pylock.toml) would install on this interpreter, before installing anything.",
        discussion: """
            For each package whose marker applies, the file an installer would take (the best wheel for the \
            interpreter's tags, else the sdist) is located on its index (the entry's index, else --index-url, \
            else pip's configuration), its hashes checked against the lock and the index (check lock-hash), its \
            provenance verified, and the entry's attestation-identities enforced (check lock-identity).
            """)

    @Argument(help: "The lock file (pylock.toml).") var lockFile: String
    @Option(name: .long, help: "Packages worked on at once.") var jobs: Int = 4
    @Flag(
        name: .long,
        help: "Also read every wheel's members against its RECORD (wheel-contents; off: the verified sha256 fixes the bytes).")
    var checkWheelContents = false
    @OptionGroup var selection: LockSelectionOptions
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let (lockFile, selection) = (lockFile, selection.request)
        let report = try await options.preInstall(jobs: jobs, wheelContents: checkWheelContents) { verification throws(LockError) in
            try await verification.lock(lockFile, selection: selection).report
        }
        try options.output.finish(report, stepTitles: TextReport.fileSteps)
    }
}

/// `wheeltrust lock-identities pylock.toml`: records who signed each package in the lock.
struct LockIdentitiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock-identities",
        abstract: "Write the identities that verified into each lock entry's attestation-identities (trust on first use).",
        discussion: """
            Runs verify-lock; then, for every package that verified and has no attestation-identities yet, inserts \
            the signer's identity, keeping the rest of the file byte for byte; existing identities are enforced, \
            never replaced. The file is written atomically, and only when every package verified.
            """)

    @Argument(help: "The lock file (pylock.toml).") var lockFile: String
    @Option(name: .long, help: ArgumentHelp("Write the edited lock here instead of in place.", valueName: "FILE")) var out: String?
    @Option(name: .long, help: "Packages worked on at once.") var jobs: Int = 4
    @OptionGroup var selection: LockSelectionOptions
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let (lockFile, selection) = (lockFile, selection.request)
        let (lock, report) = try await options.preInstall(jobs: jobs) { verification throws(LockError) in
            try await verification.lock(lockFile, selection: selection)
        }
        if report.exitCode == 0 {
            let destination = out ?? lockFile
            let count = try prepareLock { () throws(LockError) in
                try LockIdentityRecording.record(lock, reports: report.packages, to: destination)
            }
            if options.output.format == .text && !options.output.quiet {
                emitError("\(count) package(s) given attestation-identities in \(destination)\n")
            }
        } else if options.output.format == .text {
            emitError("nothing written: not every package verified\n")
        }
        try options.output.finish(report, stepTitles: TextReport.fileSteps)
    }
}

/// `wheeltrust verify-files PATH…`: a wheelhouse verified before `pip install --no-index`.
struct VerifyFilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-files",
        abstract:
            "Verify wheels and sdists you hold (a folder from pip download / pip wheel, or files) against the index and their provenance.",
        discussion: """
            Each file is hashed locally; the index must list a file of that name with that sha256, and that \
            file's provenance must verify for the local bytes. Then `pip install --no-index --find-links DIR` \
            installs only what was verified (if nothing changes the folder in between).
            """)

    @Argument(help: "Distribution files or folders holding them.") var paths: [String]
    @Option(name: .long, help: "Files worked on at once.") var jobs: Int = 4
    @Flag(
        name: .long,
        help: "Also read every wheel's members against its RECORD (wheel-contents; off: the verified sha256 fixes the bytes).")
    var checkWheelContents = false
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one file or folder") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let paths = paths
        let report = try await options.preInstall(jobs: jobs, wheelContents: checkWheelContents) { verification throws(LockError) in
            try await verification.files(in: paths)
        }
        try options.output.finish(report, stepTitles: TextReport.fileSteps)
    }
}

/// `wheeltrust install -r pylock.toml|requirements.txt`: verify every file, install exactly those, verify again.
struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a PEP 751 lock's or a requirements file's files only after each verified, then verify the installed packages.",
        discussion: """
            A lock (*.toml) is verified as verify-lock does. A requirements file is resolved by the environment's own pip \
            (pip download --only-binary :all: into a private folder: wheels only, so no build backend runs before \
            verification; a file naming a path, URL or editable is refused before pip runs), and each downloaded file is \
            verified as verify-files does. If every package verified, the verified files are copied into a private folder, \
            each copy's sha256 checked against what verified, and those copies installed with --no-index --no-deps (the \
            environment's pip, or uv with --uv); then verify runs on the installed packages. One failure installs nothing. \
            An sdist is refused (check sdist-build) unless --allow-sdist-build is given and its provenance verified; it is \
            then built from the verified copy without build isolation, so its build backend must already be installed in \
            the environment (install it first, verified, with wheeltrust install); nothing is fetched to build it. A \
            package built from an sdist is reported by its sdist's verification: no signed wheel exists to check its \
            installed files against.
            """)

    @Option(
        name: [.customShort("r"), .long],
        help: ArgumentHelp("A PEP 751 lock (*.toml) or a requirements file.", valueName: "FILE"))
    var requirement: String
    @Option(name: .long, help: ArgumentHelp("Install with this uv binary instead of the environment's pip.", valueName: "PATH"))
    var uv: String?
    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Build and install sdists whose provenance verified (building runs their code; their build backend must already be in the environment)."
        ))
    var allowSdistBuild = false
    @Option(name: .long, help: "Packages worked on at once.") var jobs: Int = 4
    @OptionGroup var selection: LockSelectionOptions
    @OptionGroup var options: VerifyingOptions

    var isLock: Bool { requirement.hasSuffix(".toml") }

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if !isLock && !selection.isDefault {
            throw UsageError(
                "--extra, --group and --no-default-groups choose entries of a pylock.toml; in a requirements file name extras as name[extra]"
            )
        }
    }

    func run() async throws {
        var flow = VerifiedInstallFlow(setup: options.setup)
        flow.installer = uv.map { .uv($0) } ?? .pip
        flow.allowSdistBuild = allowSdistBuild
        flow.jobs = jobs
        let line = ProgressLine.make(format: options.output.format, quiet: options.output.quiet)
        defer { line?.finish() }
        if let line {
            flow.progress = { event in
                switch event {
                case .file(let file): line.update(file)
                case .installedPackage(let done, let total, let name): line.update(done: done, total: total, name: name)
                case .phaseEnded: line.finish()
                }
            }
        }
        let source = VerifiedInstallFlow.Source.file(requirement, selection: selection.request)
        switch try await prepareLock({ () async throws(LockError) in try await flow.run(source) }) {
        case .notInstalled(let report):
            if options.output.format == .text {
                let refused = SdistBuildGate.refused(report.packages)
                if !refused.isEmpty {
                    emitError("sdists are not built unless --allow-sdist-build is given: \(refused.joined(separator: ", "))\n")
                }
                emitError("nothing installed: not every package verified\n")
            }
            try options.output.finish(report, stepTitles: TextReport.fileSteps)
        case .installed(let report):
            try options.output.finish(report)
        }
    }
}
