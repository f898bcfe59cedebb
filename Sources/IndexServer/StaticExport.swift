import Foundation
import Publishing
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one `StaticExport.run()` did.
public struct StaticExportReport: Sendable, Equatable {
    /// Projects whose files and pages were (re)examined because they changed since the last export.
    public let projectsExported: [String]
    /// Projects whose pages were removed (no file left).
    public let projectsRemoved: [String]
    /// Site-relative paths of the pages and documents whose bytes changed (written), sorted.
    public let written: [String]
    /// Site-relative paths removed, sorted.
    public let removed: [String]
    /// The path of the simple index inside the site: `/simple/`.
    public let simplePath: String
}

/// Writes a publishing store as a static site that any web server, object store or CDN can serve
/// to pip, uv and wheeltrust (layout: `StaticSitePaths`).
///
/// Guarantees:
/// - The same pages as the server (`SimplePages` over `StoreCatalog`), with relative links.
/// - Atomic for readers: every file is written to a temporary name in its own folder and renamed
///   into place, a project's files, metadata and provenance before its pages, the project pages
///   before the root pages, the manifest last; a reader never sees a half-written page or a page
///   that links a file not yet there.
/// - Incremental: a project whose journal serial equals the manifest's is not touched; a page is
///   rewritten only when its bytes change; distribution files (immutable, names never reused) are
///   copied once. Files of deleted releases and projects are removed.
/// - Distribution files are copies of the blobs (never links: editing the site cannot corrupt the
///   store), hashed by the store when published.
public struct StaticExport: Sendable {
    public let store: PublishingStore
    public let output: URL

    public init(store: PublishingStore, output: URL) {
        self.store = store
        self.output = output.standardizedFileURL
    }

    /// Exports what changed since the last run (everything on the first).
    public func run() throws(ServerError) -> StaticExportReport {
        let root = output.path
        try makeFolder(root)
        let previous = readManifest()
        let source = StoreCatalog(store: store)
        let pages = SimplePages(
            layout: IndexLayout(domain: "wheeltrust", distribution: "main", legacyProvenanceURLs: false), source: source,
            staticLinks: true)
        let projects: [StoredProject]
        do {
            projects = try store.projects()
        } catch {
            throw ServerError(.io, "the store cannot be read: \(error.message)")
        }
        var manifest = ExportManifest(version: 1, projects: [:])
        var written: [String] = []
        var removed: [String] = []
        var exported: [String] = []
        var removedProjects: [String] = []

        for project in projects {
            let before = previous.projects[project.name]
            if let before, before.serial == project.serial {
                manifest.projects[project.name] = before
                continue
            }
            exported.append(project.name)
            let entries = try source.entries(ofProject: project.name)
            for entry in entries {
                written += try exportFile(entry, source: source)
            }
            let current = Set(entries.map(\.filename))
            for stale in (before?.files ?? []).filter({ !current.contains($0) }) {
                removed += removeFile(stale, project: project.name)
            }
            let folder = StaticSitePaths.projectFolder(project.name)
            if entries.isEmpty {
                removed += removeTree(folder)
                if before != nil { removedProjects.append(project.name) }
                continue
            }
            written += try writeIfChanged(pages.projectHTML(normalized: project.name, entries: entries, origin: ""), to: folder + "/index.html")
            written += try writeIfChanged(pages.projectJSON(normalized: project.name, entries: entries, origin: ""), to: folder + "/index.json")
            manifest.projects[project.name] = ExportManifest.Project(serial: project.serial, files: entries.map(\.filename).sorted())
        }
        // Projects the store no longer has at all.
        for (name, before) in previous.projects where !projects.contains(where: { $0.name == name }) {
            for file in before.files { removed += removeFile(file, project: name) }
            removed += removeTree(StaticSitePaths.projectFolder(name))
            removedProjects.append(name)
        }
        let names = try source.projectNames()
        written += try writeIfChanged(pages.rootHTML(projects: names), to: "simple/index.html")
        written += try writeIfChanged(pages.rootJSON(projects: names), to: "simple/index.json")
        try writeManifest(manifest)
        return StaticExportReport(
            projectsExported: exported, projectsRemoved: removedProjects.sorted(), written: written.sorted(), removed: removed.sorted(),
            simplePath: "/simple/")
    }

