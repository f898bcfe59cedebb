import Testing

@testable import Lock

@Suite("attestation-identities written into the lock's text")
struct IdentityRewriteTests {
    @Test("only the new keys are inserted; every other byte is kept; the result reads back")
    func insertsOnly() throws {
        let lock = try PylockParser.parse(sampleLock, file: "pylock.toml")
        let key = LockedIdentity(kind: "key", fields: ["fingerprint": "sha256:" + String(repeating: "e", count: 64)])
        let publisher = LockedIdentity(kind: "GitHub", fields: ["repository": "org/alpha", "workflow": "rel\u{e9}ase.yml"])
        let text = try IdentityRewrite.rewrite(lock, adding: [0: [publisher], 3: [key]])
        let inserted0 =
            "attestation-identities = [\n    { kind = \"GitHub\", repository = \"org/alpha\", workflow = \"rel\\u00E9ase.yml\" },\n]\n"
        let inserted3 =
            "attestation-identities = [\n    { kind = \"key\", fingerprint = \"sha256:\(String(repeating: "e", count: 64))\" },\n]\n"
        // Removing exactly the inserted text gives the original back, byte for byte.
        var restored = text
        restored = restored.replacingOccurrences(of: inserted0, with: "")
        restored = restored.replacingOccurrences(of: "\n" + inserted3, with: "")
        #expect(restored == sampleLock)
        let reread = try PylockParser.parse(text, file: "pylock.toml")
        #expect(reread.packages[0].identities == [publisher])
        #expect(reread.packages[3].identities == [key])
        #expect(reread.packages[2].identities == lock.packages[2].identities)
        // Inserted right after alpha's wheels, before the next [[packages]].
        #expect(text.contains("]\n" + inserted0 + "\n[[packages]]\nname = \"beta\""))
    }

    @Test("existing identities are enforced, never replaced")
    func refusesReplacing() throws {
        let lock = try PylockParser.parse(sampleLock, file: "pylock.toml")
        #expect(throws: LockError.self) {
            try IdentityRewrite.rewrite(
                lock, adding: [2: [LockedIdentity(kind: "GitHub", fields: ["repository": "a/b", "workflow": "w"])]])
        }
    }

    @Test("CRLF files keep CRLF; packages written inline cannot be edited in place")
    func lineEndingsAndInline() throws {
        let crlf = sampleLock.replacingOccurrences(of: "\n", with: "\r\n")
        let lock = try PylockParser.parse(crlf, file: "pylock.toml")
        let identity = LockedIdentity(kind: "GitHub", fields: ["repository": "o/a", "workflow": "w.yml"])
        let text = try IdentityRewrite.rewrite(lock, adding: [0: [identity]])
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let inline = try PylockParser.parse(
            "lock-version = \"1.0\"\ncreated-by = \"x\"\npackages = [{ name = \"a\", sdist = { url = \"http://h/a-1.0.tar.gz\", hashes = { sha256 = \"\(String(repeating: "0", count: 64))\" } } }]\n",
            file: "p.toml")
        do {
            _ = try IdentityRewrite.rewrite(inline, adding: [0: [identity]])
            Issue.record("edited an inline packages array")
        } catch {
            #expect(error.code == .cannotEdit)
        }
    }

    @Test("identity matching: keys by fingerprint; publishers by every field the lock names")
    func matching() {
        let lockIdentity = LockedIdentity(kind: "GitHub", fields: ["repository": "Org/A", "workflow": "release.yml"])
        #expect(
            lockIdentity.matches(
                .publisher(kind: "GitHub", fields: ["repository": "org/a", "workflow": "release.yml", "environment": "pypi"])))
        #expect(!lockIdentity.matches(.publisher(kind: "GitHub", fields: ["repository": "org/a", "workflow": "other.yml"])))
        #expect(!lockIdentity.matches(.publisher(kind: "GitLab", fields: ["repository": "org/a", "workflow": "release.yml"])))
        let fingerprint = "sha256:" + String(repeating: "1", count: 64)
        #expect(LockedIdentity(kind: "key", fields: ["fingerprint": fingerprint]).matches(.key(fingerprint: fingerprint)))
        #expect(
            !LockedIdentity(kind: "key", fields: ["fingerprint": fingerprint]).matches(
                .key(fingerprint: "sha256:" + String(repeating: "2", count: 64))))
    }
}

