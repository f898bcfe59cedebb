import Foundation
import PythonPackaging

/// One distribution file listed on a simple-API project page.
///
/// Guarantees: `url` is absolute (resolved against the page URL) and has no fragment;
/// `sha256`, when present, is a validated digest (the parsers refuse a page whose sha256 is not 64
/// hex digits); `provenanceURL` is absolute.
public struct IndexFile: Sendable, Hashable {
    public var filename: String
    public var url: URL
    public var sha256: SHA256Hex?
    public var provenanceURL: URL?
    /// PEP 658/714: the index serves `<url>.metadata`.
    public var coreMetadata: Bool
    /// PEP 592.
    public var yanked: Bool
    /// The index (as configured) whose page listed this file; set by `IndexClient`, nil from
    /// the bare parsers. Used to derive Integrity API URLs.
    public var indexURL: URL?

    public init(
        filename: String, url: URL, sha256: SHA256Hex?, provenanceURL: URL?, coreMetadata: Bool, yanked: Bool,
        indexURL: URL? = nil
    ) {
        self.indexURL = indexURL
        self.filename = filename
        self.url = url
        self.sha256 = sha256
        self.provenanceURL = provenanceURL
        self.coreMetadata = coreMetadata
        self.yanked = yanked
    }
}

/// A project's page on a simple-API index (PEP 503 HTML or PEP 691 JSON).
///
/// Guarantees: `files` keeps the page's order; `url` is the page URL the files were resolved
/// against (the final URL after redirects when fetched by `IndexClient`).
public struct ProjectPage: Sendable, Hashable {
    public var name: String
    public var files: [IndexFile]
    public var url: URL

    public init(name: String, files: [IndexFile], url: URL) {
        self.name = name
        self.files = files
        self.url = url
    }
}

/// Parsers for simple-API project pages.
///
/// Guarantees: input larger than `maxPageSize` is a `tooLarge` error; a page that is not what
/// it claims (bad JSON, an unsupported major `api-version`, a malformed sha256, a file without
/// filename or URL) is a `badResponse` error naming the page; nothing here crashes on any input.
public enum SimpleAPI {
    public static let maxPageSize = 64 << 20

    /// PEP 691 JSON: `name`, `files[]` with `filename`, `url`, `hashes.sha256`, `provenance`
    /// (PEP 740), `core-metadata` / `dist-info-metadata` / `data-dist-info-metadata` (true or a
    /// hash object), `yanked` (true or a reason string).
    public static func parseJSON(_ data: Data, base: URL) throws(IndexError) -> ProjectPage {
        guard data.count <= maxPageSize else {
            throw IndexError(.tooLarge, "simple page \(base.redacted) is larger than \(maxPageSize) bytes")
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw IndexError(.badResponse, "simple page \(base.redacted) is not valid JSON")
        }
        guard let object = root as? [String: Any] else {
            throw IndexError(.badResponse, "simple page \(base.redacted) is not a JSON object")
        }
        if let meta = object["meta"] as? [String: Any], let version = meta["api-version"] as? String {
            guard version.split(separator: ".").first == "1" else {
                throw IndexError(.badResponse, "simple page \(base.redacted) has unsupported api-version \(version)")
            }
        }
        let name = (object["name"] as? String) ?? lastPathComponent(base)
        guard let rawFiles = object["files"] as? [Any] else {
            throw IndexError(.badResponse, "simple page \(base.redacted) has no 'files' array")
        }
        var files: [IndexFile] = []
        files.reserveCapacity(rawFiles.count)
        for (position, raw) in rawFiles.enumerated() {
            guard let entry = raw as? [String: Any],
                let filename = entry["filename"] as? String, !filename.isEmpty,
                let urlText = entry["url"] as? String,
                let resolved = resolve(urlText, against: base)
            else {
                throw IndexError(.badResponse, "simple page \(base.redacted): file #\(position) lacks a filename or a valid url")
            }
            var sha256: SHA256Hex?
            if let hashes = entry["hashes"] as? [String: Any], let value = hashes["sha256"] {
                guard let text = value as? String, let hex = SHA256Hex(normalizing: text) else {
                    throw IndexError(.badResponse, "simple page \(base.redacted): malformed sha256 for \(filename)")
                }
                sha256 = hex
            }
            var provenance: URL?
            if let text = entry["provenance"] as? String {
                guard let url = resolve(text, against: base) else {
                    throw IndexError(.badResponse, "simple page \(base.redacted): malformed provenance URL for \(filename)")
                }
                provenance = url.url
            }
            let metadata = ["core-metadata", "dist-info-metadata", "data-dist-info-metadata"].contains { key in
                switch entry[key] {
                case let flag as Bool: return flag
                case is [String: Any]: return true
                default: return false
                }
            }
            let yanked: Bool
            switch entry["yanked"] {
            case let flag as Bool: yanked = flag
            case is String: yanked = true
            default: yanked = false
            }
            files.append(
                IndexFile(
                    filename: filename, url: resolved.url, sha256: sha256 ?? resolved.sha256,
                    provenanceURL: provenance, coreMetadata: metadata, yanked: yanked))
        }
        return ProjectPage(name: name, files: files, url: base)
    }

