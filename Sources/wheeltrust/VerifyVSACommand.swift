import ArgumentParser
import Foundation
import Verification

/// `wheeltrust verify-vsa FILE --key PUB [--subject WHEEL_FILE]`: checks a signed SLSA
/// Verification Summary as `verify --vsa` writes it. Exit 0 verified, 1 not, 2 usage.
struct VerifyVSACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-vsa",
        abstract: "Verify a signed SLSA Verification Summary (verify --vsa) and, with --subject, that a file is one of its subjects.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The summary (a DSSE envelope, JSON).") var file: String
    @Option(name: .long, help: ArgumentHelp("The public key (PEM) the summary must be signed with.", valueName: "PUB")) var key: String
    @Option(name: .long, help: ArgumentHelp("A wheel file whose name and sha256 must be a subject.", valueName: "WHEEL_FILE"))
    var subject: String?
    @Option(name: .long, help: "Output format: text or json.") var format: Format = .text

    func run() throws {
        let (file, key, subject) = (file, key, subject)
        let outcome = try prepare { () throws(VerificationError) in try VSAVerifier.verify(file: file, keyFile: key, subjectFile: subject) }
            .worded(by: FlagWording())
        switch format {
        case .json:
            guard let data = try? outcome.jsonData() else { throw fail("cannot encode the result", code: Exit.incomplete) }
            emitJSON(data)
        case .text:
            for check in outcome.checks {
                emit("  [\(check.status.rawValue.uppercased())] \(check.name.rawValue): \(check.detail)\n")
            }
            emit(outcome.verified ? "OK \(file)\n" : "FAILED \(file)\n")
        }
        throw ExitCode(outcome.exitCode)
    }
}
