import Foundation

/// One `-----BEGIN <label>-----` … `-----END <label>-----` block found in a text (internal).
///
/// Found anywhere in the text, so key files that carry header lines before the PEM block (as Red
/// Hat's published release key does) are read as they are published.
package struct PEMBlock: Sendable {
    package let label: String
    package let der: [UInt8]

    /// Text larger than this is refused before it is scanned.
    package static let maxTextBytes = 1 << 20

    /// The first block whose label is one of `labels`; blocks with other labels are skipped.
    package static func first(in text: String, labels: Set<String>, what: String) throws(AttestationError) -> PEMBlock {
        guard text.utf8.count <= maxTextBytes else {
            throw AttestationError(.malformedKey, "\(what): text exceeds \(maxTextBytes) bytes")
        }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var seenLabels: [String] = []
        var index = 0
        while index < lines.count {
            guard let label = marker(lines[index], kind: "BEGIN") else {
                index += 1
                continue
            }
            seenLabels.append(label)
            var body = ""
            var end: Int?
            var cursor = index + 1
            while cursor < lines.count {
                let line = lines[cursor]
                if let endLabel = marker(line, kind: "END") {
                    guard endLabel == label else {
                        throw AttestationError(.malformedKey, "\(what): PEM block \(label) ends with END \(endLabel)")
                    }
                    end = cursor
                    break
                }
                if line.contains(":") {
                    throw AttestationError(
                        .malformedKey,
                        "\(what): PEM block \(label) has headers (legacy encrypted PEM is not supported; convert the key with openssl pkcs8 -topk8 -v2 aes-256-cbc)"
                    )
                }
                body += line
                cursor += 1
            }
            guard let end else {
                throw AttestationError(.malformedKey, "\(what): PEM block \(label) has no END line")
            }
            if labels.contains(label) {
                guard !body.isEmpty else {
                    throw AttestationError(.malformedKey, "\(what): PEM block \(label) is empty")
                }
                guard let der = Encoding.base64(body) else {
                    throw AttestationError(.malformedKey, "\(what): PEM block \(label) is not valid base64")
                }
                return PEMBlock(label: label, der: der)
            }
            index = end + 1
        }
        let wanted = labels.sorted().joined(separator: " or ")
        if seenLabels.isEmpty {
            throw AttestationError(.malformedKey, "\(what): no PEM block found (expected \(wanted))")
        }
        throw AttestationError(.malformedKey, "\(what): found PEM \(seenLabels.joined(separator: ", ")), expected \(wanted)")
    }

    /// PEM text for `der` under `label`, base64 wrapped at 64 columns.
    package static func encode(label: String, der: [UInt8]) -> String {
        let body = Encoding.base64String(der)
        var lines = ["-----BEGIN \(label)-----"]
        var start = body.startIndex
        while start < body.endIndex {
            let end = body.index(start, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
            lines.append(String(body[start..<end]))
            start = end
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func marker(_ line: String, kind: String) -> String? {
        let prefix = "-----\(kind) "
        guard line.hasPrefix(prefix), line.hasSuffix("-----"), line.count > prefix.count + 5 else { return nil }
        return String(line.dropFirst(prefix.count).dropLast(5))
    }
}
