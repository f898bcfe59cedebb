import ArgumentParser
import Foundation
import PythonPackaging

/// Exit codes shared by every subcommand.
enum Exit {
    static let verified: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    static let incomplete: Int32 = 3
}

/// Prints one line to stderr, `wheeltrust: error: <message>`, and returns the exit code to throw.
/// Whatever the message interpolates is escaped (``TerminalText``).
func fail(_ message: TerminalText, code: Int32) -> ExitCode {
    emitError("wheeltrust: error: \(message)\n")
    return ExitCode(code)
}
