import Foundation

/// The interpreter wheeltrust actually runs for an environment, and why it is trusted.
///
/// Guarantees: for a virtual environment `path` is the base interpreter that its `pyvenv.cfg`
/// names, checked to lie outside the environment (every link on the way to it included), to be an
/// executable binary (not a script), to be the Python version the file states, and to be what the
/// environment's own `bin/python*` are (links to it, or byte-identical copies); for any other
/// interpreter it is the interpreter the user named. Either way it is only ever started with
/// ``isolationArguments``, an empty environment and `/` as its working directory, so that
/// nothing of the checked environment runs in it.
public struct TrustedInterpreter: Sendable, Hashable, Codable {
    /// Why this interpreter may be run.
    public enum Basis: String, Sendable, Hashable, Codable {
        /// The base interpreter of a virtual environment, established from its checked `pyvenv.cfg`.
        case virtualEnvironmentBase = "venv-base"
        /// The interpreter the user named (not a virtual environment's).
        case named
    }

    /// The file that is run (as run: not resolved, so that Python finds its own prefix as usual).
    public let path: String
    public let basis: Basis
    /// One line saying why `path` is trusted (what was checked).
    public let reason: String

    /// `-I`: isolated (no `PYTHON*` variables, no user site, no script or current directory on
    /// `sys.path`); `-S`: no `site`, so no `.pth`, `sitecustomize` or `usercustomize` runs and no
    /// site-packages is on `sys.path`; `-B`: no bytecode written.
    public static let isolationArguments = ["-I", "-S", "-B"]

    public init(path: String, basis: Basis, reason: String) {
        self.path = path
        self.basis = basis
        self.reason = reason
    }

    /// `text` (a path, a reason) with control and format characters shown as `\u{…}` escapes, for
    /// a terminal.
    public static func shown(_ text: String) -> String { PathResolution.shown(text) }

    /// Runs `script` (`python -I -S -B -c script arguments…`) through the one process runner, with
    /// an empty environment and `/` as working directory.
    public func run(
        script: String, arguments: [String] = [], input: [UInt8]? = nil, timeoutSeconds: Int,
        maxOutputBytes: Int
    ) async throws(PackagingError) -> InterpreterProcess.Output {
        try await Self.run(
            path, script: script, arguments: arguments, input: input,
            timeoutSeconds: timeoutSeconds, maxOutputBytes: maxOutputBytes)
    }

    /// The same for any interpreter path (the one place the isolation is spelled out).
    public static func run(
        _ interpreter: String, script: String, arguments: [String] = [], input: [UInt8]? = nil,
        timeoutSeconds: Int, maxOutputBytes: Int
    ) async throws(PackagingError) -> InterpreterProcess.Output {
        try await InterpreterProcess.run(
            interpreter, arguments: isolationArguments + ["-c", script] + arguments,
            input: input.map { .init($0) }, environment: [:], currentDirectory: "/",
            timeoutSeconds: timeoutSeconds, maxOutputBytes: maxOutputBytes)
    }
}
