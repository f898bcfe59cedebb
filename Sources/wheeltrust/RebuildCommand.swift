import ArgumentParser
import Attestations
import Building
import Foundation

/// `wheeltrust rebuild WHEEL --provenance P --find-links DIR`: the build the provenance records,
/// done again from the same inputs (by digest), compared with the attested wheel.
struct RebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild a wheel from the inputs its wheeltrust build provenance records, and compare.",
        discussion: """
            The sdist (--sdist FILE, else its recorded filename in --find-links) and every recorded \
            build-environment wheel (by filename in --find-links) must have the recorded sha256; a \
            missing or different one is named. Identical bytes: reproduced. Otherwise the members \
            are compared with zip metadata set aside (order, timestamps, compression, permissions): \
            the same contents is reproduced-normalised; each member that differs is listed (--diff \
            shows text differences). Exit 0 reproduced, 1 not reproduced or an input differs. The \
            provenance's signature is not checked here: use verify-wheel for that.
            """)

    @Argument(help: "The attested wheel.")
    var wheel: String

    @Option(help: "Its provenance or attestation (as build writes it: <wheel>.slsa.attestation).")
    var provenance: String

    @Option(help: ArgumentHelp("The sdist file (default: its recorded filename in --find-links).", valueName: "FILE"))
    var sdist: String?

    @Option(help: ArgumentHelp("A folder holding the recorded build-environment wheels (and the sdist).", valueName: "DIR"))
    var findLinks: String

    @Option(help: ArgumentHelp("Where the rebuilt wheel and its log go.", valueName: "DIR"))
    var out: String

    @Option(help: "The interpreter the build environment is made from.")
    var python: String = "python3"

    @Option(
        help: ArgumentHelp(
            "Also write a signed SLSA Verification Summary of the result (PASSED when reproduced) to FILE (needs --vsa-key).",
            valueName: "FILE"))
    var vsa: String?

    @Option(help: ArgumentHelp("The private key that signs the --vsa summary (PEM).", valueName: "PEM"))
    var vsaKey: String?

    @Flag(help: "Show the text differences of members that differ.")
    var diff = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if format == .sarif { throw UsageError("--format sarif is not available for rebuild") }
        if (vsa == nil) != (vsaKey == nil) { throw UsageError("--vsa FILE and --vsa-key PEM go together") }
    }

    func run() async throws {
        let summaryKey: PrivateKey?
        do {
            summaryKey = try vsaKey.map { path throws(AttestationError) in try KeyPairFiles.readPrivateKey(at: path) }
        } catch {
            throw fail("--vsa-key \(vsaKey ?? ""): \(error.message)", code: Exit.usage)
        }
        let report: RebuildReport
        do {
            report = try await Rebuilder.rebuild(
                .init(
                    wheel: wheel, provenanceFile: provenance, sdist: sdist, findLinks: findLinks, outputDirectory: out,
                    python: python, withDiff: diff))
        } catch {
            throw fail("\(FlagNames.message(error))", code: BuildCommand.exitCode(error.code))
        }
        if let vsa, let summaryKey {
            do {
                try RebuildSummary.write(report, provenanceFile: provenance, key: summaryKey, to: vsa)
            } catch {
                throw fail("\(FlagNames.message(error))", code: BuildCommand.exitCode(error.code))
            }
        }
        var differences: [WheelComparison.MemberDifference] = []
        if case .notReproduced(let found) = report.outcome { differences = found }
        switch format {
        case .json:
            var document: [String: Any] = [
                "outcome": report.outcome.name, "wheel": wheel, "sha256": report.recorded.wheelSHA256.text,
                "rebuilt": report.rebuiltWheel, "rebuiltSHA256": report.rebuiltSHA256.text, "log": report.logPath,
                "differences": differences.map { difference -> [String: Any] in
                    var item: [String: Any] = ["member": difference.member, "kind": difference.kind.rawValue, "detail": difference.detail]
                    if let text = difference.diff { item["diff"] = text }
                    return item
                },
            ]
            if !report.unrecordedRequirements.isEmpty { document["unrecordedRequirements"] = report.unrecordedRequirements }
            guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else {
                throw fail("cannot encode the result", code: Exit.incomplete)
            }
            emitJSON(data)
        default:
            emit("\(report.outcome.name): \(wheel)\n  rebuilt \(report.rebuiltWheel) sha256 \(report.rebuiltSHA256)\n")
            for difference in differences {
                emit("  \(difference.kind.rawValue) \(difference.member): \(difference.detail)\n")
                if let text = difference.diff {
                    for line in text.split(separator: "\n", omittingEmptySubsequences: false) { emit("    \(line)\n") }
                }
            }
            for name in report.unrecordedRequirements { emit("  the rebuild installed \(name), which the provenance does not list\n") }
            emit("build log \(report.logPath)\n")
        }
        if case .notReproduced = report.outcome { throw ExitCode(Exit.failed) }
    }
}
