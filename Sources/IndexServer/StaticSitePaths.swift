/// The layout of a static export of the index (`StaticExport`), relative to its root folder:
///
/// - `simple/index.html`, `simple/index.json`: the project list (PEP 503 / PEP 691);
/// - `simple/<normalized>/index.html`, `…/index.json`: a project page;
/// - `files/<filename>` and `files/<filename>.metadata` (PEP 658);
/// - `integrity/<normalized>/<version>/<filename>/provenance`: the Integrity API in the public
///   index's shape (a static file cannot also be Pulp's `…/provenance/` folder);
/// - `.wheeltrust-export.json`: the manifest of what was exported (for incremental runs).
///
/// Guarantees: pages link files and provenance with RELATIVE URLs (from `simple/<project>/`),
/// so the export serves unchanged under any origin and path prefix; every segment placed in a
/// link is percent-encoded; on disk, every name is one path component (a filename or normalized
/// project name never holds `/`: the store only holds parsable distribution filenames).
enum StaticSitePaths {
    static let manifest = ".wheeltrust-export.json"

    static func fileLink(_ filename: String) -> String {
        "../../files/" + IndexLayout.encode(filename)
    }

    static func provenanceLink(project: String, version: String, filename: String) -> String {
        "../../integrity/" + [project, version, filename].map(IndexLayout.encode).joined(separator: "/") + "/provenance"
    }

    static func projectFolder(_ normalized: String) -> String { "simple/" + normalized }
    static func file(_ filename: String) -> String { "files/" + filename }
    static func metadata(_ filename: String) -> String { "files/" + filename + ".metadata" }
    static func provenanceFolder(project: String, version: String, filename: String) -> String {
        "integrity/\(project)/\(version)/\(filename)"
    }
}
