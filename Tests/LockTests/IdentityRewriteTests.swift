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
        let inserted0 = "attestation-identities = [\n    { kind = \"GitHub\", repository = \"org/alpha\", workflow = \"rel\\u00E9ase.yml\" },\n]\n"
        let inserted3 = "attestation-identities = [\n    { kind = \"key\", fingerprint = \"sha256:\(String(repeating: "e", count: 64))\" },\n]\n"
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
            try IdentityRewrite.rewrite(lock, adding: [2: [LockedIdentity(kind: "GitHub", fields: ["repository": "a/b", "workflow": "w"])]])
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
        #expect(lockIdentity.matches(.publisher(kind: "GitHub", fields: ["repository": "org/a", "workflow": "release.yml", "environment": "pypi"])))
        #expect(!lockIdentity.matches(.publisher(kind: "GitHub", fields: ["repository": "org/a", "workflow": "other.yml"])))
        #expect(!lockIdentity.matches(.publisher(kind: "GitLab", fields: ["repository": "org/a", "workflow": "release.yml"])))
        let fingerprint = "sha256:" + String(repeating: "1", count: 64)
        #expect(LockedIdentity(kind: "key", fields: ["fingerprint": fingerprint]).matches(.key(fingerprint: fingerprint)))
        #expect(!LockedIdentity(kind: "key", fields: ["fingerprint": fingerprint]).matches(.key(fingerprint: "sha256:" + String(repeating: "2", count: 64))))
    }
}
