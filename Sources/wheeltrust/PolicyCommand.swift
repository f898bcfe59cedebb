import ArgumentParser
import Foundation
import Policy

/// `wheeltrust policy`: the trust policy file.
struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Work with trust policy files (which keys and identities prove which packages).",
        subcommands: [PolicyCheckCommand.self])
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
