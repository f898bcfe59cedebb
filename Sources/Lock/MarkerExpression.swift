import PythonPackaging

/// A PEP 508 environment marker (`python_version >= "3.9" and sys_platform == "linux"`), with
/// PEP 751's `extras` and `dependency_groups` variables (sets of names, used as `"x" in extras`).
///
/// Guarantees: `parse` accepts exactly the PEP 508 marker grammar (`or` of `and` of comparisons or
/// parenthesised markers; each comparison a variable or a quoted string on each side), and names
/// the first problem otherwise; evaluation compares as `packaging` does: a version operator with
/// both sides valid versions compares PEP 440 versions, `==`/`!=` otherwise compare text, `in`
/// and `not in` test substrings (membership for `extras`/`dependency_groups`, by normalised
/// name); any other comparison is an error, never silently true or false.
indirect enum MarkerExpression: Sendable, Equatable {
    case and(MarkerExpression, MarkerExpression)
    case or(MarkerExpression, MarkerExpression)
    case compare(MarkerOperand, String, MarkerOperand)

    static let variables: Set<String> = [
        "os_name", "sys_platform", "platform_machine", "platform_python_implementation", "platform_release",
        "platform_system", "platform_version", "python_version", "python_full_version", "implementation_name",
        "implementation_version", "extra", "extras", "dependency_groups",
    ]

    /// Why a marker could not be read or evaluated.
    struct Problem: Error, Sendable, Equatable {
        var message: String
    }

    static func parse(_ text: String) throws(Problem) -> MarkerExpression {
        var parser = Parser(tokens: try tokenize(text))
        let expression = try parser.or()
        guard parser.atEnd else { throw Problem(message: "unexpected \(parser.describeNext()) in marker") }
        return expression
    }

    /// The marker's value in `environment` (extras and dependency groups as sets of names).
    func evaluate(_ environment: MarkerEnvironment) throws(Problem) -> Bool {
        switch self {
        case .and(let left, let right):
            // Both sides are evaluated: a comparison that cannot be decided is an error wherever it is.
            let (a, b) = (try left.evaluate(environment), try right.evaluate(environment))
            return a && b
        case .or(let left, let right):
            let (a, b) = (try left.evaluate(environment), try right.evaluate(environment))
            return a || b
        case .compare(let left, let op, let right): return try Self.compare(left, op, right, environment)
        }
    }

    static func compare(
        _ left: MarkerOperand, _ op: String, _ right: MarkerOperand, _ environment: MarkerEnvironment
    )
        throws(Problem) -> Bool
    {
        // The set-valued variables: only membership makes sense.
        if case .variable(let name) = right, let set = environment.sets[name] {
            guard case .string(let value) = left, op == "in" || op == "not in" else {
                throw Problem(message: "\(name) can only be tested with \"name\" in \(name)")
            }
            let member = set.contains(ProjectName.normalize(value))
            return op == "in" ? member : !member
        }
        let lhs = try value(left, environment)
        let rhs = try value(right, environment)
        switch op {
        case "in": return rhs.contains(lhs)
        case "not in": return !rhs.contains(lhs)
        default:
            if let specifier = VersionSpecifier("\(op)\(rhs)"), PythonVersion(lhs).isValid {
                return specifier.contains(lhs)
            }
            switch op {
            case "==", "===": return lhs == rhs
            case "!=": return lhs != rhs
            default: throw Problem(message: "cannot compare \"\(lhs)\" \(op) \"\(rhs)\" (not versions)")
            }
        }
    }

    static func value(_ operand: MarkerOperand, _ environment: MarkerEnvironment) throws(Problem) -> String {
        switch operand {
        case .string(let text): return text
        case .variable(let name):
            if environment.sets[name] != nil { throw Problem(message: "\(name) is a set; test it with \"name\" in \(name)") }
            guard let value = environment.values[name] else { throw Problem(message: "no value for \(name)") }
            return value
        }
    }

    enum Token: Equatable {
        case word(String)
        case string(String)
        case op(String)
        case open, close
    }

    static func tokenize(_ text: String) throws(Problem) -> [Token] {
        var tokens: [Token] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let c = scalars[index]
            if c == " " || c == "\t" {
                index += 1
            } else if c == "(" {
                tokens.append(.open)
                index += 1
            } else if c == ")" {
                tokens.append(.close)
                index += 1
            } else if c == "\"" || c == "'" {
                var end = index + 1
                while end < scalars.count, scalars[end] != c { end += 1 }
                guard end < scalars.count else { throw Problem(message: "unterminated string in marker") }
                var value = String.UnicodeScalarView()
                value.append(contentsOf: scalars[(index + 1)..<end])
                tokens.append(.string(String(value)))
                index = end + 1
            } else if "<>=!~".unicodeScalars.contains(c) {
                var end = index
                while end < scalars.count, "<>=!~".unicodeScalars.contains(scalars[end]) { end += 1 }
                var value = String.UnicodeScalarView()
                value.append(contentsOf: scalars[index..<end])
                let op = String(value)
                guard VersionSpecifier.operators.contains(op) else { throw Problem(message: "unknown operator \(op) in marker") }
                tokens.append(.op(op))
                index = end
            } else if c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c) {
                var end = index
                while end < scalars.count, scalars[end].properties.isAlphabetic || scalars[end] == "_" || ("0"..."9").contains(scalars[end])
                {
                    end += 1
                }
                var value = String.UnicodeScalarView()
                value.append(contentsOf: scalars[index..<end])
                tokens.append(.word(String(value)))
                index = end
            } else {
                throw Problem(message: "unexpected character \(c.escaped(asASCII: true)) in marker")
            }
        }
        return tokens
    }

    struct Parser {
        var tokens: [Token]
        var index = 0

        var atEnd: Bool { index >= tokens.count }

        func describeNext() -> String {
            guard index < tokens.count else { return "end" }
            switch tokens[index] {
            case .word(let word): return "'\(word)'"
            case .string(let text): return "string \"\(text)\""
            case .op(let op): return "'\(op)'"
            case .open: return "'('"
            case .close: return "')'"
            }
        }

        mutating func or() throws(Problem) -> MarkerExpression {
            var expression = try and()
            while index < tokens.count, tokens[index] == .word("or") {
                index += 1
                expression = .or(expression, try and())
            }
            return expression
        }

        mutating func and() throws(Problem) -> MarkerExpression {
            var expression = try atom()
            while index < tokens.count, tokens[index] == .word("and") {
                index += 1
                expression = .and(expression, try atom())
            }
            return expression
        }

        mutating func atom() throws(Problem) -> MarkerExpression {
            if index < tokens.count, tokens[index] == .open {
                index += 1
                let inner = try or()
                guard index < tokens.count, tokens[index] == .close else {
                    throw Problem(message: "expected ')' in marker, found \(describeNext())")
                }
                index += 1
                return inner
            }
            let left = try operand()
            let op = try comparison()
            let right = try operand()
            return .compare(left, op, right)
        }

        mutating func operand() throws(Problem) -> MarkerOperand {
            guard index < tokens.count else { throw Problem(message: "marker ends where a value was expected") }
            switch tokens[index] {
            case .string(let text):
                index += 1
                return .string(text)
            case .word(let word) where MarkerExpression.variables.contains(word):
                index += 1
                return .variable(word)
            default:
                throw Problem(message: "expected a marker variable or a quoted string, found \(describeNext())")
            }
        }

        mutating func comparison() throws(Problem) -> String {
            guard index < tokens.count else { throw Problem(message: "marker ends where an operator was expected") }
            switch tokens[index] {
            case .op(let op):
                index += 1
                return op
            case .word("in"):
                index += 1
                return "in"
            case .word("not") where index + 1 < tokens.count && tokens[index + 1] == .word("in"):
                index += 2
                return "not in"
            default:
                throw Problem(message: "expected a comparison operator, found \(describeNext())")
            }
        }
    }
}

/// One side of a marker comparison.
enum MarkerOperand: Sendable, Equatable {
    case variable(String)
    case string(String)
}
