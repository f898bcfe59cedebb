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

/// Verifies every applicable file of a lock (shared by `verify-lock` and `lock-identities`).
func verifyLock(_ lockFile: String, options: VerifyingOptions, jobs: Int) async throws -> (lock: PylockFile, report: Report) {
    let lock = try prepareLock { () throws(LockError) in try PylockParser.read(lockFile) }
    let setup = options.setup
    let python = try prepare { () throws(VerificationError) in try setup.inspectEnvironment() }
    let (pipelines, configuration) = try lockPipelines(setup, python: python, indexes: LockVerifier.indexes(of: lock))
    var verifier = LockVerifier(pipelines: pipelines, facts: python.tagFacts)
    verifier.jobs = jobs
    let progress = ProgressLine.make(format: options.output.format, quiet: options.output.quiet)
    if let progress { verifier.progress = { progress.update(done: $0, total: $1, name: $2) } }
    let reports: [PackageReport]
    do {
        reports = try await verifier.verify(lock)
    } catch {
        progress?.finish()
        throw fail("\(error.message)", code: error.code == .operational ? Exit.incomplete : Exit.usage)
    }
    progress?.finish()
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
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let (_, report) = try await verifyLock(lockFile, options: options, jobs: jobs)
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
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let (lock, report) = try await verifyLock(lockFile, options: options, jobs: jobs)
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
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("name at least one file or folder") }
    }

    func run() async throws {
        let files = try prepareLock { () throws(LockError) in try WheelhouseVerifier.files(in: paths) }
        if files.isEmpty { throw fail("no .whl, .tar.gz or .zip files in \(paths.joined(separator: ", "))", code: Exit.usage) }
        let setup = options.setup
        let python = try prepare { () throws(VerificationError) in try setup.inspectEnvironment() }
        let (pipelines, configuration) = try lockPipelines(setup, python: python, indexes: [])
        var verifier = WheelhouseVerifier(pipeline: pipelines.defaultPipeline)
        let progress = ProgressLine.make(format: options.output.format, quiet: options.output.quiet)
        if let progress { verifier.progress = { progress.update(done: $0, total: $1, name: $2) } }
        let reports = await verifier.verify(files)
        progress?.finish()
        var report = Report(python: python.executable, index: configuration.indexURL.redacted, packages: reports)
        report.interpreter = python.trustedInterpreter
        try options.output.finish(report, stepTitles: TextReport.fileSteps)
    }
}

/// `wheeltrust install -r pylock.toml`: verify every file, install exactly those, verify again.
struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install a PEP 751 lock's files only after each verified, then verify the installed packages.",
        discussion: """
            Runs verify-lock; if every package verified, copies the verified wheels out of the cache into a private \
            folder, checks each copy's sha256 against what verified, installs those copies with --no-index --no-deps \
            (pip of the environment, or uv with --uv), then runs verify on the installed packages. One failure installs \
            nothing. Requirements files are not taken yet: lock them first (uv pip compile --format pylock.toml).
            """)

    @Option(name: [.customShort("r"), .long], help: ArgumentHelp("The lock file (pylock.toml).", valueName: "FILE"))
    var requirement: String
    @Option(name: .long, help: ArgumentHelp("Install with this uv binary instead of the environment's pip.", valueName: "PATH"))
    var uv: String?
    @Option(name: .long, help: "Packages worked on at once.") var jobs: Int = 4
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if !requirement.hasSuffix(".toml") {
            throw UsageError("install takes a PEP 751 lock (pylock.toml); lock a requirements file first")
        }
    }

    func run() async throws {
        let (_, report) = try await verifyLock(requirement, options: options, jobs: jobs)
        guard report.exitCode == 0 else {
            if options.output.format == .text { emitError("nothing installed: not every package verified\n") }
            try options.output.finish(report, stepTitles: TextReport.fileSteps)
        }
        let verifier = try makeVerifier(options)
        let cache = verifier.pipeline.context.cache
        let python = verifier.environment.executable
        let installer: VerifiedInstall.Installer = uv.map { .uv($0) } ?? .pip
        let environment = ProcessInfo.processInfo.environment
        let names = report.packages.map(\.name)
        try prepareLock { () throws(LockError) in
            let (folder, files) = try VerifiedInstall.stage(report.packages, cache: cache)
            defer { VerifiedInstall.remove(folder) }
            try VerifiedInstall.install(files, python: python, installer: installer, environment: environment)
        }
        let installed: Report
        do {
            installed = try await verifier.run(VerifyRequest(packages: names, jobs: jobs))
        } catch {
            throw fail("\(FlagNames.message(error))", code: error.code == .usage ? Exit.usage : Exit.incomplete)
        }
        try options.output.finish(installed)
    }
}