@Suite("lock shapes other tools write")
struct LockShapeTests {
    /// `pip lock`'s shape: sub-tables `[[packages.wheels]]` and `[packages.sdist]` after the
    /// package's own keys, and comments with brackets and quotes.
    static let pipShape = """
        lock-version = "1.0"
        created-by = "pip"

        [[packages]]
        name = "alpha"
        version = "1.0"  # comment "with quotes" and [[brackets]]
        description = '''
        [[packages]]
        not a header
        '''

        [[packages.wheels]]
        name = "alpha-1.0-py3-none-any.whl"
        url = "http://h/alpha-1.0-py3-none-any.whl"
        [packages.wheels.hashes]
        sha256 = "\(String(repeating: "a", count: 64))"

        [[packages]]
        name = "beta"
        version = "2.0"
        [packages.sdist]
        url = "http://h/beta-2.0.tar.gz"
        hashes = {sha256 = "\(String(repeating: "b", count: 64))"}

        """

    @Test("sub-tables and multi-line strings: identities go before the first sub-table, nothing else moves")
    func pipLock() throws {
        // `description` is not a PEP 751 package key: the strict reader refuses it, naming the line.
        do {
            _ = try PylockParser.parse(Self.pipShape, file: "pylock.toml")
            Issue.record("unknown key accepted")
        } catch {
            #expect(error.message.hasPrefix("pylock.toml:4: "), "\(error.message)")
            #expect(error.message.contains("unknown key \"description\""))
        }
        let text = Self.pipShape.replacingOccurrences(of: "description = ", with: "tool = { x = ").replacingOccurrences(
            of: "not a header\n'''", with: "not a header\n''' }")
        let lock = try PylockParser.parse(text, file: "pylock.toml")
        #expect(lock.packages.map(\.line) == [4, 18])
        let identity = LockedIdentity(kind: "GitLab", fields: ["repository": "g/a", "workflow_filepath": ".gitlab-ci.yml"])
        let edited = try IdentityRewrite.rewrite(lock, adding: [0: [identity], 1: [identity]])
        let inserted = IdentityRewrite.render([identity], newline: "\n")
        #expect(edited.replacingOccurrences(of: inserted, with: "") == text)
        #expect(edited.contains("not a header\n''' }\n" + inserted + "\n[[packages.wheels]]"), "\(edited)")
        #expect(edited.contains("version = \"2.0\"\n" + inserted + "[packages.sdist]"), "\(edited)")
        #expect(try PylockParser.parse(edited, file: "pylock.toml").packages.map(\.identities) == [[identity], [identity]])
    }

    @Test("one index, several spellings: credentials, case of scheme and host, trailing slash")
    func indexKeys() {
        #expect(IndexPipelines.key("HTTP://user:pw@Host.example:8080/simple/") == IndexPipelines.key("http://host.example:8080/simple"))
        #expect(IndexPipelines.key("http://host.example/simple") != IndexPipelines.key("http://host.example/other"))
        #expect(IndexPipelines.key("http://host.example/simple") != IndexPipelines.key("https://host.example/simple"))
    }

    @Test("version specifiers as requires-python and markers use them")
    func specifiers() throws {
        let spec = try #require(VersionSpecifier(">=3.9, !=3.10.*, <4"))
        #expect(spec.contains("3.11.2") && spec.contains("3.9.0") && !spec.contains("3.10.4") && !spec.contains("3.8"))
        #expect(try #require(VersionSpecifier("~=3.11.1")).contains("3.11.9"))
        #expect(!(try #require(VersionSpecifier("~=3.11.1")).contains("3.12.0")))
        for bad in ["3.9", ">=", ">=3.*", "~=3", ">=three", ""] { #expect(VersionSpecifier(bad) == nil, "\(bad)") }
    }
}
