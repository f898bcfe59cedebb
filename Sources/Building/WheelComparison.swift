import Foundation
import PythonPackaging

/// Two wheels compared as a rebuild must: bytes first, then member by member with what a zip may
/// legitimately vary set aside (member order, timestamps, compression, permissions), as OSS
/// Rebuild's stabilisers do.
///
/// Guarantees: `.identical` only when the two files' sha256 are equal; `.equivalent` only when
/// both hold exactly the same member names with byte-identical contents (each member inflated
/// with the bounded reader verification uses); otherwise `.different` lists every member only in
/// one of them and every member whose contents differ, sorted by name.
public enum WheelComparison: Sendable, Hashable {
    case identical
    case equivalent
    case different([MemberDifference])

    public struct MemberDifference: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Codable {
            case onlyInAttested = "only-in-attested"
            case onlyInRebuilt = "only-in-rebuilt"
            case contentDiffers = "content-differs"
        }
        public let member: String
        public let kind: Kind
        /// For `contentDiffers`: the sizes and sha256 of both sides, in words.
        public let detail: String
        /// With `diff`, the text differences of a UTF-8 member (nil for binary or too large).
        public var diff: String?
    }

    public static func compare(attested: String, rebuilt: String, withDiff: Bool = false) throws(BuildError) -> WheelComparison {
        func digest(_ path: String) throws(BuildError) -> String {
            do {
                return try FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest.hex
            } catch {
                throw BuildError(.operational, "cannot read \(path): \(error.message)")
            }
        }
        if try digest(attested) == digest(rebuilt) { return .identical }
        let left: ZipArchive
        let right: ZipArchive
        do {
            left = try ZipArchive(path: attested)
            right = try ZipArchive(path: rebuilt)
        } catch {
            throw BuildError(.operational, "cannot open a wheel to compare: \(error.message)")
        }
        let leftNames = Set(left.entries.filter { !$0.isDirectory }.map(\.name))
        let rightNames = Set(right.entries.filter { !$0.isDirectory }.map(\.name))
        var differences: [MemberDifference] = []
        for name in leftNames.subtracting(rightNames) {
            differences.append(MemberDifference(member: name, kind: .onlyInAttested, detail: "not in the rebuilt wheel"))
        }
        for name in rightNames.subtracting(leftNames) {
            differences.append(MemberDifference(member: name, kind: .onlyInRebuilt, detail: "not in the attested wheel"))
        }
        for name in leftNames.intersection(rightNames) {
            guard let a = left.entry(named: name), let b = right.entry(named: name) else { continue }
            let bytesA: [UInt8]
            let bytesB: [UInt8]
            do {
                bytesA = try left.data(of: a)
                bytesB = try right.data(of: b)
            } catch {
                throw BuildError(.operational, "cannot read member \(TerminalEscaping.escape(name)): \(error.message)")
            }
            guard bytesA != bytesB else { continue }
            let detail =
                "attested \(bytesA.count) bytes sha256 \(FileDigest.compute(bytesA, algorithm: .sha256).hex), "
                + "rebuilt \(bytesB.count) bytes sha256 \(FileDigest.compute(bytesB, algorithm: .sha256).hex)"
            var difference = MemberDifference(member: name, kind: .contentDiffers, detail: detail)
            if withDiff { difference.diff = TextDiff.lines(bytesA, bytesB) }
            differences.append(difference)
        }
        if differences.isEmpty { return .equivalent }
        return .different(differences.sorted { $0.member < $1.member })
    }
}

/// A small line diff (longest common subsequence) of two UTF-8 texts, for `rebuild --diff`.
///
/// Guarantees: nil for input that is not UTF-8 or has more than ``maxLines`` lines on either
/// side; otherwise lines prefixed `-` (attested only) and `+` (rebuilt only), in order, each
/// escaped for a terminal.
enum TextDiff {
    static let maxLines = 2000

    static func lines(_ a: [UInt8], _ b: [UInt8]) -> String? {
        guard let textA = String(validating: a, as: UTF8.self), let textB = String(validating: b, as: UTF8.self) else { return nil }
        let x = textA.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let y = textB.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard x.count <= maxLines, y.count <= maxLines else { return nil }
        // lcs[i][j]: the longest common subsequence of x[i...] and y[j...].
        var lcs = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in stride(from: x.count - 1, through: 0, by: -1) {
            for j in stride(from: y.count - 1, through: 0, by: -1) {
                lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var output: [String] = []
        var i = 0
        var j = 0
        while i < x.count || j < y.count {
            if i < x.count, j < y.count, x[i] == y[j] {
                i += 1
                j += 1
            } else if j < y.count, i == x.count || lcs[i][j + 1] >= lcs[i + 1][j] {
                output.append("+" + TerminalEscaping.escape(y[j]))
                j += 1
            } else {
                output.append("-" + TerminalEscaping.escape(x[i]))
                i += 1
            }
        }
        return output.joined(separator: "\n")
    }
}
