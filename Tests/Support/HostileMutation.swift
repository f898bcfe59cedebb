import Foundation
import Testing

/// SplitMix64: a tiny seeded generator, so every mutated case can be rebuilt from (seed, case).
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// A mutation: the changed bytes and what was done (for the failure message).
public typealias Mutation = (bytes: [UInt8], label: String)

/// Byte-level mutations of real inputs, tuned per format by the hostile tokens spliced in, the
/// bytes that count as structural (truncation points) and the lengths of long runs.
///
/// Test support only: deterministic for a given generator state.
public struct ByteMutator: Sendable {
    public let tokens: [[UInt8]]
    public let structural: Set<UInt8>
    public let runLengths: [Int]
    public let runBytes: [UInt8]

    public init(tokens: [String], rawTokens: [[UInt8]] = [], structural: String, runLengths: [Int], runBytes: [UInt8]) {
        self.tokens = tokens.map { Array($0.utf8) } + rawTokens
        self.structural = Set(structural.utf8)
        self.runLengths = runLengths
        self.runBytes = runBytes
    }

    /// Invalid UTF-8 and lone surrogates, spliced into every format.
    public static let invalidUTF8: [[UInt8]] = [
        [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xFF, 0xFE], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x00], [0x80],
    ]

    /// One mutation: a bit flip, a byte set to an odd value, an insert, a delete, a truncation at a
    /// structural byte (or anywhere), a duplicated range, a hostile token spliced in, a long run.
    public func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> Mutation {
        var out = input
        let n = out.count
        switch rng.below(9) {
        case 0 where n > 0:
            let i = rng.below(n); let bit = rng.below(8)
            out[i] ^= UInt8(1 << bit)
            return (out, "flip bit \(bit) at \(i)")
        case 1 where n > 0:
            let i = rng.below(n);
            let v = rng.pick([0x00, 0xFF, 0x7F, 0x80, 0x22, 0x7B, 0x5B, 0x5D, 0x7D, 0x2C, 0x5C, 0x30, 0x0A] as [UInt8])
            out[i] = v
            return (out, "set \(i) to \(v)")
        case 2:
            let i = rng.below(n + 1); let v = UInt8(truncatingIfNeeded: rng.next())
            out.insert(v, at: i)
            return (out, "insert \(v) at \(i)")
        case 3 where n > 0:
            let i = rng.below(n); let len = 1 + rng.below(min(64, n - i))
            out.removeSubrange(i..<(i + len))
            return (out, "delete \(len) at \(i)")
        case 4:
            let points = out.indices.filter { structural.contains(out[$0]) }
            let cut = points.isEmpty ? rng.below(n + 1) : rng.pick(points) + rng.below(2)
            return (Array(out.prefix(cut)), "truncate at \(cut)")
        case 5 where n > 0:
            let from = rng.below(n); let len = 1 + rng.below(min(256, n - from)); let to = rng.below(n + 1)
            out.insert(contentsOf: out[from..<(from + len)], at: to)
            return (out, "duplicate \(from)+\(len) at \(to)")
        case 6:
            let token = rng.pick(tokens); let i = rng.below(n + 1)
            if n > 0, rng.below(2) == 0 {
                let start = min(i, n - 1)
                let len = 1 + rng.below(min(8, n - start))
                out.replaceSubrange(start..<min(n, start + len), with: token)
                return (out, "replace at \(start) with \(String(decoding: token, as: UTF8.self).debugDescription)")
            }
            out.insert(contentsOf: token, at: i)
            return (out, "insert \(String(decoding: token, as: UTF8.self).debugDescription) at \(i)")
        case 7:
            let i = rng.below(n + 1); let len = rng.pick(runLengths)
            out.insert(contentsOf: [UInt8](repeating: rng.pick(runBytes), count: len), at: i)
            return (out, "insert \(len) repeated bytes at \(i)")
        default:
            let i = rng.below(n + 1)
            return (Array(out.prefix(i)), "truncate at \(i)")
        }
    }
}

/// Runs `count` mutated cases of `seeds` through `body` within a time budget (a hang fails the
/// suite); with HOSTILE_TRACE set each case is named on stderr before it runs (a trap kills the
/// process, so set it and re-run to find the case).
public enum HostileRun {
    static let trace = ProcessInfo.processInfo.environment["HOSTILE_TRACE"] != nil

    public static func run(
        _ name: String, seeds: [[UInt8]], count: Int, seed: UInt64, budget: Duration = .seconds(15),
        mutate: ([UInt8], inout SplitMix64) -> Mutation,
        _ body: (_ input: [UInt8], _ label: String) throws -> Void
    ) rethrows {
        let clock = ContinuousClock()
        let start = clock.now
        var slowest: (took: Duration, tag: String) = (.zero, "")
        for index in 0..<count {
            var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x1000_0000_01B3)
            var (bytes, label) = mutate(seeds[index % seeds.count], &rng)
            if rng.below(4) == 0 { let second = mutate(bytes, &rng); bytes = second.bytes; label += "; " + second.label }
            let tag = "\(name) seed=\(seed) case=\(index) source=\(index % seeds.count): \(label)"
            if trace { FileHandle.standardError.write(Data((tag + "\n").utf8)) }
            let caseStart = clock.now
            try body(bytes, tag)
            let took = clock.now - caseStart
            if took > slowest.took { slowest = (took, tag) }
        }
        let elapsed = clock.now - start
        #expect(elapsed < budget, "\(name): \(count) cases took \(elapsed); slowest \(slowest.took): \(slowest.tag)")
    }
}
