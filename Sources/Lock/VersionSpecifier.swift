import PythonPackaging

/// PEP 440 version specifiers (`>=3.9, <4`, `==3.11.*`, `~=2.2`), as PEP 508 markers and
/// `requires-python` use them.
///
/// Guarantees: `parse` accepts only clauses of the forms the PEP defines (an operator and a valid
/// version; `.*` only after `==`/`!=`), anything else is nil; `contains` is the conjunction of the
/// clauses, with versions compared as PEP 440 orders them (``PythonVersion``), prefix matches on
/// release segments with missing segments as zero, `~=V` as `>=V, ==V'.*` where V' drops V's last
/// release segment, and `===` as exact text equality.
struct VersionSpecifier: Sendable, Equatable {
    struct Clause: Sendable, Equatable {
        var op: String
        var version: String
        var wildcard: Bool
    }

    static let operators = ["===", "~=", "==", "!=", "<=", ">=", "<", ">"]

    var clauses: [Clause]

    init?(_ text: String) {
        var clauses: [Clause] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: false) {
            let clause = piece.trimmingCharacters(in: .whitespaces)
            guard let op = Self.operators.first(where: { clause.hasPrefix($0) }) else { return nil }
            var version = String(clause.dropFirst(op.count)).trimmingCharacters(in: .whitespaces)
            var wildcard = false
            if version.hasSuffix(".*") {
                guard op == "==" || op == "!=" else { return nil }
                wildcard = true
                version.removeLast(2)
            }
            guard !version.isEmpty else { return nil }
            if op != "===" {
                guard PythonVersion(version).isValid else { return nil }
                if op == "~=", Self.release(version).count < 2 { return nil }
            }
            clauses.append(Clause(op: op, version: version, wildcard: wildcard))
        }
        guard !clauses.isEmpty else { return nil }
        self.clauses = clauses
    }

    /// Whether `candidate` satisfies every clause; a candidate that is not a valid version
    /// satisfies only `===` clauses with its exact text.
    func contains(_ candidate: String) -> Bool {
        clauses.allSatisfy { Self.matches(candidate, $0) }
    }

    static func matches(_ candidate: String, _ clause: Clause) -> Bool {
        if clause.op == "===" { return candidate == clause.version }
        let version = PythonVersion(candidate)
        guard version.isValid else { return false }
        let wanted = PythonVersion(clause.version)
        switch clause.op {
        case "==": return clause.wildcard ? prefixMatch(candidate, clause.version) : version == wanted
        case "!=": return clause.wildcard ? !prefixMatch(candidate, clause.version) : version != wanted
        case "<=": return version <= wanted
        case ">=": return version >= wanted
        case "<": return version < wanted
        case ">": return version > wanted
        case "~=":
            let prefix = release(clause.version).dropLast().map(String.init).joined(separator: ".")
            return version >= wanted && prefixMatch(candidate, prefix)
        default: return false
        }
    }

    /// The leading release segments of a version's text (`3.11.2rc1` → [3, 11, 2]); an epoch
    /// `N!` is kept out.
    static func release(_ text: String) -> [Int] {
        var text = Substring(text.lowercased())
        if text.hasPrefix("v") { text = text.dropFirst() }
        if let bang = text.firstIndex(of: "!") { text = text[text.index(after: bang)...] }
        var segments: [Int] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            let digits = part.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int(digits) else { break }
            segments.append(value)
            if digits.count != part.count { break }
        }
        return segments
    }

    /// `candidate`'s release begins with `prefix`'s segments (missing segments are zero).
    static func prefixMatch(_ candidate: String, _ prefix: String) -> Bool {
        let wanted = release(prefix)
        var have = release(candidate)
        while have.count < wanted.count { have.append(0) }
        return Array(have.prefix(wanted.count)) == wanted
    }
}
