import ArgumentParser
import Foundation
import Policy
import Verification

/// `wheeltrust policy`: the trust policy file.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with trust policy files (which keys and identities prove which packages).",
        subcommands: [PolicyCheckCommand.self, PolicyInitCommand.self])
}

/// `wheeltrust policy init [--python PY] [--out FILE]`: a commented starting policy for an
/// environment, from what each package has today under the built-in trust.
struct PolicyInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract:
            "Write a commented starting policy for an environment (what each package has today: Red Hat's key, a Trusted Publisher, integrity only, not on the index) to stdout or --out FILE."
    )

    @Option(name: .long, help: ArgumentHelp("Write the policy to FILE instead of stdout.", valueName: "FILE")) var out: String?
    @OptionGroup var options: VerifyingOptions

    func run() async throws {
        let (setup, out) = (options.setup, out)
        let (text, report) = try await prepare { () async throws(VerificationError) in
            try await PolicyInit.generate(setup: setup, output: out, wording: FlagWording())
        }
        if let out {
            emitError("wrote \(out): \(report.packages.count) package(s); check it with `wheeltrust policy check \(out)`\n")
        } else {
            // Line by line: the text's own line breaks are kept, anything else in a line escaped.
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() { emit("\(line)\n") }
        }
    }
}

/// `wheeltrust policy check FILE`: validates a policy and prints its rules as understood.
struct PolicyCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a policy file and print its anchors and rules as understood (exit 2 naming file:line:problem when invalid).")

    @Argument(help: "The policy file (TOML).") var file: String

    func run() throws {
        let policy: Policy
        do {
            policy = try PolicyDiscovery.load(path: file)
        } catch {
            throw fail("policy: \(error.message)", code: Exit.usage)
        }
        for line in PolicyDescription.lines(policy) { emit("\(line)\n") }
        emit("valid: \(policy.rules.count) rule(s)\n")
    }
}
