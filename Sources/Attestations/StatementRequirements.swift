/// What a trust policy adds to the checks every statement passes (``StatementChecks``): which
/// builders and which predicate types it accepts for the packages it covers.
///
/// Guarantees: with a list set, its check is always reported and passes only when the statement
/// states a value on the list: the builder id (``BuildSummary/builderID``, Red Hat's nested SLSA
/// v0.2 shape included) compared exactly — a statement that states no builder fails; the
/// predicate type compared exactly, and for the nested shape the inner statement's predicate type
/// too. A list set to empty accepts nothing. With no list set, no check is added.
public struct StatementRequirements: Sendable, Hashable {
    public static let builder = "builder"
    public static let allowedPredicateType = "allowed predicate type"

    /// Allowed SLSA builder ids; nil: any.
    public var builders: [String]?
    /// Allowed predicate types; nil: any that ``StatementChecks`` accepts.
    public var predicateTypes: [String]?
    /// Who sets these, for the failure text (e.g. `rule 2`).
    public var origin: String

    public init(builders: [String]? = nil, predicateTypes: [String]? = nil, origin: String = "the policy") {
        self.builders = builders
        self.predicateTypes = predicateTypes
        self.origin = origin
    }

    public var isEmpty: Bool { builders == nil && predicateTypes == nil }

    /// The checks of `statement` against these lists.
    public func evaluate(_ statement: Statement) -> [StatementCheck] {
        var checks: [StatementCheck] = []
        if let predicateTypes {
            var stated = [statement.predicateType]
            if statement.predicate["_type"]?.stringValue != nil, let inner = statement.predicate["predicateType"]?.stringValue {
                stated.append(inner)
            }
            let refused = stated.filter { !predicateTypes.contains($0) }
            checks.append(
                StatementCheck(
                    name: Self.allowedPredicateType, passed: refused.isEmpty,
                    detail: refused.isEmpty
                        ? "\(stated.joined(separator: ", ")) allowed by \(origin)"
                        : "predicate type \(StatementChecks.excerpt(refused[0])) is not allowed by \(origin) "
                            + "(allowed: \(predicateTypes.joined(separator: ", ")))"))
        }
        if let builders {
            let builder = statement.build.builderID
            let allowed = builder.map { builders.contains($0) } ?? false
            let detail: String
            if let builder {
                detail =
                    allowed
                    ? "builder \(StatementChecks.excerpt(builder)) allowed by \(origin)"
                    : "builder \(StatementChecks.excerpt(builder)) is not allowed by \(origin) (allowed: \(builders.joined(separator: ", ")))"
            } else {
                detail = "the statement names no builder; \(origin) allows only \(builders.joined(separator: ", "))"
            }
            checks.append(StatementCheck(name: Self.builder, passed: allowed, detail: detail))
        }
        return checks
    }
}
