/// Text that is safe to write to a terminal: every string that came from outside the program
/// (package names, paths, index responses, attestation fields, error messages built from them)
/// is escaped by ``TerminalEscaping`` when it enters; only the program's own string literals are
/// taken as written.
///
/// Guarantees: a `TerminalText` built by string interpolation holds its literals verbatim (so the
/// program's own newlines and cursor codes stay) and every interpolated value escaped — a value
/// cannot end a line, move the cursor, erase, reorder or hide text, or forge an escape (a
/// backslash is doubled). Interpolating a `TerminalText` into another keeps it as it is (nothing
/// is escaped twice). Printing functions that take only `TerminalText` therefore cannot print an
/// untrusted string raw, whoever writes the next message.
///
/// ```swift
/// let line: TerminalText = "  ✗ \(path)  (\(detail))\n"   // path and detail escaped
/// ```
public struct TerminalText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The text to write, already safe.
    public private(set) var rendered: String

    /// Program text, taken as written: only string literals reach this (or a deliberate call).
    public init(stringLiteral value: String) {
        rendered = value
    }

    /// An untrusted string, escaped.
    public init(escaping text: some StringProtocol) {
        rendered = TerminalEscaping.escape(text)
    }

    /// Untrusted bytes (a file name, a process's output) that may not be valid UTF-8: valid
    /// sequences are escaped as text, every byte of an invalid sequence is shown as `\xHH`.
    public init(escapingBytes bytes: some Sequence<UInt8>) {
        rendered = TerminalEscaping.escape(bytes: bytes)
    }

    public init(stringInterpolation: StringInterpolation) {
        rendered = stringInterpolation.rendered
    }

    public var description: String { rendered }

    public var isEmpty: Bool { rendered.isEmpty }

    public static func + (lhs: TerminalText, rhs: TerminalText) -> TerminalText {
        var joined = lhs
        joined.rendered += rhs.rendered
        return joined
    }

    public static func += (lhs: inout TerminalText, rhs: TerminalText) {
        lhs.rendered += rhs.rendered
    }

    /// Builds a `TerminalText`: literals verbatim, interpolated values escaped.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var rendered = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            rendered.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            rendered += literal
        }

        /// Text that is already safe is kept as it is.
        public mutating func appendInterpolation(_ text: TerminalText) {
            rendered += text.rendered
        }

        /// Optional safe text: nothing when nil.
        public mutating func appendInterpolation(_ text: TerminalText?) {
            if let text { rendered += text.rendered }
        }

        /// Any other value is untrusted: its description is escaped.
        public mutating func appendInterpolation(_ value: some StringProtocol) {
            rendered += TerminalEscaping.escape(value)
        }

        /// Any other value is untrusted: its description is escaped.
        public mutating func appendInterpolation<T>(_ value: T) {
            rendered += TerminalEscaping.escape(String(describing: value))
        }
    }
}

extension Sequence where Element == TerminalText {
    /// The elements with `separator` between them.
    public func joined(separator: TerminalText = "") -> TerminalText {
        var out = TerminalText(stringLiteral: "")
        var first = true
        for text in self {
            if !first { out += separator }
            out += text
            first = false
        }
        return out
    }
}
