import Foundation
import TestSupport

/// Mutations of index inputs (PEP 691 JSON, PEP 503 HTML, pip.conf, netrc): the shared byte
/// mutator with this format's tokens.
enum Mutator {
    static let index = ByteMutator(
        tokens: [
            "\"", "\"\"", ",", "\r\n", "\n", "\r", ":", " ", "\t", "=", "-", ".", "_", "!", "+", "#",
            "sha256=", "99999999999999999999", "-1", "0", "\u{0}", "..", "/", "\\", "é", "\u{FFFF}",
            "<", ">", "<a href=", "&#", "&#x110000;", "&amp", "<!--", "-->", "'", "[", "]", "machine", "default", "macdef",
        ],
        rawTokens: ByteMutator.invalidUTF8, structural: "\",\r\n:=-._/ \t<>&#[]{}'", runLengths: [300, 5_000],
        runBytes: [0x41, 0x22, 0x2C, 0x0A, 0x30, 0x2E, 0x20])

    static func bytes(_ input: [UInt8], _ rng: inout SplitMix64) -> Mutation { index.mutate(input, &rng) }
}

extension HostileRun {
    /// `cases` with this target's default mutation.
    static func cases(
        _ name: String, seeds: [[UInt8]], count: Int, seed: UInt64, budget: Duration = .seconds(15),
        mutate: ([UInt8], inout SplitMix64) -> Mutation = Mutator.bytes,
        _ body: (_ input: [UInt8], _ label: String) throws -> Void
    ) rethrows {
        try run(name, seeds: seeds, count: count, seed: seed, budget: budget, mutate: mutate, body)
    }
}
