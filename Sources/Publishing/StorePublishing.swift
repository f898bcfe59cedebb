import Foundation
import GRDB
import PythonPackaging

extension PublishingStore {
    /// Publishes one staged upload: stores its bytes (re-hashed: they must match the declared
    /// sha256 and size), its core metadata, then in ONE transaction makes the file and its
    /// provenance visible. Filename uniqueness is the database's UNIQUE constraint inside that
    /// transaction, so of two concurrent publishes of one filename exactly one is `.published`
    /// and the other `.alreadyExists`. A filename is one file whatever its spelling: a name that
    /// parses to the same distribution as a published file (the same normalized project, PEP 440
    /// version, build tag and tags, or sdist format: what an attestation's subject cannot tell
    /// apart) is `.equivalentExists`, and one equivalent to a deleted file `.filenameRetired`,
    /// checked inside the same transaction; so a yanked or deleted file cannot come back, nor
    /// other bytes sit beside a published file, under another spelling of its name.
    ///
    /// The staged file is removed when this returns or throws. The provenance is stored as given:
    /// the caller must have verified it for this very file (`UploadGate`).
    ///
    /// Throws `invalidUpload` when the filename does not parse, the declared digest is not 64 hex
    /// digits, or the bytes disagree with the declared digest or size (nothing is then stored);
    /// `io` / `database` when the store cannot be written.
    public func publish(_ upload: StoreUpload) throws(PublishingError) -> PublishOutcome {
        defer { unlink(upload.stagedFile.path) }
        let distribution: DistributionFilename
        do {
            distribution = try DistributionFilename(parsing: upload.filename)
        } catch {
            throw PublishingError(.invalidUpload, "\(upload.filename) is not a valid wheel or sdist filename: \(error.message)")
        }
        guard distribution.filename == upload.filename, !upload.filename.contains("/") else {
            throw PublishingError(.invalidUpload, "\(upload.filename) is not a valid wheel or sdist filename")
        }
        guard let declared = SHA256Hex(normalizing: upload.sha256) else {
            throw PublishingError(.invalidUpload, "\(upload.filename): the declared sha256 is not 64 hex digits")
        }
        if let existing = try existingOutcome(distribution) { return existing }

        let requiresPython = upload.coreMetadata.flatMap { try? CoreMetadata(parsing: $0, origin: upload.filename) }?
            .headers.first("Requires-Python")

        let lock = try StoreLock(path: publishLockPath, exclusive: false)
        defer { lock.release() }
        let stored = try blobs.store(
            fileAt: upload.stagedFile.path, expected: (declared, upload.size), label: upload.filename)
        let metadataDigest = try upload.coreMetadata.map { bytes throws(PublishingError) in
            try blobs.store(bytes: bytes, label: upload.filename + ".metadata")
        }
        let now = Date().timeIntervalSince1970
        let project = distribution.name
        return try write("publish \(upload.filename)") { db -> PublishOutcome in
            try db.execute(
                sql: "INSERT INTO projects (name, display_name, created_at) VALUES (?, ?, ?) ON CONFLICT(name) DO NOTHING",
                arguments: [project.normalized, project.raw, now])
            switch try Self.equivalent(of: distribution, in: db) {
            case .published: throw FilenameTaken()
            case .retired: throw FilenameRetired()
            case nil: break
            }
            do {
                try db.execute(
                    sql: """
                        INSERT INTO files (filename, project, version, sha256, size, upload_time, uploader,
                            core_metadata_sha256, requires_python)
                        SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
                        WHERE NOT EXISTS (SELECT 1 FROM retired_filenames WHERE filename = ?)
                        """,
                    arguments: [
                        upload.filename, project.normalized, distribution.version.string, stored.sha256.text, stored.size, now,
                        upload.uploader, metadataDigest?.text, requiresPython, upload.filename,
                    ])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                // Lost the race: the other upload's file is visible. Roll back the project row too.
                throw FilenameTaken()
            }
            guard db.changesCount == 1 else { throw FilenameRetired() }
            let fileID = db.lastInsertedRowID
            if let provenance = upload.provenance {
                try db.execute(
                    sql: "INSERT INTO provenance (file_id, document, added_at, added_by) VALUES (?, ?, ?, ?)",
                    arguments: [fileID, Data(provenance), now, upload.uploader])
            }
            try Self.journal(db, project: project.normalized, filename: upload.filename, action: "publish", actor: upload.uploader)
            guard let row = try Row.fetchOne(db, sql: Self.fileQuery + " WHERE f.id = ?", arguments: [fileID]) else {
                throw PublishingError(.database, "the file \(upload.filename) vanished inside its own transaction")
            }
            return .published(storedFile(row))
        } recovering: { error throws(PublishingError) -> PublishOutcome in
            if error is FilenameTaken || error is FilenameRetired {
                if let existing = try existingOutcome(distribution) { return existing }
            }
            throw PublishingError(.database, "cannot publish \(upload.filename): \(Self.describe(error))")
        }
    }

