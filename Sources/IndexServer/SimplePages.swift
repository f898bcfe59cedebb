import Foundation
import PythonPackaging

/// Renders Simple Repository API pages: PEP 503 HTML and PEP 691 JSON, with the PEP 658/714
/// metadata fields, PEP 700 `versions`/`size`/`upload-time` and the PEP 740 `provenance` URL.
///
/// Guarantees: every value placed in HTML — text, `href`, every `data-*` attribute, the title —
/// is escaped (`HTMLEscaping`: markup characters and invisible controls), whatever the names in
/// the served folder or the request hold; JSON is produced by `JSONEncoder` (never by string
/// concatenation), so it is valid JSON whatever the names; the `sha256` advertised for a file is
/// `advertisedSHA256Hex` (the real hash unless a test override exists).
struct SimplePages: Sendable {
    let layout: IndexLayout
    let source: any IndexSource
    /// Relative links of a static export (`StaticExport.Paths`) instead of the server's absolute ones.
    let staticLinks: Bool

    init(layout: IndexLayout, source: any IndexSource, staticLinks: Bool = false) {
        self.layout = layout
        self.source = source
        self.staticLinks = staticLinks
    }

    /// Pages of a served folder (`FolderSource`: API version 1.1, as Pulp reports).
    init(layout: IndexLayout, catalog: IndexCatalog) {
        self.init(layout: layout, source: FolderSource(catalog: catalog, defaultPublisherJSON: []))
    }

    /// The source's API version: a folder reports 1.1 as Pulp does even though `provenance` is a
    /// 1.3 field; the store reports 1.3.
    var apiVersion: String { source.apiVersion }

    // MARK: root

    func rootHTML(entries: [CatalogEntry]) -> [UInt8] {
        rootHTML(projects: projectNames(entries))
    }

    func rootHTML(projects: [String]) -> [UInt8] {
        var html = "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"\(apiVersion)\">\n"
        html += "<title>Simple index</title>\n</head>\n<body>\n"
        for name in projects {
            html += "<a href=\"\(HTMLEscaping.escape(IndexLayout.encode(name)))/\">\(HTMLEscaping.escape(name))</a><br/>\n"
        }
        html += "</body>\n</html>\n"
        return Array(html.utf8)
    }

    func rootJSON(entries: [CatalogEntry]) -> [UInt8] {
        rootJSON(projects: projectNames(entries))
    }

    func rootJSON(projects: [String]) -> [UInt8] {
        let page = RootPage(meta: Meta(apiVersion: apiVersion), projects: projects.map { ProjectRef(name: $0) })
        return Self.encode(page)
    }

    // MARK: project

    func projectHTML(normalized: String, entries: [CatalogEntry], origin: String) -> [UInt8] {
        let title = HTMLEscaping.escape("Links for \(normalized)")
        var html = "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"\(apiVersion)\">\n"
        html += "<title>\(title)</title>\n</head>\n<body>\n<h1>\(title)</h1>\n"
        for entry in entries {
            let href = fileURL(origin: origin, entry: entry) + "#sha256=" + entry.advertisedSHA256Hex.text
            var attributes = "href=\"\(HTMLEscaping.escape(href))\""
            if let requiresPython = entry.requiresPython {
                attributes += " data-requires-python=\"\(HTMLEscaping.escape(requiresPython))\""
            }
            if let metadataHash = source.coreMetadataSHA256(of: entry).map({ HTMLEscaping.escape("sha256=" + $0.text) }) {
                attributes += " data-core-metadata=\"\(metadataHash)\" data-dist-info-metadata=\"\(metadataHash)\""
            }
            if entry.provenance != .none {
                attributes += " data-provenance=\"\(HTMLEscaping.escape(provenanceURL(origin: origin, entry: entry)))\""
            }
            if entry.yanked {
                attributes += " data-yanked=\"\(HTMLEscaping.escape(entry.yankedReason ?? ""))\""
            }
            html += "<a \(attributes)>\(HTMLEscaping.escape(entry.filename))</a><br/>\n"
        }
        html += "</body>\n</html>\n"
        return Array(html.utf8)
    }

