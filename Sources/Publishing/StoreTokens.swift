import Foundation
import GRDB
import PythonPackaging

extension PublishingStore {
    /// Creates a token and returns it with its secret text (`wt_<id>_<secret>`), which the store
    /// does not keep: only a salted hash. `projects` (normalized here) restrict an upload token;
    /// they are refused for a read token (a read token reads the whole index).
    ///
    /// Throws `configuration` for a name that is not 1–64 of letters, digits, `.`, `_`, `-` (or is
    /// `__token__`), a name already in use, projects on a read token, or an invalid project name.
    public func addToken(
        name: String, role: TokenRole, projects: [String] = []
    ) throws(PublishingError)
        -> (token: AccessToken, secret: String)
    {
        guard Self.isValidTokenName(name) else {
            throw PublishingError(
                .configuration, "token name must be 1-64 letters, digits, '.', '_' or '-' (and not __token__)")
        }
        guard role == .upload || projects.isEmpty else {
            throw PublishingError(.configuration, "projects restrict upload tokens only; a read token reads every project")
        }
        for project in projects where !ProjectName.isValidName(project) {
            throw PublishingError(.configuration, "'\(project)' is not a valid project name")
        }
        let normalized = Array(Set(projects.map(ProjectName.normalize))).sorted()
        let secret = TokenSecret.generate()
        let salt = TokenSecret.randomBytes(16)
        let created = Date()
        let projectsJSON = String(decoding: (try? JSONEncoder().encode(normalized)) ?? Data("[]".utf8), as: UTF8.self)
        try write("add token \(name)") { db in
            try db.execute(
                sql: "INSERT INTO tokens (id, name, salt, hash, role, projects, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    secret.id, name, Data(salt), Data(secret.hash(salt: salt)), role.rawValue, projectsJSON,
                    created.timeIntervalSince1970,
                ])
        } recovering: { error throws(PublishingError) in
            if let error = error as? DatabaseError,
                error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                    || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
            {
                throw PublishingError(.configuration, "a token named \(name) already exists")
            }
            throw PublishingError(.database, "cannot add token \(name): \(Self.describe(error))")
        }
        let token = AccessToken(
            name: name, id: secret.id, role: role, projects: normalized,
            created: Date(timeIntervalSince1970: created.timeIntervalSince1970))
        return (token, secret.text)
    }

    /// Every token (never a secret), sorted by name.
    public func tokens() throws(PublishingError) -> [AccessToken] {
        try read("list tokens") { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, projects, created_at FROM tokens ORDER BY name").compactMap(Self.token)
        }
    }

    /// Removes the token named `name`; false when there is none. A revoked token authenticates
    /// nothing from the next request on.
    @discardableResult
    public func revokeToken(name: String) throws(PublishingError) -> Bool {
        try write("revoke token \(name)") { db in
            try db.execute(sql: "DELETE FROM tokens WHERE name = ?", arguments: [name])
            return db.changesCount == 1
        }
    }

    /// The token `password` is, when `user` is `__token__` or that token's own name; nil for
    /// anything else (unknown id, wrong secret, wrong user, malformed text). The hash is compared
    /// in constant time; a lookup by id reveals nothing about the secret.
    public func authenticate(user: String, password: String) throws(PublishingError) -> AccessToken? {
        guard let presented = TokenSecret(parsing: password) else { return nil }
        let row = try read("look up a token") { db in
            try Row.fetchOne(
                db, sql: "SELECT id, name, salt, hash, role, projects, created_at FROM tokens WHERE id = ?", arguments: [presented.id])
        }
        guard let row else { return nil }
        let salt = [UInt8]((row["salt"] as Data?) ?? Data())
        let expected = [UInt8]((row["hash"] as Data?) ?? Data())
        guard !expected.isEmpty, TokenSecret.constantTimeEquals(presented.hash(salt: salt), expected) else { return nil }
        guard let token = Self.token(row), user == "__token__" || user == token.name else { return nil }
        return token
    }

    static func token(_ row: Row) -> AccessToken? {
        guard let role = TokenRole(rawValue: row["role"]) else { return nil }
        let projectsText: String = row["projects"]
        let projects = (try? JSONDecoder().decode([String].self, from: Data(projectsText.utf8))) ?? []
        return AccessToken(
            name: row["name"], id: row["id"], role: role, projects: projects,
            created: Date(timeIntervalSince1970: row["created_at"]))
    }

    static func isValidTokenName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name != "__token__"
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            }
    }
}
