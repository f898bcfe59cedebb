/// The single error type of the Policy module: a policy that cannot be used.
///
/// Guarantees: `message` is one line naming the file, the line (when the problem is at a place in
/// the file; else the table path) and the problem, `FILE:LINE: problem`; it never quotes a key
/// file's contents. Every policy problem is a configuration error (exit 2) for the command line.
public struct PolicyError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// The file cannot be read (missing, not a regular file, too large, not UTF-8).
        case unreadable
        /// Not valid TOML.
        case syntax
        /// Valid TOML that is not a valid policy (unknown key, wrong type, empty list, bad value…).
        case invalid
        /// A key anchor's file is not a public key, or not the key its fingerprint names.
        case key
        /// Trust given both by command-line flags and by a policy file.
        case conflict
    }

    public let code: Code
    /// The policy file as named (or `built-in policy`).
    public let file: String
    /// 1-based line of the problem, when known.
    public let line: Int?
    /// The problem, without the location.
    public let problem: String

    public init(_ code: Code, file: String, line: Int?, _ problem: String) {
        self.code = code
        self.file = file
        self.line = line
        self.problem = problem
    }

    /// `FILE:LINE: problem`, or `FILE: problem` when no line applies.
    public var message: String {
        if let line { return "\(file):\(line): \(problem)" }
        return "\(file): \(problem)"
    }

    public var description: String { message }
}
