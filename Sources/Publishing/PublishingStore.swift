import Foundation
import GRDB
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A publishing store: the index's files and everything known about them, in one folder.
///
/// Layout of `<store>`:
/// - `blobs/<aa>/<sha256>`: distribution files and core-metadata files, content-addressed.
/// - `index.sqlite` (+ `-wal`, `-shm`): projects, files (filename unique), provenance, tokens,
///   retired filenames and the journal of changes; SQLite in WAL mode through GRDB, schema by
///   migrations (`StoreSchema`), `synchronous=FULL`.
/// - `staging/`: uploads in flight and blobs being written (same filesystem: renames are atomic).
/// - `publish.lock`, `server.lock`: advisory locks (`StoreLock`) that keep a repair from removing
///   a blob or staged upload that is in flight.
///
/// Guarantees: a publish makes a file visible only after its bytes (re-hashed while stored) and
/// metadata blob are in place and synced, in ONE transaction that inserts the file and its
/// provenance together: a process killed at any point leaves either nothing visible or the whole
/// (a blob without its row is an orphan `check` reports as reclaimable). Filenames are unique by a
/// database constraint, so of two concurrent publishes of one filename exactly one wins. Files are
/// immutable: only `yank` and `delete` (explicit admin actions) change one, and a deleted
/// filename is never published again. Thread-safe: many readers, writes serialised by SQLite.
public final class PublishingStore: Sendable {
    /// The store's folder.
    public let directory: URL
    /// Where uploads are streamed before `publish` (same filesystem as the blobs).
    public let stagingDirectory: URL
    let blobs: BlobFiles
    let database: DatabasePool
    let publishLockPath: String
    let serverLockPath: String

    /// Opens the store at `directory`, creating the folder, its subfolders and the database on
    /// first use, and migrating an older database.
    public init(directory: URL) throws(PublishingError) {
        let root = directory.standardizedFileURL
        guard !root.path.isEmpty else { throw PublishingError(.configuration, "the store path is empty") }
        self.directory = root
        self.stagingDirectory = root.appendingPathComponent("staging", isDirectory: true)
        let blobsPath = root.appendingPathComponent("blobs").path
        for folder in [root.path, blobsPath, stagingDirectory.path] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw PublishingError(.configuration, "\(folder) exists and is not a folder") }
                continue
            }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw PublishingError(.io, "cannot create the store folder \(folder)")
            }
        }
        self.blobs = BlobFiles(blobsDirectory: blobsPath, stagingDirectory: stagingDirectory.path)
        self.publishLockPath = root.appendingPathComponent("publish.lock").path
        self.serverLockPath = root.appendingPathComponent("server.lock").path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.label = "wheeltrust.store"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let databasePath = root.appendingPathComponent("index.sqlite").path
        do {
            self.database = try DatabasePool(path: databasePath, configuration: configuration)
            try StoreSchema.migrator.migrate(database)
        } catch {
            throw PublishingError(.database, "cannot open the store database \(databasePath): \(Self.describe(error))")
        }
    }

    // MARK: reading

    /// The published file with this exact filename, or nil.
    public func file(named filename: String) throws(PublishingError) -> StoredFile? {
        try read("read file \(filename)") { db in
            try Row.fetchOne(db, sql: Self.fileQuery + " WHERE f.filename = ?", arguments: [filename]).map(storedFile)
        }
    }

    /// The files of one project (normalized or not), sorted by filename.
    public func files(ofProject project: String) throws(PublishingError) -> [StoredFile] {
        let normalized = ProjectName.normalize(project)
        return try read("list files of \(normalized)") { db in
            try Row.fetchAll(db, sql: Self.fileQuery + " WHERE f.project = ? ORDER BY f.filename", arguments: [normalized])
                .map(storedFile)
        }
    }

    /// Every published file, sorted by filename.
    public func allFiles() throws(PublishingError) -> [StoredFile] {
        try read("list files") { db in
            try Row.fetchAll(db, sql: Self.fileQuery + " ORDER BY f.filename").map(storedFile)
        }
    }

    /// Every project that has or had a file, sorted by normalized name.
    public func projects() throws(PublishingError) -> [StoredProject] {
        try read("list projects") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.name, p.display_name,
                        (SELECT COALESCE(MAX(j.id), 0) FROM journal j WHERE j.project = p.name) AS serial,
                        (SELECT COUNT(*) FROM files f WHERE f.project = p.name) AS file_count
                    FROM projects p ORDER BY p.name
                    """
            ).map { row in
                StoredProject(name: row["name"], displayName: row["display_name"], serial: row["serial"], fileCount: row["file_count"])
            }
        }
    }

    /// The provenance document attached to the file, byte for byte as stored, or nil.
    public func provenance(ofFile filename: String) throws(PublishingError) -> [UInt8]? {
        try read("read the provenance of \(filename)") { db in
            try Data.fetchOne(
                db, sql: "SELECT p.document FROM provenance p JOIN files f ON f.id = p.file_id WHERE f.filename = ?",
                arguments: [filename]
            ).map { [UInt8]($0) }
        }
    }

    /// The path of the blob with this digest (it may not exist).
    public func blobPath(sha256: String) -> String? {
        SHA256Hex(sha256).map(blobs.path(of:))
    }

    /// The latest journal id (0 for an empty store): changes whenever anything is published,
    /// attached, yanked or deleted.
    public func serial() throws(PublishingError) -> Int64 {
        try read("read the journal") { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM journal") ?? 0 }
    }

    // MARK: rows

    static let fileQuery = """
        SELECT f.filename, f.project, f.version, f.sha256, f.size, f.upload_time, f.uploader, f.yanked,
            f.yanked_reason, f.core_metadata_sha256, f.requires_python,
            EXISTS (SELECT 1 FROM provenance p WHERE p.file_id = f.id) AS has_provenance
        FROM files f
        """

    func storedFile(_ row: Row) -> StoredFile {
        let sha256: String = row["sha256"]
        return StoredFile(
            filename: row["filename"], project: row["project"], version: row["version"], sha256: sha256,
            size: row["size"], uploadTime: Date(timeIntervalSince1970: row["upload_time"]), uploader: row["uploader"],
            yanked: row["yanked"], yankedReason: row["yanked_reason"], coreMetadataSHA256: row["core_metadata_sha256"],
            requiresPython: row["requires_python"], hasProvenance: row["has_provenance"],
            blobPath: SHA256Hex(sha256).map(blobs.path(of:)) ?? blobs.blobsDirectory + "/invalid")
    }

    // MARK: database access with typed errors

    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(PublishingError) -> T {
        do {
            return try database.read(body)
        } catch {
            throw PublishingError(.database, "cannot \(what): \(Self.describe(error))")
        }
    }

    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(PublishingError) -> T {
        do {
            return try database.write(body)
        } catch let error as PublishingError {
            throw error
        } catch {
            throw PublishingError(.database, "cannot \(what): \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return String(describing: error)
    }

    /// Appends one line to the journal (inside the caller's transaction).
    static func journal(_ db: Database, project: String, filename: String?, action: String, actor: String) throws {
        try db.execute(
            sql: "INSERT INTO journal (project, filename, action, actor, at) VALUES (?, ?, ?, ?, ?)",
            arguments: [project, filename, action, actor, Date().timeIntervalSince1970])
    }
}
