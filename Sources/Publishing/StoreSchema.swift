import GRDB

/// The store's database schema, as an ordered list of GRDB migrations.
///
/// Guarantees: migrations only ever append (a migration once released is never edited), each runs
/// in its own transaction, and a store opened by an older wheeltrust is brought up to date before
/// any read or write. Foreign keys are enforced (GRDB turns them on), so a provenance or a journal
/// line cannot point at a file that does not exist.
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: projects, files, provenance, tokens, journal") { db in
            // One row per project, keyed by its normalized name (PEP 503).
            try db.execute(
                sql: """
                    CREATE TABLE projects (
                        name TEXT PRIMARY KEY NOT NULL,
                        display_name TEXT NOT NULL,
                        created_at REAL NOT NULL
                    ) STRICT;
                    CREATE TABLE files (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        filename TEXT NOT NULL UNIQUE,
                        project TEXT NOT NULL REFERENCES projects(name),
                        version TEXT NOT NULL,
                        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                        size INTEGER NOT NULL CHECK (size >= 0),
                        upload_time REAL NOT NULL,
                        uploader TEXT NOT NULL,
                        yanked INTEGER NOT NULL DEFAULT 0,
                        yanked_reason TEXT,
                        core_metadata_sha256 TEXT CHECK (core_metadata_sha256 IS NULL OR length(core_metadata_sha256) = 64),
                        requires_python TEXT
                    ) STRICT;
                    CREATE INDEX files_by_project ON files(project, filename);
                    CREATE INDEX files_by_sha256 ON files(sha256);
                    CREATE TABLE provenance (
                        file_id INTEGER PRIMARY KEY NOT NULL REFERENCES files(id) ON DELETE CASCADE,
                        document BLOB NOT NULL,
                        added_at REAL NOT NULL,
                        added_by TEXT NOT NULL
                    ) STRICT;
                    -- Filenames once published and then deleted: never reusable (as on the public index).
                    CREATE TABLE retired_filenames (
                        filename TEXT PRIMARY KEY NOT NULL,
                        sha256 TEXT NOT NULL,
                        retired_at REAL NOT NULL
                    ) STRICT;
                    CREATE TABLE tokens (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL UNIQUE,
                        salt BLOB NOT NULL,
                        hash BLOB NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('read', 'upload')),
                        projects TEXT NOT NULL,
                        created_at REAL NOT NULL
                    ) STRICT;
                    -- Every change, in order: its id is the serial the static export compares.
                    CREATE TABLE journal (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        project TEXT NOT NULL,
                        filename TEXT,
                        action TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        at REAL NOT NULL
                    ) STRICT;
                    CREATE INDEX journal_by_project ON journal(project, id);
                    """)
        }
        return migrator
    }
}
