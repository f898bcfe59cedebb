import ArgumentParser
import Foundation
import Lock
import PackageIndex
import PythonPackaging
import Verification

/// Runs a lock-file step, turning its errors into the right exit code.
func prepareLock<T>(_ body: () throws(LockError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw fail("\(error.message)", code: error.code == .operational ? Exit.incomplete : Exit.usage)
    }
}

/// The same for a flow that awaits (one that runs pip or the installer).
func prepareLock<T>(_ body: () async throws(LockError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw fail("\(error.message)", code: error.code == .operational ? Exit.incomplete : Exit.usage)
    }
}

/// The pipelines for a lock's indexes under the command line's trust options: the entry's
/// `index`, else `--index-url`, else pip's configuration (the one place that decides).
func lockPipelines(
    _ setup: VerificationSetup, python: PythonEnvironment, indexes: [String]
) throws -> (pipelines: IndexPipelines, defaultIndex: IndexConfiguration) {
    try prepare { () throws(VerificationError) in
        let configuration = try setup.indexConfiguration(for: python)
        let defaultPipeline = Pipeline(context: try setup.context(configuration: configuration))
        let pipelines = try IndexPipelines(defaultPipeline: defaultPipeline, indexes: indexes) { url throws(VerificationError) in
            let named = IndexConfiguration(
                indexURL: url, certificateBundle: configuration.certificateBundle, source: "the lock file's index")
            return Pipeline(context: try setup.context(configuration: named))
        }
        return (pipelines, configuration)
    }
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

/// Shows progress lines for a run over files (nil when progress is not shown).
func fileProgress(_ output: OutputOptions) -> (line: ProgressLine, update: @Sendable (FileProgress) -> Void)? {
    guard let line = ProgressLine.make(format: output.format, quiet: output.quiet) else { return nil }
    return (line, { line.update(done: $0.done, total: $0.total, name: $0.name, bytes: $0.bytes) })
}

/// Verifies every applicable file of a lock (shared by `verify-lock`, `lock-identities` and `install`).
func verifyLock(
    _ lockFile: String, options: VerifyingOptions, jobs: Int, selection: LockSelection.Request, wheelContents: Bool = false
) async throws -> (lock: PylockFile, report: Report) {
    let lock = try prepareLock { () throws(LockError) in try PylockParser.read(lockFile) }
    let setup = options.setup
    let python = try await prepare { () async throws(VerificationError) in try await setup.inspectEnvironment() }
    let (pipelines, configuration) = try lockPipelines(setup, python: python, indexes: LockVerifier.indexes(of: lock))
    var verifier = LockVerifier(pipelines: pipelines, facts: python.tagFacts)
    verifier.jobs = jobs
    verifier.checkWheelContents = wheelContents
    verifier.request = selection
    let progress = fileProgress(options.output)
    verifier.progress = progress?.update
    let reports: [PackageReport]
    do {
        reports = try await verifier.verify(lock)
    } catch {
        progress?.line.finish()
        throw fail("\(error.message)", code: error.code == .operational ? Exit.incomplete : Exit.usage)
    }
    progress?.line.finish()
    var report = Report(python: python.executable, index: configuration.indexURL.redacted, packages: reports)
    report.interpreter = python.trustedInterpreter
    report.policy = pipelines.pipeline(forIndex: nil).context.policy?.summary
    return (lock, report)
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
        let (_, report) = try await verifyLock(
            lockFile, options: options, jobs: jobs, selection: selection.request, wheelContents: checkWheelContents)
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
        let (lock, report) = try await verifyLock(lockFile, options: options, jobs: jobs, selection: selection.request)
        if report.exitCode == 0 {
            let additions = LockIdentityRecording.additions(lock: lock, reports: report.packages)
            let destination = out ?? lockFile
            let text = try prepareLock { () throws(LockError) in try IdentityRewrite.rewrite(lock, adding: additions) }
            do {
                try AtomicFile.write(Array(text.utf8), to: destination, creatingDirectory: false)
            } catch {
                throw fail("cannot write \(destination): \(error.message)", code: Exit.incomplete)
            }
            if options.output.format == .text && !options.output.quiet {
                emitError("\(additions.count) package(s) given attestation-identities in \(destination)\n")
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
        let files = try prepareLock { () throws(LockError) in try WheelhouseVerifier.files(in: paths) }
        if files.isEmpty { throw fail("no .whl, .tar.gz or .zip files in \(paths.joined(separator: ", "))", code: Exit.usage) }
        let setup = options.setup
        let python = try await prepare { () async throws(VerificationError) in try await setup.inspectEnvironment() }
        let report = try await verifyWheelhouse(
            files, python: python, options: options, jobs: jobs, wheelContents: checkWheelContents)
        try options.output.finish(report, stepTitles: TextReport.fileSteps)
    }
}

/// Verifies files a user (or the environment's pip) holds: each located on the default index by
/// name and sha256, its provenance verified for the local bytes.
func verifyWheelhouse(
    _ files: [String], python: PythonEnvironment, options: VerifyingOptions, jobs: Int, wheelContents: Bool = false
) async throws -> Report {
    let (pipelines, configuration) = try lockPipelines(options.setup, python: python, indexes: [])
    var verifier = WheelhouseVerifier(pipeline: pipelines.defaultPipeline)
    verifier.jobs = jobs
    verifier.checkWheelContents = wheelContents
    let progress = fileProgress(options.output)
    verifier.progress = progress?.update
    let reports = await verifier.verify(files)
    progress?.line.finish()
    var report = Report(python: python.executable, index: configuration.indexURL.redacted, packages: reports)
    report.interpreter = python.trustedInterpreter
    report.policy = pipelines.defaultPipeline.context.policy?.summary
    return report
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
        var report: Report
        var downloaded: String?
        if isLock {
            report = try await verifyLock(requirement, options: options, jobs: jobs, selection: selection.request).report
        } else {
            (report, downloaded) = try await verifyRequirements()
        }
        defer { if let downloaded { VerifiedInstall.remove(downloaded) } }
        SdistBuildGate.apply(to: &report.packages, allowBuild: allowSdistBuild)
        guard report.exitCode == 0 else {
            if options.output.format == .text {
                let refused = SdistBuildGate.refused(report.packages)
                if !refused.isEmpty {
                    emitError("sdists are not built unless --allow-sdist-build is given: \(refused.joined(separator: ", "))\n")
                }
                emitError("nothing installed: not every package verified\n")
            }
            try options.output.finish(report, stepTitles: TextReport.fileSteps)
        }
        var verifier = try await makeVerifier(options)
        let cache = verifier.pipeline.context.cache
        let python = verifier.environment.executable
        let installer: VerifiedInstall.Installer = uv.map { .uv($0) } ?? .pip
        let environment = ProcessInfo.processInfo.environment
        let build = allowSdistBuild
        try await prepareLock { () async throws(LockError) in
            let (folder, files) = try VerifiedInstall.stage(report.packages, buildSdists: build) { package in
                // Where the file verified: the download folder of a requirements file, else the cache.
                if let downloaded, let name = package.wheel { return (downloaded as NSString).appendingPathComponent(name) }
                return VerifiedInstall.cachedCopy(of: package, in: cache)
            }
            defer { VerifiedInstall.remove(folder) }
            try await VerifiedInstall.install(files, python: python, installer: installer, environment: environment, buildSdists: build)
        }
        // Packages built from sdists have no signed wheel to check their files against: their
        // sdist's verification is their report.
        let built = report.packages.filter { $0.wheel.map(SdistBuildGate.isSdist) ?? false }
        let names = report.packages.filter { !($0.wheel.map(SdistBuildGate.isSdist) ?? false) }.map(\.name)
        var installed = Report(python: report.python, index: report.index, packages: [])
        if !names.isEmpty {
            let progress = ProgressLine.make(format: options.output.format, quiet: options.output.quiet)
            if let progress { verifier.progress = { progress.update(done: $0, total: $1, name: $2) } }
            do {
                installed = try await verifier.run(VerifyRequest(packages: names, jobs: jobs))
            } catch {
                progress?.finish()
                throw fail("\(FlagNames.message(error))", code: error.code == .usage ? Exit.usage : Exit.incomplete)
            }
            progress?.finish()
        }
        installed.packages += built
        try options.output.finish(installed)
    }

    /// `pip download` of the requirements file into a private folder, then each file verified.
    func verifyRequirements() async throws -> (Report, String) {
        let setup = options.setup
        let python = try await prepare { () async throws(VerificationError) in try await setup.inspectEnvironment() }
        let requirements = requirement
        let indexURL = options.index.indexURL
        let environment = ProcessInfo.processInfo.environment
        let (folder, files) = try await prepareLock { () async throws(LockError) in
            try await RequirementsDownload.download(
                requirements: requirements, python: python.executable, indexURL: indexURL, environment: environment)
        }
        guard !files.isEmpty else {
            VerifiedInstall.remove(folder)
            throw fail("\(requirements) resolves to no files: nothing to install", code: Exit.usage)
        }
        do {
            return (try await verifyWheelhouse(files, python: python, options: options, jobs: jobs), folder)
        } catch {
            VerifiedInstall.remove(folder)
            throw error
        }
    }
}