    /// PEP 503 HTML: every `<a>`; `href` (with an optional `#sha256=<hex>` fragment) resolved
    /// against `<base href>` if present, else the page URL; `data-provenance`,
    /// `data-core-metadata` / `data-dist-info-metadata` (present and not `false`),
    /// `data-yanked` (present at all). The link text is the filename (else the URL's last
    /// path component).
    public static func parseHTML(_ data: Data, base: URL) throws(IndexError) -> ProjectPage {
        guard data.count <= maxPageSize else {
            throw IndexError(.tooLarge, "simple page \(base.redacted) is larger than \(maxPageSize) bytes")
        }
        let scanner = HTMLScanner([UInt8](data))
        var pageBase = base
        if let href = scanner.baseHref, let url = URL(string: href, relativeTo: base)?.absoluteURL {
            pageBase = url
        }
        var files: [IndexFile] = []
        for anchor in scanner.anchors {
            guard let href = anchor.attributes["href"], !href.isEmpty else { continue }
            guard let resolved = resolve(href, against: pageBase) else {
                throw IndexError(.badResponse, "simple page \(base.redacted): malformed href '\(URLMasking.redact(href))'")
            }
            if resolved.malformedHash {
                throw IndexError(.badResponse, "simple page \(base.redacted): malformed sha256 fragment in '\(URLMasking.redact(href))'")
            }
            var filename = anchor.text
            if filename.isEmpty || filename.contains("/") {
                filename = resolved.url.lastPathComponent.removingPercentEncoding ?? resolved.url.lastPathComponent
            }
            var provenance: URL?
            if let text = anchor.attributes["data-provenance"], !text.isEmpty {
                guard let url = resolve(text, against: pageBase) else {
                    throw IndexError(.badResponse, "simple page \(base.redacted): malformed data-provenance for \(filename)")
                }
                provenance = url.url
            }
            let metadata = ["data-core-metadata", "data-dist-info-metadata"].contains { key in
                guard let value = anchor.attributes[key] else { return false }
                return value.lowercased() != "false"
            }
            files.append(
                IndexFile(
                    filename: filename, url: resolved.url, sha256: resolved.sha256,
                    provenanceURL: provenance, coreMetadata: metadata,
                    yanked: anchor.attributes["data-yanked"] != nil))
        }
        return ProjectPage(name: lastPathComponent(base), files: files, url: base)
    }

    /// Resolves `text` against `base`; splits off a `#sha256=` fragment (other fragments are
    /// dropped). nil when the result is not an absolute http(s) URL. The `#` is found among the
    /// Unicode scalars, as a URL parser finds it: a combining mark after it makes one Character
    /// with it, which must not keep the fragment in the URL.
    static func resolve(_ text: String, against base: URL) -> (url: URL, sha256: SHA256Hex?, malformedHash: Bool)? {
        var reference = text.trimmingWhitespace()
        var sha256: SHA256Hex?
        var malformed = false
        let scalars = reference.unicodeScalars
        if let hash = scalars.firstIndex(of: "#") {
            let fragment = String(Substring(scalars[scalars.index(after: hash)...]))
            reference = String(Substring(scalars[..<hash]))
            if fragment.lowercased().hasPrefix("sha256=") {
                sha256 = SHA256Hex(normalizing: fragment.dropFirst(7))
                malformed = sha256 == nil
            }
        }
        guard let url = URL(string: reference, relativeTo: base)?.absoluteURL,
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else { return nil }
        return (url, sha256, malformed)
    }

    private static func lastPathComponent(_ url: URL) -> String {
        url.path.split(separator: "/").last.map(String.init) ?? ""
    }
}
