import Foundation

/// The URL paths of one served index, shaped like Pulp's (as on Red Hat's index).
///
/// - Simple API: `/pypi/<domain>/<distribution>/simple/` and `…/simple/<normalized>/`
/// - files: `/api/pulp-content/<domain>/<distribution>/<filename>` (+ `.metadata`, PEP 658)
/// - Integrity API: `/api/pypi/<domain>/<distribution>/integrity/<normalized>/<version>/<filename>/provenance/`
///   (Pulp's shape, the one advertised) and `/integrity/<normalized>/<version>/<filename>/provenance`
///   (the public index's shape; answered with a redirect to the `/`-terminated form)
///
/// Guarantees: every filename placed in a URL is percent-encoded as one path segment.
struct IndexLayout: Sendable {
    let domain: String
    let distribution: String
    let legacyProvenanceURLs: Bool

    var simplePrefix: String { "/pypi/\(domain)/\(distribution)/simple/" }
    var contentPrefix: String { "/api/pulp-content/\(domain)/\(distribution)/" }
    var integrityPrefix: String { "/api/pypi/\(domain)/\(distribution)/integrity/" }
    /// The public index's Integrity API prefix, answered beside Pulp's.
    static let rootIntegrityPrefix = "/integrity/"
    /// The prefix Pulp advertised before 3.28 (no `/api`); nothing is served there.
    var legacyIntegrityPrefix: String { "/pypi/\(domain)/\(distribution)/integrity/" }

    func projectPath(_ normalized: String) -> String { simplePrefix + Self.encode(normalized) + "/" }

    func fileURL(origin: String, filename: String) -> String {
        origin + contentPrefix + Self.encode(filename)
    }

    func provenanceURL(origin: String, entry: CatalogEntry) -> String {
        let prefix = legacyProvenanceURLs ? legacyIntegrityPrefix : integrityPrefix
        return origin + prefix + [entry.project.normalized, entry.version, entry.filename].map(Self.encode).joined(separator: "/")
            + "/provenance/"
    }

    /// Percent-encodes `segment` for use as one URL path segment (RFC 3986 unreserved kept).
    static func encode(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? segment
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
