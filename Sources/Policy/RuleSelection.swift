import Foundation
import PythonPackaging

/// Which rule of a policy decides one package, and which rules were passed over because they expired.
///
/// Guarantees: `rule` is the first rule in order that covers the package (its name and the index
/// that serves it) and has not expired on the day judged; every rule before it that would have
/// covered the package but expired is listed in `expired`, so the report can say so. `rule` nil:
/// no rule matches (the package fails).
public struct RuleSelection: Sendable, Hashable {
    public var rule: Rule?
    public var expired: [Rule]

    /// One line: which rule decides, or that none does, with the expired rules skipped.
    public var summary: String {
        var parts: [String] = []
        if let rule {
            var text = "\(rule.label) (require \(rule.requirement.rawValue))"
            if let expires = rule.expires { text += ", expires \(expires)" }
            parts.append(text)
        } else {
            parts.append("no policy rule matches")
        }
        for skipped in expired {
            parts.append("\(skipped.label) expired on \(skipped.expires.map(\.description) ?? "?") and was skipped")
        }
        return parts.joined(separator: "; ")
    }
}

extension Policy {
    /// The rule that decides `project` served by `indexURL`, judged on `date` (UTC day).
    public func select(_ project: ProjectName, indexURL: URL?, on date: Date = Date()) -> RuleSelection {
        let day = PolicyDate(date)
        var expired: [Rule] = []
        for rule in rules where rule.covers(project, indexURL: indexURL) {
            if rule.isExpired(on: day) {
                expired.append(rule)
                continue
            }
            return RuleSelection(rule: rule, expired: expired)
        }
        return RuleSelection(rule: nil, expired: expired)
    }
}
