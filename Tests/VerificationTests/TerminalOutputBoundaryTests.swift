import Foundation
import Testing

/// The class fix of issue 9's attack 12 holds only if every write to the terminal goes through
/// `TerminalText`: the command line writes only in `TerminalOutput.swift` (whose functions take
/// `TerminalText` or JSON), `serve` logs only through `ServerLogHandler`. This test keeps any
/// other write (a future `print`, a raw `FileHandle.standardError.write`, a default logger) out
/// of the sources.
@Suite("terminal output boundary")
struct TerminalOutputBoundaryTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The files allowed to write to stdout or stderr themselves.
    static let boundary: Set<String> = ["wheeltrust/TerminalOutput.swift", "IndexServer/ServerLogHandler.swift"]

    /// Ways to reach stdout or stderr other than the boundary's functions.
    static let writes: [String] = [
        // (a dot before the name is a method, e.g. `json.dump(` in an embedded Python script)
        #"(?<![.\w])(print|debugPrint|dump|puts|fputs|fwrite|putchar)\("#,
        #"FileHandle\.standard(Output|Error)"#, #"FileHandle\(fileDescriptor:\s*(1|2|STDOUT_FILENO|STDERR_FILENO)\b"#,
        #"\bwrite\(\s*(1|2|STDOUT_FILENO|STDERR_FILENO)\s*,"#, #"\bStreamLogHandler\b"#, #"LoggingSystem\.bootstrap"#,
        #"Logger\(label:(?!.*ServerLogHandler)"#,
    ]

    @Test("no source file but the boundary writes to stdout or stderr, and every logger is built on ServerLogHandler")
    func onlyTheBoundaryWrites() throws {
        let enumerator = try #require(FileManager.default.enumerator(atPath: Self.sources.path))
        var checked = 0
        var offending: [String] = []
        let patterns = try Self.writes.map { try NSRegularExpression(pattern: $0) }
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift"), !Self.boundary.contains(relative) else { continue }
            let text = try String(contentsOf: Self.sources.appendingPathComponent(relative), encoding: .utf8)
            checked += 1
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                let range = NSRange(code.startIndex..., in: code)
                for pattern in patterns where pattern.firstMatch(in: code, range: range) != nil {
                    offending.append("\(relative):\(number + 1): \(code)")
                }
            }
        }
        #expect(checked > 50, "the sources were found (\(checked) files)")
        #expect(offending.isEmpty, "writes outside the terminal boundary:\n\(offending.joined(separator: "\n"))")
    }
}
