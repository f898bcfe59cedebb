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

/// A usage error found by a command's `validate()`: printed as the one line
/// `wheeltrust: error: <message>` (escaped) with exit code 2 (see `Wheeltrust.main`), where
/// ArgumentParser's `ValidationError` would add its usage text.
struct UsageError: Error, LocalizedError {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var errorDescription: String? { message }
}