    // MARK: one file

    /// Copies the distribution file (once), writes its metadata and provenance (when changed).
    private func exportFile(_ entry: CatalogEntry, source: StoreCatalog) throws(ServerError) -> [String] {
        var written: [String] = []
        let file = StaticSitePaths.file(entry.filename)
        if !isRegularFile(at: file, size: entry.size) {
            try copyAtomically(from: entry.path, to: file)
            written.append(file)
        }
        if let metadata = source.coreMetadata(of: entry) {
            written += try writeIfChanged(metadata, to: StaticSitePaths.metadata(entry.filename))
        }
        let provenanceFolder = StaticSitePaths.provenanceFolder(
            project: entry.project.normalized, version: entry.version, filename: entry.filename)
        if let provenance = try source.provenance(of: entry) {
            written += try writeIfChanged(provenance, to: provenanceFolder + "/provenance")
        }
        return written
    }

    private func removeFile(_ filename: String, project: String) -> [String] {
        var removed: [String] = []
        for path in [StaticSitePaths.file(filename), StaticSitePaths.metadata(filename)] where unlink(site(path)) == 0 {
            removed.append(path)
        }
        if let parsed = try? DistributionFilename(parsing: filename) {
            let folder = StaticSitePaths.provenanceFolder(project: project, version: parsed.version.string, filename: filename)
            removed += removeTree(folder)
            // The version's and the project's folders go too once empty (rmdir fails otherwise).
            var parent = (folder as NSString).deletingLastPathComponent
            while parent.hasPrefix("integrity/"), rmdir(site(parent)) == 0 {
                parent = (parent as NSString).deletingLastPathComponent
            }
        }
        return removed
    }

    // MARK: writing

    private func site(_ relative: String) -> String { output.path + "/" + relative }

    /// Writes `bytes` at the site-relative path unless the file already holds exactly them;
    /// the path when written.
    private func writeIfChanged(_ bytes: [UInt8], to relative: String) throws(ServerError) -> [String] {
        let path = site(relative)
        if let existing = FileManager.default.contents(atPath: path), existing.elementsEqual(bytes) { return [] }
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw ServerError(.io, "cannot write \(relative) of the export: \(error.message)")
        }
        return [relative]
    }

    /// Copies a blob to a temporary name beside `relative`, then renames it into place.
    private func copyAtomically(from source: String, to relative: String) throws(ServerError) {
        let destination = site(relative)
        let folder = (destination as NSString).deletingLastPathComponent
        try makeFolder(folder)
        let temporary = folder + "/.tmp-\(UUID().uuidString)"
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
        } catch {
            throw ServerError(.io, "cannot copy \(relative) into the export")
        }
        guard rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw ServerError(.io, "cannot move \(relative) into place: \(String(cString: strerror(errno)))")
        }
    }

    private func isRegularFile(at relative: String, size: Int64) -> Bool {
        var info = stat()
        return lstat(site(relative), &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && Int64(info.st_size) == size
    }

    private func removeTree(_ relative: String) -> [String] {
        let path = site(relative)
        guard FileManager.default.fileExists(atPath: path), (try? FileManager.default.removeItem(atPath: path)) != nil else { return [] }
        return [relative]
    }

    private func makeFolder(_ path: String) throws(ServerError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ServerError(.io, "cannot create the export folder \(path)")
        }
    }

    // MARK: manifest

    private func readManifest() -> ExportManifest {
        guard let data = FileManager.default.contents(atPath: site(StaticSitePaths.manifest)),
            let manifest = try? JSONDecoder().decode(ExportManifest.self, from: data), manifest.version == 1
        else { return ExportManifest(version: 1, projects: [:]) }
        return manifest
    }

    private func writeManifest(_ manifest: ExportManifest) throws(ServerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(manifest) else { throw ServerError(.io, "cannot encode the export manifest") }
        _ = try writeIfChanged([UInt8](data), to: StaticSitePaths.manifest)
    }
}

/// `.wheeltrust-export.json`: per project, the store serial exported and the files it had.
struct ExportManifest: Codable, Equatable {
    struct Project: Codable, Equatable {
        let serial: Int64
        let files: [String]
    }

    let version: Int
    var projects: [String: Project]
}
