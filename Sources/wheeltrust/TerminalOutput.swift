import Foundation
import PythonPackaging

// The only place the command line writes to stdout and stderr. Text goes out as `TerminalText`,
// so every untrusted value in it (names, paths, index responses, attestation fields, messages
// built from them) was escaped when it was interpolated; JSON goes out with every character a
// terminal would act on or hide written as a JSON escape. A test keeps other writes out of the
// sources.

/// Writes text to stdout without an extra newline.
func emit(_ text: TerminalText) {
    FileHandle.standardOutput.write(Data(text.rendered.utf8))
}

/// Writes text to stderr without an extra newline.
func emitError(_ text: TerminalText) {
    FileHandle.standardError.write(Data(text.rendered.utf8))
}

/// Writes a JSON document (as `JSONEncoder` made it) and a newline to stdout: the values a
/// parser reads are unchanged; C1 controls, bidirectional and invisible characters are written
/// as `\uHHHH` escapes.
func emitJSON(_ document: Data) {
    let text = TerminalEscaping.escapeJSON(String(decoding: document, as: UTF8.self))
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// A message of the argument parser (its usage text has several lines): each line escaped,
/// the parser's own line breaks kept.
func parserMessage(_ message: String) -> TerminalText {
    message.split(separator: "\n", omittingEmptySubsequences: false)
        .map { TerminalText(escaping: $0) }
        .joined(separator: "\n")
}
