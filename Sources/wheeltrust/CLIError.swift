import ArgumentParser
import Foundation

/// Exit codes shared by every subcommand.
enum Exit {
    static let verified: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 2
    static let incomplete: Int32 = 3
}

/// Prints one line to stderr, `wheeltrust: error: <message>`, and returns the exit code to throw.
func fail(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("wheeltrust: error: \(message)\n".utf8))
    return ExitCode(code)
}

/// Writes text to stdout without an extra newline.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
