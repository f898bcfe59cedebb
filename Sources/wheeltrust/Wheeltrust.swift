import ArgumentParser
import Foundation

/// The `wheeltrust` command: proves that the Python code on a machine is the code a trusted
/// builder built and signed. Each subcommand is a thin shell over the library.
@main
struct Wheeltrust: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wheeltrust",
        abstract: "Verify installed Python packages against signed PEP 740 attestations.",
        discussion: """
            Exit codes: 0 verified; 1 verification failed; 2 usage or configuration error; \
            3 could not complete (network, authentication, index).
            """,
        version: "0.1.0",
        subcommands: [
            VerifyCommand.self,
            FetchAttestationCommand.self,
            VerifySignatureCommand.self,
            VerifyBundleCommand.self,
            VerifyWheelCommand.self,
            VerifyInstalledCommand.self,
            InspectCommand.self,
            KeysCommand.self,
            AttestCommand.self,
            ServeCommand.self,
            KeygenCommand.self,
            TrustCommand.self,
        ])

    /// Runs the chosen command, mapping argument errors to exit code 2 (ArgumentParser's own
    /// default is 64) so that every usage or configuration error exits 2, as documented.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            // Help and version text (exit 0) is ours; it is printed as the parser prints it.
            if code == .success { exit(withError: error) }
            // Every other message may quote the command line or a thrown error's description:
            // escaped like any other text on stderr.
            let message = fullMessage(for: error)
            if !message.isEmpty { emitError("\(parserMessage(message))\n") }
            Foundation.exit(code == .validationFailure ? Exit.usage : code.rawValue)
        }
    }
}
