import Attestations
import Foundation
import TestSupport
import Testing

/// Mutations of real inputs: bytes, JSON structure, base64 payloads. Deterministic per (seed, case).
package enum Mutator {
    /// Values spliced into documents: numbers out of range, odd literals, invalid UTF-8, escapes.
    package static let documents = ByteMutator(
        tokens: [
            "1e309", "-1e309", "-0", "-1", "18446744073709551616", "9223372036854775808", "-9223372036854775809",
            "1.5", "0.0000000000000000000000001", "NaN", "null", "true", "[]", "{}", "\"\"", "\"\\ud800\"",
            "\"\\u0000\"", "\"=\"", "\"AAAA!!!!\"", "\"-_-_\"", "\"====\"", "2147483648", "4294967296",
        ],
        rawTokens: ByteMutator.invalidUTF8, structural: "{}[],:\"\n=.-/ ", runLengths: [1_000, 70_000],
        runBytes: [0x41, 0x5B, 0x7B, 0x30, 0x5C, 0x2B])

    /// One byte-level mutation of `input`; `label` says what was done.
    package static func bytes(_ input: [UInt8], _ rng: inout SplitMix64) -> Mutation { documents.mutate(input, &rng) }

    // MARK: JSON structure

    /// Every path in `value` (object keys as strings, array indexes as ints).
    package static func paths(_ value: JSONValue, _ prefix: [PathStep] = [], into out: inout [[PathStep]]) {
        out.append(prefix)
        switch value {
        case .object(let members): for (k, v) in members.sorted(by: { $0.key < $1.key }) { paths(v, prefix + [.key(k)], into: &out) }
        case .array(let items): for (i, v) in items.enumerated() { paths(v, prefix + [.index(i)], into: &out) }
        default: break
        }
    }

    package enum PathStep: Hashable, CustomStringConvertible {
        case key(String), index(Int)
        package var description: String {
            switch self {
            case .key(let k): ".\(k)";
            case .index(let i): "[\(i)]"
            }
        }
    }

    /// `value` with the node at `path` replaced by `transform(node)` (nil removes it).
    package static func updating(_ value: JSONValue, at path: ArraySlice<PathStep>, _ transform: (JSONValue) -> JSONValue?) -> JSONValue? {
        guard let step = path.first else { return transform(value) }
        switch (value, step) {
        case (.object(var members), .key(let k)):
            guard let child = members[k] else { return value }
            members[k] = updating(child, at: path.dropFirst(), transform)
            return .object(members)
        case (.array(var items), .index(let i)) where items.indices.contains(i):
            if let new = updating(items[i], at: path.dropFirst(), transform) { items[i] = new } else { items.remove(at: i) }
            return .array(items)
        default: return value
        }
    }

    package static func encode(_ value: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? [UInt8](encoder.encode(value))) ?? []
    }

    /// One structural JSON mutation (remove/replace/retype a member, mutate a base64 payload in
    /// place, duplicate a member textually); nil when `input` is not JSON.
    package static func json(_ input: [UInt8], _ rng: inout SplitMix64) -> (bytes: [UInt8], label: String)? {
        guard let (value, all) = ParsedCache.shared.parsed(input) else { return nil }
        let path = rng.pick(all)
        let where_ = path.map(\.description).joined()
        switch rng.below(6) {
        case 0 where !path.isEmpty:
            return (encode(updating(value, at: path[...], { _ in nil }) ?? .null), "remove \(where_)")
        case 1:
            let replacement: JSONValue = rng.pick([
                .null, .bool(true), .number(-1), .number(-0.0), .number(1e300), .number(9.007199254740993e15), .number(0.5),
                .string(""), .string(String(repeating: "A", count: 100_000)), .string("\u{0}"), .array([]), .object([:]),
                .array([.string("x")]), .object(["x": .number(1)]), .number(Double(Int64.max)), .number(-Double(Int64.max)),
            ])
            return (
                encode(updating(value, at: path[...], { _ in replacement }) ?? .null),
                "replace \(where_) with \(String(describing: replacement).prefix(40))"
            )
        case 2:
            // Mutate the bytes inside a base64 string (reaches DER, nested JSON, signatures).
            let strings = all.filter { p in
                if case .string(let s)? = lookup(value, p[...]), s.count >= 8, Data(base64Encoded: s) != nil { return true }
                return false
            }
            guard !strings.isEmpty else { return nil }
            let p = rng.pick(strings)
            guard case .string(let s)? = lookup(value, p[...]), let decoded = Data(base64Encoded: s) else { return nil }
            let inner = [UInt8](decoded)
            let mutated = (json(inner, &rng) ?? der(inner, &rng) ?? bytes(inner, &rng))
            let text = Data(mutated.bytes).base64EncodedString()
            return (
                encode(updating(value, at: p[...], { _ in .string(text) }) ?? .null),
                "base64 at \(p.map(\.description).joined()): \(mutated.label)"
            )
        case 3:
            // Junk in a base64 string.
            let strings = all.filter {
                if case .string(let s)? = lookup(value, $0[...]) { return s.count >= 4 }; return false
            }
            guard !strings.isEmpty else { return nil }
            let p = rng.pick(strings)
            guard case .string(var s)? = lookup(value, p[...]) else { return nil }
            let junk = rng.pick(["!", "=", " ", "\n", "-", "_", "==", "A", "\u{0}", "\u{FFFD}", "%"])
            let offset = rng.below(s.count + 1)
            s.insert(contentsOf: junk, at: s.index(s.startIndex, offsetBy: offset))
            return (
                encode(updating(value, at: p[...], { _ in .string(s) }) ?? .null),
                "junk \(junk.debugDescription) in \(p.map(\.description).joined())"
            )
        case 4:
            // Duplicate a member name textually: {"k": v, ...} → {"k": x, "k": v, ...}.
            var keys: [String] = []
            for p in all { if case .key(let k)? = p.last { keys.append(k) } }
            guard !keys.isEmpty, let brace = input.indices.filter({ input[$0] == 0x7B }).randomElement(using: &rng) else { return nil }
            let key = rng.pick(keys)
            var out = input
            out.insert(contentsOf: Array("\"\(key)\":\(rng.pick(["1", "null", "\"x\"", "{}", "[]"])),".utf8), at: brace + 1)
            return (out, "duplicate member \(key) after byte \(brace)")
        default:
            // Wrap a node in an array (type confusion) or drop an array element.
            return (encode(updating(value, at: path[...], { .array([$0]) }) ?? .null), "wrap \(where_) in an array")
        }
    }

    package static func lookup(_ value: JSONValue, _ path: ArraySlice<PathStep>) -> JSONValue? {
        guard let step = path.first else { return value }
        switch step {
        case .key(let k): return value[k].flatMap { lookup($0, path.dropFirst()) }
        case .index(let i): return value[i].flatMap { lookup($0, path.dropFirst()) }
        }
    }

    // MARK: DER

    /// Rewrites one DER length field (found by walking the TLV tree) to a lie; nil when `input` is not DER.
    package static func der(_ input: [UInt8], _ rng: inout SplitMix64) -> (bytes: [UInt8], label: String)? {
        guard input.first == 0x30, input.count > 4 else { return nil }
        var headers: [(offset: Int, lengthOffset: Int, lengthBytes: Int)] = []
        walkDER(input, 0, input.count, depth: 0, into: &headers)
        guard !headers.isEmpty else { return nil }
        let h = rng.pick(headers)
        var out = input
        let lie = rng.pick([0x00, 0x7F, 0x80, 0x81, 0x84, 0xFF] as [UInt8])
        switch rng.below(3) {
        case 0:
            out[h.lengthOffset] = lie
            return (out, "DER length byte at \(h.lengthOffset) := \(lie)")
        case 1:
            // Long form claiming 4 GiB.
            out.replaceSubrange(h.lengthOffset..<(h.lengthOffset + h.lengthBytes), with: [0x84, 0xFF, 0xFF, 0xFF, 0xFF])
            return (out, "DER length at \(h.lengthOffset) := 0xFFFFFFFF")
        default:
            out[h.offset] = rng.pick([0x02, 0x03, 0x04, 0x05, 0x06, 0x0C, 0x17, 0x18, 0x30, 0x31, 0xA0, 0xA3, 0x1F, 0xBF])
            return (out, "DER tag at \(h.offset) := \(out[h.offset])")
        }
    }

    private static func walkDER(
        _ b: [UInt8], _ start: Int, _ end: Int, depth: Int, into out: inout [(offset: Int, lengthOffset: Int, lengthBytes: Int)]
    ) {
        var i = start
        while i + 1 < end, depth < 20, out.count < 4096 {
            let tag = b[i]
            let lo = i + 1
            var len = Int(b[lo]); var lb = 1
            if len & 0x80 != 0 {
                let k = len & 0x7F
                guard k >= 1, k <= 3, lo + k < end else { return }
                len = 0
                for j in 1...k { len = (len << 8) | Int(b[lo + j]) }
                lb = 1 + k
            }
            let body = lo + lb
            guard body + len <= end else { return }
            out.append((i, lo, lb))
            if tag & 0x20 != 0 { walkDER(b, body, body + len, depth: depth + 1, into: &out) }
            i = body + len
        }
    }

    /// A JSON, DER or byte mutation, chosen by the generator.
    package static func any(_ input: [UInt8], _ rng: inout SplitMix64) -> (bytes: [UInt8], label: String) {
        switch rng.below(3) {
        case 0: if let m = json(input, &rng) { return m }
        case 1: if let m = der(input, &rng) { return m }
        default: break
        }
        return bytes(input, &rng)
    }
}

