import ArgumentParser
import Foundation
import Verification

/// `wheeltrust verify`: every step for the named packages, or the whole environment.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify installed packages end to end: index, provenance, signature, wheel, installed files.")

    @Argument(help: "Project names to verify.")
    var packages: [String] = []

    @Flag(name: .long, help: "Verify every installed distribution and report files no distribution owns.")
    var all = false

    @Option(name: .long, help: "With --all, leave this project out (repeatable).")
    var exclude: [String] = []

    @Option(name: .long, help: "Packages worked on at once (files are hashed with 2 x jobs reads in flight).")
    var jobs: Int = 4

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Check every __pycache__/*.pyc of a verified source against it with the environment's own interpreter "
                + "(default: on for named packages, off for --all, where it costs ~10x the run: see the README). "
                + "Python runs a .pyc instead of its .py, so a tampered .pyc is tampered code."))
    var checkBytecode: Bool?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A pins file (wheeltrust pin): a pinned package must be signed by its pinned identity (check identity-pin).",
            valueName: "FILE"))
    var pins: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write a signed SLSA Verification Summary of this run (PASSED or FAILED) to FILE (needs --vsa-key).",
            valueName: "FILE"))
    var vsa: String?

    @Option(name: .long, help: ArgumentHelp("The private key that signs the --vsa summary (PEM: PKCS#8, EC or RSA).", valueName: "PEM"))
    var vsaKey: String?

    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if (vsa == nil) != (vsaKey == nil) { throw UsageError("--vsa FILE and --vsa-key PEM go together") }
        if packages.isEmpty && !all { throw ValidationError("name at least one package, or use --all") }
        if !packages.isEmpty && all { throw ValidationError("give package names or --all, not both") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        useOneMallocArena()
        let started = Date()
        let pinned = try pins.map { path in try prepare { () throws(VerificationError) in try PinsFile.read(path) } }
        var verifier = try await makeVerifier(options)
        // The summary's key and policy are read before the run: a bad key costs no verification.
        let setup = options.setup
        let summary = try vsaKey.map { keyFile in
            try prepare { () throws(VerificationError) in
                (try VerificationSummary.signingKey(file: keyFile), try setup.summaryPolicy())
            }
        }
        let progress = ProgressLine.make(format: options.output.format, quiet: options.output.quiet)
        if let progress { verifier.progress = { progress.update(done: $0, total: $1, name: $2) } }
        var request = VerifyRequest(
            packages: packages, all: all, excluded: exclude, jobs: jobs, checkBytecode: checkBytecode ?? !all,
            keepFileLines: options.output.verbose && options.output.format == .text)
        request.pins = pinned
        let report: Report
        do {
            report = try await verifier.run(request)
        } catch {
            progress?.finish()
            throw fail("\(FlagNames.message(error))", code: error.code == .usage ? Exit.usage : Exit.incomplete)
        }
        progress?.finish()
        if options.output.format == .text && !options.output.quiet {
            // On stderr, so that stdout stays a pure function of what was verified.
            let seconds = (Date().timeIntervalSince(started) * 10).rounded() / 10
            emitError("time taken: \(seconds) s\n")
        }
        if let vsa, let (key, policy) = summary {
            let version = Wheeltrust.configuration.version
            try prepare { () throws(VerificationError) in
                try VerificationSummary.write(report, policy: policy, key: key, version: version, to: vsa)
            }
        }
        try options.output.finish(report)
    }
}
