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
            PinCommand.self,
            VerifyLockCommand.self,
            LockIdentitiesCommand.self,
            VerifyFilesCommand.self,
            InstallCommand.self,
            FetchAttestationCommand.self,
            VerifySignatureCommand.self,
            VerifyBundleCommand.self,
            VerifyVSACommand.self,
            VerifyWheelCommand.self,
            VerifyInstalledCommand.self,
            InspectCommand.self,
            KeysCommand.self,
            AttestCommand.self,
            BuildCommand.self,
            RebuildCommand.self,
            ServeCommand.self,
            ExportCommand.self,
            KeygenCommand.self,
            TrustCommand.self,
            PolicyCommand.self,
        ])

    /// Runs the chosen command. Every error before `run` is a usage error (exit 2; ArgumentParser's
    /// own default is 64): the parser's own errors are printed as it prints them (with the usage
    /// text), a ``UsageError`` from a command's `validate()` as the one line every other wheeltrust
    /// error is. Errors of `run` carry their exit code (``fail(_:code:)``).
    static func main() async {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitAfterParsing(error)
        }
        do {
            var command = command
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitAfter(error)
        }
    }

    /// Exits after an error of parsing or of a command's `validate()`.
    private static func exitAfterParsing(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        // Help and version text (exit 0) is ours; it is printed as the parser prints it.
        if code == .success { exit(withError: error) }
        // ArgumentParser's own errors (`ValidationError` included) exit with `validationFailure`;
        // any other error thrown while validating is a `UsageError`: one line, exit 2.
        if code != .validationFailure, case let message = message(for: error), !message.isEmpty {
            emitError("wheeltrust: error: \(message)\n")
            Foundation.exit(Exit.usage)
        }
        exitAfter(error)
    }

    /// Exits with the code `error` carries.
    private static func exitAfter(_ error: any Error) -> Never {
        let code = exitCode(for: error)
        if code == .success { exit(withError: error) }
        // Every other message may quote the command line or a thrown error's description:
        // escaped like any other text on stderr.
        let message = fullMessage(for: error)
        if !message.isEmpty { emitError("\(parserMessage(message))\n") }
        Foundation.exit(code == .validationFailure ? Exit.usage : code.rawValue)
    }
}