    /// Attaches a provenance document (ALREADY verified by the caller for this very file) to a
    /// published file that has none. A file's provenance is immutable once attached: a second
    /// attach is refused (`.alreadyHasProvenance`), never a replacement, so an upload token cannot
    /// swap the proof under a file that others have verified.
    public func attachProvenance(filename: String, provenance: [UInt8], by actor: String) throws(PublishingError) -> AttachOutcome {
        let now = Date().timeIntervalSince1970
        return try write("attach provenance to \(filename)") { db -> AttachOutcome in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, project FROM files WHERE filename = ?", arguments: [filename]) else {
                return .noSuchFile
            }
            let fileID: Int64 = row["id"]
            try db.execute(
                sql: "INSERT INTO provenance (file_id, document, added_at, added_by) VALUES (?, ?, ?, ?) ON CONFLICT(file_id) DO NOTHING",
                arguments: [fileID, Data(provenance), now, actor])
            let inserted = db.changesCount == 1
            if inserted {
                try Self.journal(db, project: row["project"], filename: filename, action: "attach-provenance", actor: actor)
            }
            guard let fileRow = try Row.fetchOne(db, sql: Self.fileQuery + " WHERE f.id = ?", arguments: [fileID]) else {
                return .noSuchFile
            }
            let file = storedFile(fileRow)
            return inserted ? .attached(file) : .alreadyHasProvenance(file)
        } recovering: { error throws(PublishingError) -> AttachOutcome in
            throw PublishingError(.database, "cannot attach provenance to \(filename): \(Self.describe(error))")
        }
    }

    /// `.alreadyExists` (this very filename), `.equivalentExists` (another spelling of it) or
    /// `.filenameRetired` (it, or another spelling of it, was deleted) when the name is taken,
    /// else nil.
    private func existingOutcome(_ distribution: DistributionFilename) throws(PublishingError) -> PublishOutcome? {
        let found = try read("look up \(distribution.filename)") { db in try Self.equivalent(of: distribution, in: db) }
        switch found {
        case .published(let filename):
            guard let existing = try file(named: filename) else { return nil }
            return filename == distribution.filename ? .alreadyExists(existing) : .equivalentExists(existing)
        case .retired(let filename):
            return .filenameRetired(filename)
        case nil:
            return nil
        }
    }

    /// What holds a name `distribution` cannot be told apart from: a published file of its
    /// project (this filename first), else a retired filename; nil when none does. Equality is
    /// `DistributionFilename`'s (parsed), the one an attestation's subject is judged by.
    static func equivalent(of distribution: DistributionFilename, in db: Database) throws -> EquivalentName? {
        let published = try String.fetchAll(
            db, sql: "SELECT filename FROM files WHERE project = ? ORDER BY filename", arguments: [distribution.name.normalized])
        if published.contains(distribution.filename) { return .published(distribution.filename) }
        if let match = published.first(where: { (try? DistributionFilename(parsing: $0)) == distribution }) {
            return .published(match)
        }
        // Retired names keep no project column: every one is compared (a short list).
        let retired = try String.fetchAll(db, sql: "SELECT filename FROM retired_filenames ORDER BY filename")
        if retired.contains(distribution.filename) { return .retired(distribution.filename) }
        if let match = retired.first(where: { (try? DistributionFilename(parsing: $0)) == distribution }) {
            return .retired(match)
        }
        return nil
    }

    /// A stored name equivalent to an upload's.
    enum EquivalentName {
        case published(String)
        case retired(String)
    }

    /// A write transaction whose failure `recover` may turn into a result (or a typed error).
    func write<T>(
        _ what: String, _ body: (Database) throws -> T, recovering recover: (any Error) throws(PublishingError) -> T
    ) throws(PublishingError) -> T {
        do {
            return try database.write(body)
        } catch let error as PublishingError {
            throw error
        } catch {
            return try recover(error)
        }
    }
}

/// Thrown inside a publish transaction to roll it back when the filename is already taken.
private struct FilenameTaken: Error {}
/// Thrown inside a publish transaction to roll it back when the filename was retired.
private struct FilenameRetired: Error {}