/// Parsed seeds (the JSON tree and its paths), so each case does not re-parse the original.
package final class ParsedCache: @unchecked Sendable {
    package static let shared = ParsedCache()
    private let lock = NSLock()
    private var entries: [[UInt8]: (JSONValue, [[Mutator.PathStep]])?] = [:]

    package func parsed(_ input: [UInt8]) -> (JSONValue, [[Mutator.PathStep]])? {
        if let hit = lock.withLock({ entries[input] }) { return hit }
        return Self.parse(input)
    }

    /// Remembers the parse of each seed (only seeds: mutated inputs are parsed each time).
    package func register(_ seeds: [[UInt8]]) {
        for seed in seeds where lock.withLock({ entries[seed] == nil }) {
            let result = Self.parse(seed)
            lock.withLock { entries[seed] = .some(result) }
        }
    }

    private static func parse(_ input: [UInt8]) -> (JSONValue, [[Mutator.PathStep]])? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(input)) else { return nil }
        var all: [[Mutator.PathStep]] = []
        Mutator.paths(value, into: &all)
        return (value, all)
    }
}

extension HostileRun {
    /// `cases` with this target's default mutation (JSON, DER or bytes), seeds parsed once.
    package static func cases(
        _ name: String, seeds: [[UInt8]], count: Int, seed: UInt64, budget: Duration = .seconds(15),
        mutate: ([UInt8], inout SplitMix64) -> Mutation = Mutator.any,
        _ body: (_ input: [UInt8], _ label: String) throws -> Void
    ) rethrows {
        ParsedCache.shared.register(seeds)
        try run(name, seeds: seeds, count: count, seed: seed, budget: budget, mutate: mutate, body)
    }
}

/// Deeply nested JSON: `depth` brackets (objects or arrays), closed or not.
package func deepJSON(_ depth: Int, object: Bool = false, closed: Bool = true) -> [UInt8] {
    let open = object ? Array(#"{"a":"#.utf8) : [0x5B]
    var out: [UInt8] = []
    out.reserveCapacity(depth * open.count + depth)
    for _ in 0..<depth { out += open }
    out += Array("1".utf8)
    if closed { out += [UInt8](repeating: object ? 0x7D : 0x5D, count: depth) }
    return out
}
