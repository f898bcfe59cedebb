import ArgumentParser
import Foundation
import PythonPackaging
import Verification

/// `wheeltrust pin`: verify packages and remember who signed each one (trust on first use), so
/// that `verify --pins` fails a package that a different signer signs later.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Verify packages and record in a pins file who signed each one (trust on first use).",
        discussion: """
            A package is pinned only when it verifies; a package already pinned to another signer \
            fails and keeps its pin unless it is named with --accept. Exit codes as for verify.
            """)

    @Argument(help: "Project names to pin.")
    var packages: [String] = []

    @Flag(name: .long, help: "Pin every installed distribution that verifies.")
    var all = false

    @Option(name: .long, help: "With --all, leave this project out (repeatable).")
    var exclude: [String] = []

    @Option(name: .long, help: ArgumentHelp("The pins file to update (JSON; created when absent).", valueName: "FILE"))
    var pins: String

    @Flag(name: .long, help: "Take the identity that verifies the named packages now, replacing their pins.")
    var accept = false

    @Option(name: .long, help: "Packages worked on at once.")
    var jobs: Int = 4

    @Flag(inversion: .prefixedNo, help: "Check __pycache__/*.pyc files as verify does (default: on for named packages, off for --all).")
    var checkBytecode: Bool?

    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if packages.isEmpty && !all { throw UsageError("name at least one package, or use --all") }
        if !packages.isEmpty && all { throw UsageError("give package names or --all, not both") }
        if accept && all { throw UsageError("--accept takes the named packages only, not --all") }
        if jobs < 1 { throw UsageError("--jobs must be at least 1") }
        if pins.isEmpty { throw UsageError("--pins is empty") }
    }

    func run() async throws {
        useOneMallocArena()
        let recording = try prepare { () throws(VerificationError) in try PinRecording(pinsFile: pins) }
        var verifier = try await makeVerifier(options)
        let progress = ProgressLine.make(format: options.output.format, quiet: options.output.quiet)
        if let progress { verifier.progress = { progress.update(done: $0, total: $1, name: $2) } }
        let request = VerifyRequest(
            packages: packages, all: all, excluded: exclude, jobs: jobs, checkBytecode: checkBytecode ?? !all,
            keepFileLines: false)
        let result: PinRun
        do {
            result = try await recording.run(verifier, request: request, accepting: accept ? packages : []).worded(by: FlagWording())
        } catch {
            progress?.finish()
            throw fail("\(FlagNames.message(error))", code: error.code == .usage ? Exit.usage : Exit.incomplete)
        }
        progress?.finish()
        switch options.output.format {
        case .json:
            guard let data = try? result.jsonData(pinsFile: pins) else { throw fail("cannot encode the result", code: Exit.incomplete) }
            emitJSON(data)
        case .sarif:
            // The verification's findings; what happened to the pins file is for people and JSON.
            try options.output.finish(result.report)
        case .text:
            emit(Self.render(result, pinsFile: pins))
        }
        throw ExitCode(result.report.exitCode)
    }

    /// One line per package, then what happened to the file.
    static func render(_ result: PinRun, pinsFile: String) -> TerminalText {
        var text: TerminalText = ""
        var counts: [PinOutcome.Action: Int] = [:]
        for outcome in result.outcomes {
            counts[outcome.action, default: 0] += 1
            let package = outcome.version.isEmpty ? outcome.name : "\(outcome.name) \(outcome.version)"
            switch outcome.action {
            case .recorded:
                text += "pinned      \(package): \(outcome.identity ?? "")\n"
            case .unchanged:
                text += "unchanged   \(package): \(outcome.identity ?? "")\n"
            case .replaced:
                text += "replaced    \(package): \(outcome.identity ?? "") (was \(outcome.previous ?? ""))\n"
            case .notPinned:
                var kept: TerminalText = ""
                if let previous = outcome.previous { kept = "; its pin stays \(previous)" }
                text += "not pinned  \(package): \(outcome.reason ?? "not verified")\(kept)\n"
            }
        }
        let summary = [
            (PinOutcome.Action.recorded, "pinned"), (.replaced, "replaced"), (.unchanged, "unchanged"),
            (.notPinned, "not pinned"),
        ].compactMap { action, word in counts[action].map { "\($0) \(word)" } }.joined(separator: ", ")
        text += "\(pinsFile): \(result.changed ? "written" : "not changed") (\(summary.isEmpty ? "no packages" : summary))\n"
        let unexpected = result.report.unexpected.count
        if unexpected > 0 { text += "\(unexpected) file(s) in the environment that no distribution owns (see verify --all)\n" }
        return text
    }
}
