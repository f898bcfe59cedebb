import PythonPackaging
import Testing

@testable import Lock

/// A lock in the shape `uv pip compile --format pylock.toml` writes (inline wheel tables).
let sampleLock = """
    lock-version = "1.0"
    created-by = "uv"
    requires-python = ">=3.8"

    [[packages]]
    name = "alpha"
    version = "1.0"
    index = "http://127.0.0.1:8080/simple"
    wheels = [
        { name = "alpha-1.0-py3-none-any.whl", url = "http://127.0.0.1:8080/files/alpha-1.0-py3-none-any.whl", upload-time = 2024-01-01T00:00:00Z, size = 10, hashes = { sha256 = "\(String(repeating: "a", count: 64))" } },
    ]

    [[packages]]
    name = "beta"
    version = "2.0"
    marker = "sys_platform == 'win32'"
    sdist = { url = "http://127.0.0.1:8080/files/beta-2.0.tar.gz", hashes = { sha256 = "\(String(repeating: "b", count: 64))" } }

    [[packages]]
    name = "gamma"
    version = "3.0"
    # a comment with [[packages]] in it
    wheels = [{ url = "http://127.0.0.1:8080/files/gamma-3.0-cp311-cp311-manylinux_2_17_x86_64.whl", hashes = { sha256 = "\(String(repeating: "c", count: 64))" } },
      { url = "http://127.0.0.1:8080/files/gamma-3.0-py3-none-any.whl", hashes = { sha256 = "\(String(repeating: "d", count: 64))" } }]
    attestation-identities = [{ kind = "GitHub", repository = "org/gamma", workflow = "release.yml" }]

    [packages.tool.x]
    note = "sub-table"

    [[packages]]
    name = "delta"
    vcs = { type = "git", url = "https://example.invalid/delta.git", commit-id = "abc" }
    """

@Suite("pylock.toml reading")
struct PylockParserTests {
    @Test("a lock in uv's shape: packages, files, names derived from URLs, identities, lines")
    func readsUVShape() throws {
        let lock = try PylockParser.parse(sampleLock, file: "pylock.toml")
        #expect(lock.lockVersion == "1.0")
        #expect(lock.packages.map(\.name.raw) == ["alpha", "beta", "gamma", "delta"])
        #expect(lock.packages.map(\.line) == [5, 13, 19, 30])
        guard case .files(let wheels, nil) = lock.packages[0].source else { Issue.record("alpha has wheels"); return }
        #expect(wheels.first?.filename == "alpha-1.0-py3-none-any.whl")
        #expect(wheels.first?.hashes["sha256"] == String(repeating: "a", count: 64))
        #expect(lock.packages[0].index == "http://127.0.0.1:8080/simple")
        guard case .files(let gammaWheels, _) = lock.packages[2].source else { Issue.record("gamma has wheels"); return }
        #expect(gammaWheels.map(\.filename) == ["gamma-3.0-cp311-cp311-manylinux_2_17_x86_64.whl", "gamma-3.0-py3-none-any.whl"])
        #expect(
            lock.packages[2].identities == [LockedIdentity(kind: "GitHub", fields: ["repository": "org/gamma", "workflow": "release.yml"])])
        guard case .other(let kind, _) = lock.packages[3].source else { Issue.record("delta is vcs"); return }
        #expect(kind == "vcs")
    }

    static let malformed: [(String, String, String)] = [
        (
            "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nwheels = [{ name = \"a-1.0-py3-none-any.whl\", url = \"http://h/a\" }]\n",
            "pylock.toml:3:", "has no hashes"
        ),
        ("created-by = \"x\"\npackages = []\n", "pylock.toml:", "lock-version is missing"),
        ("lock-version = \"2.0\"\ncreated-by = \"x\"\npackages = []\n", "pylock.toml:", "only 1.x"),
        ("lock-version = \"1.0\"\npackages = []\n", "pylock.toml:", "created-by is missing"),
        ("lock-version = \"1.0\"\ncreated-by = \"x\"\nsurprise = 1\npackages = []\n", "pylock.toml:", "unknown key \"surprise\""),
        (
            "lock-version = \"1.0\"\ncreated-by = \"x\"\n\n[[packages]]\nname = \"a\"\nversion = \"1.0\"\nsdist = { url = \"http://h/b-1.0.tar.gz\", hashes = { sha256 = \"\(String(repeating: "0", count: 64))\" } }\n",
            "pylock.toml:4:", "is a file of b, not of a"
        ),
        (
            "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nversion = \"1.0\"\nsdist = { url = \"http://h/a-1.0.tar.gz\", hashes = { sha256 = \"abc\" } }\n",
            "pylock.toml:3:", "is not 64 hex digits"
        ),
        (
            "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nmarker = \"python_version >>= '3'\"\nsdist = { url = \"http://h/a-1.0.tar.gz\", hashes = { sha256 = \"\(String(repeating: "0", count: 64))\" } }\n",
            "pylock.toml:3:", "unknown operator"
        ),
        ("lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\n", "pylock.toml:3:", "has no source"),
        (
            "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nvcs = { url = \"u\" }\nsdist = { url = \"http://h/a-1.0.tar.gz\", hashes = { sha256 = \"\(String(repeating: "0", count: 64))\" } }\n",
            "pylock.toml:3:", "more than one kind of source"
        ),
        (
            "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nsdist = { url = \"http://h/a-1.0.tar.gz\", hashes = { sha256 = \"\(String(repeating: "0", count: 64))\" } }\nattestation-identities = [{ kind = \"GitHub\", repository = \"o/r\" }]\n",
            "pylock.toml:3:", "needs workflow"
        ),
        (
            "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nsdist = { url = \"http://h/a-1.0.tar.gz\", hashes = { sha256 = \"\(String(repeating: "0", count: 64))\" } }\nattestation-identities = [{ kind = \"key\", fingerprint = \"md5:00\" }]\n",
            "pylock.toml:3:", "fingerprint must be sha256"
        ),
        ("lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]\nname = \"a\"\n", "pylock.toml:3:", "not valid TOML"),
        (
            "lock-version = \"1.0\"\ncreated-by = \"x\"\nrequires-python = \"three\"\npackages = []\n", "pylock.toml:",
            "not a version specifier"
        ),
        ("lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a b\"\n", "pylock.toml:3:", "not a valid project name"),
    ]

    @Test("a malformed lock is refused naming the file, the line and the problem", arguments: malformed.indices)
    func refusesMalformed(_ index: Int) {
        let (text, place, problem) = Self.malformed[index]
        do {
            _ = try PylockParser.parse(text, file: "pylock.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.code == .malformed)
            #expect(error.message.hasPrefix(place), "\(error.message)")
            #expect(error.message.contains(problem), "\(error.message)")
        }
    }
}