    func projectJSON(normalized: String, entries: [CatalogEntry], origin: String) -> [UInt8] {
        let files = entries.map { entry in
            let metadata = source.coreMetadataSHA256(of: entry).map { CoreMetadataField.hash($0) } ?? .absent
            return FileRecord(
                filename: entry.filename,
                url: fileURL(origin: origin, entry: entry),
                hashes: ["sha256": entry.advertisedSHA256Hex.text],
                coreMetadata: metadata,
                distInfoMetadata: metadata,
                size: entry.size,
                uploadTime: Self.uploadTime(entry.modified),
                yanked: entry.yanked ? .reason(entry.yankedReason ?? "") : .notYanked,
                requiresPython: entry.requiresPython,
                provenance: entry.provenance == .none ? nil : provenanceURL(origin: origin, entry: entry)
            )
        }
        var versions: [PythonVersion] = []
        for entry in entries where !versions.contains(entry.distribution.version) {
            versions.append(entry.distribution.version)
        }
        let page = ProjectPage(
            meta: Meta(apiVersion: apiVersion), name: normalized, files: files,
            versions: versions.sorted().map(\.string))
        return Self.encode(page)
    }

    // MARK: helpers

    /// The file's URL: on the serving origin, or relative from a static export's project page.
    private func fileURL(origin: String, entry: CatalogEntry) -> String {
        staticLinks ? StaticSitePaths.fileLink(entry.filename) : layout.fileURL(origin: origin, filename: entry.filename)
    }

    /// The file's Integrity API URL: on the serving origin, or relative from a static export's project page.
    private func provenanceURL(origin: String, entry: CatalogEntry) -> String {
        staticLinks
            ? StaticSitePaths.provenanceLink(project: entry.project.normalized, version: entry.version, filename: entry.filename)
            : layout.provenanceURL(origin: origin, entry: entry)
    }

    private func projectNames(_ entries: [CatalogEntry]) -> [String] {
        Array(Set(entries.map(\.project.normalized))).sorted()
    }

    static func uploadTime(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs cannot fail; fall back to an empty object rather than crash.
        return (try? encoder.encode(value)).map { [UInt8]($0) } ?? Array("{}".utf8)
    }
}

// MARK: JSON models (PEP 691 / 700 / 714 / 740)

private struct Meta: Encodable {
    let apiVersion: String
    enum CodingKeys: String, CodingKey { case apiVersion = "api-version" }
}

private struct ProjectRef: Encodable { let name: String }

private struct RootPage: Encodable {
    let meta: Meta
    let projects: [ProjectRef]
}

private struct ProjectPage: Encodable {
    let meta: Meta
    let name: String
    let files: [FileRecord]
    let versions: [String]
}

/// `{"sha256": "<hex>"}` when the metadata file exists, `false` otherwise (PEP 714).
private enum CoreMetadataField: Encodable {
    case hash(SHA256Hex)
    case absent

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .hash(let hex): try container.encode(["sha256": hex.text])
        case .absent: try container.encode(false)
        }
    }
}

/// PEP 592 in JSON: `false`, or the reason (a string; `true` when none was given).
private enum YankedField: Encodable {
    case notYanked
    case reason(String)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .notYanked: try container.encode(false)
        case .reason(let reason) where reason.isEmpty: try container.encode(true)
        case .reason(let reason): try container.encode(reason)
        }
    }
}

private struct FileRecord: Encodable {
    let filename: String
    let url: String
    let hashes: [String: String]
    let coreMetadata: CoreMetadataField
    let distInfoMetadata: CoreMetadataField
    let size: Int64
    let uploadTime: String
    let yanked: YankedField
    let requiresPython: String?
    let provenance: String?

    enum CodingKeys: String, CodingKey {
        case filename, url, hashes, size, yanked, provenance
        case requiresPython = "requires-python"
        case coreMetadata = "core-metadata"
        case distInfoMetadata = "data-dist-info-metadata"
        case uploadTime = "upload-time"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(filename, forKey: .filename)
        try container.encode(url, forKey: .url)
        try container.encode(hashes, forKey: .hashes)
        try container.encode(coreMetadata, forKey: .coreMetadata)
        try container.encode(distInfoMetadata, forKey: .distInfoMetadata)
        try container.encode(size, forKey: .size)
        try container.encode(uploadTime, forKey: .uploadTime)
        try container.encode(yanked, forKey: .yanked)
        try container.encodeIfPresent(requiresPython, forKey: .requiresPython)
        // `provenance` is always present: a URL or an explicit null (PEP 740).
        try container.encode(provenance, forKey: .provenance)
    }
}
