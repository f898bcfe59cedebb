import Foundation
import Logging
import PythonPackaging

/// The log handler of `serve`: one line per event on stderr,
/// `<time> <level> <label>: <message> [key=value …]`.
///
/// Guarantees: the message, every metadata key and value (nested ones included), the error of an
/// event and its source are escaped (``TerminalText``), so what a client sends (a path, a header,
/// a malformed request the HTTP layer reports) cannot write control codes, new lines or invisible
/// text into the log or the operator's terminal.
public struct ServerLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// - Parameter write: where lines go (default: stderr).
    public init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = ServerLogHandler.standardError
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = .string(String(describing: error)) }
        var line: TerminalText = "\(Self.timestamp()) \(event.level) \(label): \(event.message.description)"
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.render(merged[key] ?? .string("")))"
        }
        write(line.rendered + "\n")
    }

    /// A metadata value as safe text (strings escaped, structure kept).
    static func render(_ value: Logger.Metadata.Value) -> TerminalText {
        switch value {
        case .string(let text): "\(text)"
        case .stringConvertible(let convertible): "\(convertible.description)"
        case .array(let values): "[\(values.map(render).joined(separator: ", "))]"
        case .dictionary(let values):
            "[\(values.keys.sorted().map { key -> TerminalText in "\(key): \(render(values[key] ?? .string("")))" }.joined(separator: ", "))]"
        }
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601)
    }
}
