import Foundation
import IndexServer
import Logging
import PythonPackaging
import Testing

/// `serve`'s log: what clients send reaches the operator's terminal escaped.
@Suite("server log handler")
struct ServerLogHandlerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String] = []
        func append(_ line: String) { lock.withLock { stored.append(line) } }
        var all: [String] { lock.withLock { stored } }
    }

    @Test("message, metadata keys and values (nested too), provider metadata and errors are escaped; one line per event")
    func escapesEverything() {
        let lines = Lines()
        let provider = Logger.MetadataProvider { ["peer": "10.0.0.1\u{1B}[2K"] }
        var logger = Logger(label: "wheeltrust.serve") { ServerLogHandler(label: $0, metadataProvider: provider, write: lines.append) }
        logger.logLevel = .warning
        logger[metadataKey: "request"] = "GET /simple/\u{1B}[1A\u{1B}[2K\r  ✓ VERIFIED FORGED\n"
        struct Hostile: Error, CustomStringConvertible { var description: String { "bad \u{202E}gnp.exe\u{9B}2J" } }
        logger.error(
            "refused \u{1B}]0;title\u{07}", error: Hostile(),
            metadata: [
                "path\u{1B}[31m": .array(["a\nb", .dictionary(["k\u{200B}": "v\u{7F}"])]),
                "size": .stringConvertible(3),
            ])
        logger.info("not shown below the level")
        let written = lines.all
        #expect(written.count == 1)
        let line = written.first ?? ""
        #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" }, "\(line.debugDescription)")
        #expect(!line.dropLast().unicodeScalars.contains { TerminalEscaping.mustEscape($0) }, "\(line.debugDescription)")
        #expect(line.contains("error wheeltrust.serve: refused \\x1b]0;title\\x07"), "\(line)")
        #expect(line.contains("request=GET /simple/\\x1b[1A\\x1b[2K\\r  ✓ VERIFIED FORGED\\n"), "\(line)")
        #expect(line.contains("path\\x1b[31m=[a\\nb, [k\\u{200B}: v\\x7f]]"), "\(line)")
        #expect(line.contains("peer=10.0.0.1\\x1b[2K") && line.contains("size=3"), "\(line)")
        #expect(line.contains("error=bad \\u{202E}gnp.exe\\u{009B}2J"), "\(line)")
    }
}
