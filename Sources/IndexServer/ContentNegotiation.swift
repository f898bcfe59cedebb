/// The two representations of a Simple API page.
enum SimpleFormat: Sendable, Equatable {
    case json
    case html(contentType: String)

    static let jsonContentType = "application/vnd.pypi.simple.v1+json"

    /// Picks JSON (PEP 691) or HTML (PEP 503) from an `Accept` header.
    ///
    /// Guarantees: JSON only when the client names a PEP 691 JSON type (`v1` or `latest`) with a
    /// quality above zero that is at least as high as every HTML type it accepts; everything else,
    /// including a missing or unparsable header and `*/*`, gets HTML. Headers are parsed with a
    /// cap on their size and on the number of entries.
    static func negotiate(accept: String?) -> SimpleFormat {
        guard let accept, accept.utf8.count <= 4096 else { return .html(contentType: "text/html; charset=utf-8") }
        var bestJSON = 0.0
        var bestHTML = 0.0
        var htmlType = "text/html; charset=utf-8"
        for item in accept.split(separator: ",").prefix(64) {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let mediaType = parts.first?.lowercased() else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == "q", let value = Double(pair[1]), value.isFinite {
                    quality = min(max(value, 0), 1)
                }
            }
            switch mediaType {
            case "application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json":
                bestJSON = max(bestJSON, quality)
            case "application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html":
                if quality > bestHTML { htmlType = "application/vnd.pypi.simple.v1+html" }
                bestHTML = max(bestHTML, quality)
            case "text/html", "text/*", "*/*":
                if quality > bestHTML { htmlType = "text/html; charset=utf-8" }
                bestHTML = max(bestHTML, quality)
            default:
                continue
            }
        }
        if bestJSON > 0 && bestJSON >= bestHTML { return .json }
        return .html(contentType: htmlType)
    }
}
