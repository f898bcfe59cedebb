import PythonPackaging

/// The outcome of one check of a statement against the file it should describe.
public struct StatementCheck: Sendable, Hashable {
    /// A short stable name, e.g. `subject name`.
    public var name: String
    public var passed: Bool
    /// One line saying what was compared and found.
    public var detail: String

    public init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}

/// The checks a signed statement must pass to vouch for one distribution file.
///
/// Guarantees: every check is always reported (none is skipped because another failed), so a
/// caller can require that all passed. The subject name is compared *parsed* as a distribution
/// filename (normalised project name, PEP 440 version, build tag, tag sets), so a wheel whose
/// compressed tags are written in another order still matches; a name that is not a wheel or sdist
/// filename on either side only matches the other exactly, character for character.
public enum StatementChecks {
    public static let statementType = "statement type"
    public static let predicateType = "predicate type"
    public static let singleSubject = "single subject"
    public static let subjectName = "subject name"
    public static let subjectDigest = "subject digest"

    /// in-toto statement types accepted.
    public static let allowedStatementTypes: Set<String> = [Statement.inTotoV01, Statement.inTotoV1]
    /// Predicate types accepted.
    public static let allowedPredicateTypes: Set<String> = [Statement.slsaV02, Statement.slsaV1, Statement.pypiPublishV1]

    /// Evaluates `statement` against the file named `distribution` whose SHA-256 is `sha256Hex`
    /// (a validated digest: text from an index page, a statement or a command line is parsed into
    /// a ``SHA256Hex`` where it enters, and refused there when it is not one).
    public static func evaluate(_ statement: Statement, distribution: String, sha256Hex: SHA256Hex) -> [StatementCheck] {
        var checks: [StatementCheck] = []
        let typeOK = allowedStatementTypes.contains(statement.type)
        checks.append(
            StatementCheck(
                name: statementType, passed: typeOK,
                detail: typeOK ? statement.type : "\(excerpt(statement.type)) is not an accepted in-toto statement type"
            ))
        let predicateOK = allowedPredicateTypes.contains(statement.predicateType)
        checks.append(
            StatementCheck(
                name: predicateType, passed: predicateOK,
                detail: predicateOK ? statement.predicateType : "\(excerpt(statement.predicateType)) is not an accepted predicate type"
            ))
        let count = statement.subjects.count
        checks.append(
            StatementCheck(
                name: singleSubject, passed: count == 1,
                detail: count == 1 ? "one subject" : "\(count) subjects; exactly one is required"
            ))
        guard count == 1, let subject = statement.subjects.first else {
            let why = count == 0 ? "no subject" : "\(count) subjects, none can be chosen"
            checks.append(StatementCheck(name: subjectName, passed: false, detail: why))
            checks.append(StatementCheck(name: subjectDigest, passed: false, detail: why))
            return checks
        }
        checks.append(nameCheck(subject.name, distribution: distribution))
        checks.append(digestCheck(subject.digest, sha256Hex: sha256Hex))
        return checks
    }

    static func nameCheck(_ name: String, distribution: String) -> StatementCheck {
        let expected = try? DistributionFilename(parsing: distribution)
        let actual = try? DistributionFilename(parsing: name)
        switch (expected, actual) {
        case let (expected?, actual?):
            let equal = expected == actual
            return StatementCheck(
                name: subjectName, passed: equal,
                detail: equal
                    ? "\(excerpt(name)) names \(excerpt(distribution))" : "subject \(excerpt(name)) does not name \(excerpt(distribution))"
            )
        case (_?, nil):
            return StatementCheck(name: subjectName, passed: false, detail: "subject \(excerpt(name)) is not a distribution filename")
        case (nil, _):
            let equal = name == distribution
            return StatementCheck(
                name: subjectName, passed: equal,
                detail: equal
                    ? "\(excerpt(name)) (compared exactly: not a distribution filename)"
                    : "subject \(excerpt(name)) is not \(excerpt(distribution))"
            )
        }
    }

    static func digestCheck(_ digest: [String: String], sha256Hex: SHA256Hex) -> StatementCheck {
        let expected = sha256Hex.text
        guard let stated = digest["sha256"] else {
            let algorithms = digest.keys.sorted().joined(separator: ", ")
            return StatementCheck(
                name: subjectDigest, passed: false,
                detail: "subject has no sha256 digest (has: \(algorithms.isEmpty ? "none" : excerpt(algorithms)))")
        }
        let equal = stated.lowercased() == expected
        return StatementCheck(
            name: subjectDigest, passed: equal,
            detail: equal ? "sha256 \(expected)" : "subject sha256 \(excerpt(stated)) differs from the file's \(expected)"
        )
    }

    /// Hostile text shortened for messages.
    static func excerpt(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(200)) + "…"
    }
}
