import Attestations
import PythonPackaging

/// A `wheeltrust build` provenance's inputs as lines for a person: the sdist (name, version,
/// sha256, anchor) and every build-environment wheel (name, version, sha256).
///
/// Guarantees: every value (written by the signer) is escaped for the terminal; a digest the
/// statement did not state in the expected form is shown as "(no sha256)", never left blank.
enum SourceBuildText {
    static func lines(_ facts: SourceBuildFacts, indent: String) -> [TerminalText] {
        func digest(_ hex: String) -> TerminalText { hex.isEmpty ? "(no sha256)" : "sha256 \(hex)" }
        let source = facts.source
        let anchor: TerminalText = source.anchorDetail.map { "\(source.anchor): \($0)" } ?? "\(source.anchor)"
        var lines: [TerminalText] = [
            "\(indent)built from source \(source.name) \(source.version) (\(source.filename)) \(digest(source.sha256))",
            "\(indent)  source anchored by \(anchor)",
        ]
        if let network = facts.network { lines.append("\(indent)  build network: \(network)") }
        if facts.dependencies.isEmpty {
            lines.append("\(indent)  no build requirements")
        }
        for dependency in facts.dependencies {
            lines.append("\(indent)  build requirement \(dependency.name) \(dependency.version) (\(dependency.filename)) \(digest(dependency.sha256))")
        }
        return lines
    }
}
