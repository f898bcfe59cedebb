/// Who built an artifact, how and when, as a provenance predicate states it.
///
/// Read from SLSA v0.2 (flat, and the nested shape whose predicate is itself a whole statement),
/// SLSA v1 (`buildDefinition`, `runDetails`) and PyPI publish v1 (which states none of these).
/// Every field is `nil` when the predicate does not state it; nothing here is verified on its own:
/// it is only as trustworthy as the signature over the statement.
public struct BuildSummary: Sendable, Hashable {
    public var builderID: String?
    public var buildType: String?
    /// The finish time exactly as written (RFC 3339).
    public var finishedOn: String?
    public var invocationURI: String?

    public init(builderID: String? = nil, buildType: String? = nil, finishedOn: String? = nil, invocationURI: String? = nil) {
        self.builderID = builderID
        self.buildType = buildType
        self.finishedOn = finishedOn
        self.invocationURI = invocationURI
    }

    init(predicateType: String, predicate: JSONValue, depth: Int = 0) {
        // Nested shape: the predicate is a whole statement; read its predicate (one level only).
        if depth == 0, predicate["_type"]?.stringValue != nil, let inner = predicate["predicate"],
            let innerType = predicate["predicateType"]?.stringValue
        {
            self.init(predicateType: innerType, predicate: inner, depth: 1)
            return
        }
        switch predicateType {
        case Statement.slsaV02:
            self.init(
                builderID: predicate["builder"]?["id"]?.stringValue,
                buildType: predicate["buildType"]?.stringValue,
                finishedOn: predicate["metadata"]?["buildFinishedOn"]?.stringValue,
                invocationURI: predicate["metadata"]?["buildInvocationId"]?.stringValue
            )
        case Statement.slsaV1:
            self.init(
                builderID: predicate["runDetails"]?["builder"]?["id"]?.stringValue,
                buildType: predicate["buildDefinition"]?["buildType"]?.stringValue,
                finishedOn: predicate["runDetails"]?["metadata"]?["finishedOn"]?.stringValue,
                invocationURI: predicate["runDetails"]?["metadata"]?["invocationId"]?.stringValue
            )
        default:
            // PyPI publish v1 and unknown predicates state no build details.
            self.init()
        }
    }
}
