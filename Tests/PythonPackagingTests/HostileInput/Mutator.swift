import Foundation
import TestSupport

/// Mutations of packaging inputs (RECORD/CSV, METADATA/WHEEL headers, names, zips): the shared
/// byte mutator with this format's tokens, plus lies in zip size/offset/count fields.
enum Mutator {
    static let packaging = ByteMutator(
        tokens: [
            "\"", "\"\"", ",", "\r\n", "\n", "\r", ":", " ", "\t", "=", "-", ".", "_", "!", "+", "#",
            "sha256=", "99999999999999999999", "-1", "0", "\u{0}", "..", "/", "\\", "é", "\u{FFFF}",
        ],
        rawTokens: ByteMutator.invalidUTF8, structural: "\",\r\n:=-._/ \t", runLengths: [300, 5_000],
        runBytes: [0x41, 0x22, 0x2C, 0x0A, 0x30, 0x2E, 0x20])

    static func bytes(_ input: [UInt8], _ rng: inout SplitMix64) -> Mutation { packaging.mutate(input, &rng) }

    /// A lie in one zip header field: sizes, offsets, counts, name/extra lengths, method, CRC.
    static func zip(_ input: [UInt8], _ rng: inout SplitMix64) -> (bytes: [UInt8], label: String) {
        // (signature, [(field offset, width)])
        let layouts: [(sig: [UInt8], fields: [(Int, Int)])] = [
            ([0x50, 0x4B, 0x01, 0x02], [(10, 2), (16, 4), (20, 4), (24, 4), (28, 2), (30, 2), (32, 2), (42, 4), (8, 2)]),
            ([0x50, 0x4B, 0x03, 0x04], [(8, 2), (14, 4), (18, 4), (22, 4), (26, 2), (28, 2), (6, 2)]),
            ([0x50, 0x4B, 0x05, 0x06], [(8, 2), (10, 2), (12, 4), (16, 4), (20, 2), (4, 2), (6, 2)]),
        ]
        let layout = rng.pick(layouts)
        var starts: [Int] = []
        var i = 0
        while i + 4 <= input.count {
            if input[i] == layout.sig[0], input[i + 1] == layout.sig[1], input[i + 2] == layout.sig[2], input[i + 3] == layout.sig[3] {
                starts.append(i)
            }
            i += 1
        }
        guard let start = starts.isEmpty ? nil : rng.pick(starts) else { return bytes(input, &rng) }
        let (offset, width) = rng.pick(layout.fields)
        guard start + offset + width <= input.count else { return bytes(input, &rng) }
        let old = (0..<width).reduce(UInt64(0)) { $0 | UInt64(input[start + offset + $1]) << (8 * UInt64($1)) }
        let max = width == 2 ? UInt64(0xFFFF) : UInt64(0xFFFF_FFFF)
        let value =
            rng.pick([0, 1, max, max - 1, old &+ 1, old &- 1, UInt64(input.count), UInt64(input.count + 1), old * 2, max / 2 + 1]) & max
        var out = input
        for b in 0..<width { out[start + offset + b] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(b))) }
        return (out, "zip field +\(offset) of record at \(start): \(old) -> \(value)")
    }
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
