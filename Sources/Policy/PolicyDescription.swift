/// A policy as understood, for people (`wheeltrust policy check`): its source, anchors and rules
/// in order, each rule with what it covers, what it requires and which signers it accepts.
///
/// Guarantees: a pure function of the policy; every rule is listed, none merged or reordered.
/// Text from the file is returned as is: the caller escapes it for the terminal.
public enum PolicyDescription {
    public static func lines(_ policy: Policy) -> [String] {
        var lines: [String] = []
        let source = policy.path ?? (policy.origin == .builtIn ? BuiltInPolicy.name : "command-line flags")
        lines.append("policy \(source) (\(policy.origin.rawValue))" + (policy.sha256.map { " sha256 \($0)" } ?? ""))
        for name in policy.keys.keys.sorted() {
            guard let anchor = policy.keys[name] else { continue }
            lines.append("  key \(name): \(anchor.origin), \(anchor.key.key.kind), \(anchor.fingerprint)")
        }
        for name in policy.identities.keys.sorted() {
            guard let anchor = policy.identities[name] else { continue }
            lines.append("  identity \(name): \(anchor.summary)")
        }
        for rule in policy.rules {
            lines.append(describe(rule))
        }
        return lines
    }

    /// One rule on one line.
    public static func describe(_ rule: Rule) -> String {
        var parts: [String] = []
        parts.append("packages " + rule.packages.map(\.text).joined(separator: ", "))
        if let index = rule.index { parts.append("from index \(index.normalized)") }
        parts.append("require \(rule.requirement.rawValue)")
        if rule.requirement == .provenance {
            var signers: [String] = []
            signers += rule.keys.map { "key \($0)" }
            signers += rule.identities.map { "identity \($0)" }
            if rule.indexPublisher { signers.append("keyless by the index-named publisher") }
            parts.append("signed by " + signers.joined(separator: " or "))
            if let builders = rule.builders { parts.append("builders " + builders.joined(separator: ", ")) }
            if let types = rule.predicateTypes { parts.append("predicate types " + types.joined(separator: ", ")) }
        }
        if let reason = rule.reason { parts.append("reason: \(reason)") }
        if let expires = rule.expires { parts.append("expires \(expires)") }
        let at = rule.line.map { " (line \($0))" } ?? ""
        return "  \(rule.label)\(at): " + parts.joined(separator: "; ")
    }
}
