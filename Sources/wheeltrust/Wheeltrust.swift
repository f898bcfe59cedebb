import ArgumentParser

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
            VerifyWheelCommand.self,
            VerifyInstalledCommand.self,
            InspectCommand.self,
            AttestCommand.self,
            ServeCommand.self,
            KeygenCommand.self,
        ])
}
