import Foundation

@testable import PythonPackaging

/// The one rule for untrusted text on a terminal (`TerminalEscaping`).
enum TerminalTargets {
    static let terminal = FuzzTarget(
        "terminal", "TerminalEscaping.escape (text and bytes): nothing a terminal acts on survives; injective",
        sync: { bytes in
            var broken = Broken()
            let (left, right) = FuzzBytes.splitAtNUL(bytes)
            let escapedBytes = TerminalEscaping.escape(bytes: left)
            broken.require(
                escapedBytes.unicodeScalars.allSatisfy { !TerminalEscaping.mustEscape($0) },
                "escape(bytes:) left a control or invisible character in \(escapedBytes.debugDescription)")
            let a = FuzzBytes.text(left), b = FuzzBytes.text(right)
            let ea = TerminalEscaping.escape(a), eb = TerminalEscaping.escape(b)
            broken.require(
                ea.unicodeScalars.allSatisfy { !TerminalEscaping.mustEscape($0) },
                "escape left a control or invisible character in \(ea.debugDescription)")
            if a != b { broken.require(ea != eb, "\(a.debugDescription) and \(b.debugDescription) escape alike") }
            if let valid = String(validating: left, as: UTF8.self) {
                broken.require(escapedBytes == TerminalEscaping.escape(valid), "escape(bytes:) differs from escape on valid UTF-8")
            }
            // The JSON report: what escapeJSON leaves reads back as the same value and shows nothing hidden.
            if let json = try? JSONEncoder().encode(["value": a]), let text = String(data: json, encoding: .utf8) {
                let escaped = TerminalEscaping.escapeJSON(text)
                let reread = try? JSONDecoder().decode([String: String].self, from: Data(escaped.utf8))
                broken.require(reread?["value"] == a, "escapeJSON changed the value of \(a.debugDescription)")
                broken.require(
                    escaped.unicodeScalars.allSatisfy { !TerminalEscaping.mustEscape($0) || "\t\n\r".unicodeScalars.contains($0) },
                    "escapeJSON left a control or invisible character in \(escaped.debugDescription)")
            }
            return broken.list
        })
}
