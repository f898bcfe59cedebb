import Foundation
import GRDB

extension PublishingStore {
    /// Marks a file yanked (PEP 592) with an optional reason; returns the updated file, nil when
    /// no file has that name. Yanking again replaces the reason. The bytes and provenance stay.
    @discardableResult
    public func yank(filename: String, reason: String?, by actor: String) throws(PublishingError) -> StoredFile? {
        try setYanked(filename: filename, yanked: true, reason: reason, actor: actor)
    }

    /// Clears the yank of a file; nil when no file has that name.
    @discardableResult
    public func unyank(filename: String, by actor: String) throws(PublishingError) -> StoredFile? {
        try setYanked(filename: filename, yanked: false, reason: nil, actor: actor)
    }

    /// Deletes a published file: its row and provenance go in one transaction and its filename is
    /// retired (never published again). The blob stays until `check(repair: true)` finds no row
    /// referencing it. Returns the deleted file, nil when no file has that name.
    @discardableResult
    public func delete(filename: String, by actor: String) throws(PublishingError) -> StoredFile? {
        try write("delete \(filename)") { db -> StoredFile? in
            guard let row = try Row.fetchOne(db, sql: Self.fileQuery + " WHERE f.filename = ?", arguments: [filename]) else {
                return nil
            }
            let file = storedFile(row)
            try db.execute(sql: "DELETE FROM files WHERE filename = ?", arguments: [filename])
            try db.execute(
                sql: "INSERT INTO retired_filenames (filename, sha256, retired_at) VALUES (?, ?, ?) ON CONFLICT(filename) DO NOTHING",
                arguments: [filename, file.sha256, Date().timeIntervalSince1970])
            try Self.journal(db, project: file.project, filename: filename, action: "delete", actor: actor)
            return file
        }
    }

    private func setYanked(filename: String, yanked: Bool, reason: String?, actor: String) throws(PublishingError) -> StoredFile? {
        try write("\(yanked ? "yank" : "unyank") \(filename)") { db -> StoredFile? in
            try db.execute(
                sql: "UPDATE files SET yanked = ?, yanked_reason = ? WHERE filename = ?",
                arguments: [yanked, yanked ? reason : nil, filename])
            guard db.changesCount == 1,
                let row = try Row.fetchOne(db, sql: Self.fileQuery + " WHERE f.filename = ?", arguments: [filename])
            else { return nil }
            let file = storedFile(row)
            try Self.journal(db, project: file.project, filename: filename, action: yanked ? "yank" : "unyank", actor: actor)
            return file
        }
    }
}
