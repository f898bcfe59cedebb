import PythonPackaging

/// Request data and served-folder names written into a `text/plain` response body.
///
/// Guarantees: `plain(_:limit:)` applies the project's one escaping rule for untrusted text
/// (`TerminalEscaping`: no control character — CR, LF and NUL included —, no bidi, invisible or
/// line-separator character, a backslash doubled), so the text is one line that shows exactly
/// which characters arrived; at most `limit` characters of the input are kept (then `…`), so an
/// over-long request cannot make a long answer.
enum UntrustedText {
    static let defaultLimit = 200

    static func plain(_ text: String, limit: Int = defaultLimit) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return TerminalEscaping.escape(text) }
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars.prefix(limit))
        return TerminalEscaping.escape(String(kept)) + "…"
    }
}
