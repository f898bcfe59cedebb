import Attestations
import Foundation
import PythonPackaging
import Testing

@testable import Verification

/// The pins file (``PinsFile``): its exact stable form, a round trip of every identity shape, and
/// strict decoding: each malformed document is a usage error naming the file, the member and the
/// problem.
@Suite("pins file")
struct PinsFileTests {
    static let fingerprintA = "sha256:" + String(repeating: "a1", count: 32)
    static let path = "/work/project/pins.json"

    static func decode(_ text: String) throws(VerificationError) -> PinsFile {
        try PinsFile.decode(Array(text.utf8), path: path)
    }

    static var sample: PinsFile {
        var file = PinsFile()
        file[ProjectName("corp-lib")] = PinsFile.Pin(
            identity: .key(fingerprint: fingerprintA), recorded: "2026-05-01T12:00:00Z", recordedVersion: "1.0")
        file[ProjectName("attrs")] = PinsFile.Pin(
            identity: .publisher(
                kind: "GitHub",
                fields: ["repository": "python-attrs/attrs", "workflow": "pypi-package.yml", "environment": "release-pypi"]),
            recorded: "2026-05-01T12:00:01Z", recordedVersion: "25.3.0")
        file[ProjectName("gpkg")] = PinsFile.Pin(
            identity: .publisher(kind: "Google", fields: ["email": "release@proj.iam.gserviceaccount.com"]),
            recorded: "2026-05-01T12:00:02+02:00")
        file[ProjectName("future")] = PinsFile.Pin(
            identity: .publisher(kind: "Forge", fields: ["project": "p", "pipeline": "release"]), recorded: "2026-05-01T12:00:03Z")
        return file
    }

    @Test("the written form is stable: sorted members, one per line, a final newline; names are the normalised keys")
    func exactForm() {
        var file = PinsFile()
        file[ProjectName("Corp_Lib")] = PinsFile.Pin(
            identity: .key(fingerprint: Self.fingerprintA), recorded: "2026-05-01T12:00:00Z", recordedVersion: "1.0")
        file[ProjectName("abi3info")] = PinsFile.Pin(
            identity: .publisher(kind: "GitHub", fields: ["repository": "woodruffw/abi3info", "workflow": "release.yml"]),
            recorded: "2026-05-01T12:00:00Z")
        let expected = """
            {
              "packages" : {
                "abi3info" : {
                  "publisher" : {
                    "kind" : "GitHub",
                    "repository" : "woodruffw/abi3info",
                    "workflow" : "release.yml"
                  },
                  "recorded" : "2026-05-01T12:00:00Z"
                },
                "corp-lib" : {
                  "key" : "\(Self.fingerprintA)",
                  "recorded" : "2026-05-01T12:00:00Z",
                  "recordedVersion" : "1.0"
                }
              },
              "version" : 1
            }

            """
        #expect(String(decoding: file.encoded(), as: UTF8.self) == expected)
    }

    @Test("every identity shape round-trips: key, GitHub with environment, Google, a kind not known here")
    func roundTrip() throws {
        let file = Self.sample
        let decoded = try PinsFile.decode(file.encoded(), path: Self.path)
        #expect(decoded == file)
        #expect(decoded.encoded() == file.encoded())
        #expect(decoded[ProjectName("Corp.Lib")]?.identity == .key(fingerprint: Self.fingerprintA))
    }

    @Test("a value with characters a review would not see (bidi override, zero-width) is written escaped and read back unchanged")
    func hiddenCharactersEscaped() throws {
        var file = PinsFile()
        let environment = "release\u{202E}lmy.esaeler\u{200B}"
        file[ProjectName("p")] = PinsFile.Pin(
            identity: .publisher(kind: "GitHub", fields: ["repository": "o/r", "workflow": "w.yml", "environment": environment]),
            recorded: "2026-05-01T12:00:00Z")
        let text = String(decoding: file.encoded(), as: UTF8.self)
        #expect(text.contains(#""environment" : "release\u202elmy.esaeler\u200b""#), "\(text)")
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(try PinsFile.decode(file.encoded(), path: Self.path) == file)
    }

    @Test("written atomically and read back; a missing file is no pins for pin, an error for verify")
    func writeAndRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-pins-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/sub/pins.json"
        #expect(try PinsFile.readIfPresent(path) == PinsFile())
        do {
            _ = try PinsFile.read(path)
            Issue.record("a missing pins file was read")
        } catch {
            #expect(error.code == .usage && error.message == "cannot read the pins file \(path)")
        }
        try Self.sample.write(to: path)
        #expect(try PinsFile.read(path) == Self.sample)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/sub") == ["pins.json"], "no temporary file left")
    }

    @Test("a pins file larger than the cap, or not a regular file, is refused naming the file")
    func boundedRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-pins-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let big = directory + "/big.json"
        try Data(count: PinsFile.maxBytes + 1).write(to: URL(fileURLWithPath: big))
        #expect(throws: VerificationError.self) { try PinsFile.read(big) }
        do { _ = try PinsFile.read(big) } catch { #expect(error.message == "pins file \(big): larger than \(PinsFile.maxBytes) bytes") }
        #expect(mkfifo(directory + "/fifo", 0o600) == 0)
        do {
            _ = try PinsFile.readIfPresent(directory + "/fifo")
            Issue.record("a FIFO was read")
        } catch {
            #expect(error.message == "cannot read the pins file \(directory)/fifo")
        }
    }

    static let valid = #""recorded": "2026-05-01T12:00:00Z""#

    /// Each malformed document and the problem the error must name after `pins file <path>: `.
    static let malformed: [(String, String)] = [
        ("not json", "not valid JSON: invalid literal at byte 1"),
        (#"{"version": 1, "packages": {}, "version": 1}"#, "not valid JSON: duplicate member name \"version\" at byte 43"),
        ("[]", "not a JSON object"),
        (#"{"version": 2, "packages": {}}"#, "unknown version 2 (this wheeltrust reads version 1)"),
        (#"{"version": "1", "packages": {}}"#, "version: not an integer"),
        (#"{"version": 1.0, "packages": {}}"#, "not valid JSON: non-integer number (TUF metadata has no floats) at byte 13"),
        (#"{"packages": {}}"#, "no version"),
        (#"{"version": 1}"#, "no packages"),
        (#"{"version": 1, "packages": []}"#, "packages: not an object"),
        (#"{"version": 1, "packages": {}, "comment": "x"}"#, "unknown member \"comment\""),
        (
            #"{"version": 1, "packages": {"Foo_Bar": {"key": "sha256:\#(String(repeating: "0", count: 64))", \#(valid)}}}"#,
            "packages: \"Foo_Bar\" is not in normalised form (write \"foo-bar\")"
        ),
        (#"{"version": 1, "packages": {"-x": {}}}"#, "packages: \"-x\" is not a project name"),
        (#"{"version": 1, "packages": {"x": []}}"#, "packages.x: not an object"),
        (#"{"version": 1, "packages": {"x": {\#(valid)}}}"#, "packages.x: neither key nor publisher"),
        (
            #"{"version": 1, "packages": {"x": {"key": "sha256:\#(String(repeating: "0", count: 64))", "publisher": {"kind": "Google", "email": "a@b"}, \#(valid)}}}"#,
            "packages.x: both key and publisher (a pin names one signer)"
        ),
        (
            #"{"version": 1, "packages": {"x": {"key": "sha256:\#(String(repeating: "A", count: 64))", \#(valid)}}}"#,
            "packages.x.key: not sha256: followed by 64 lowercase hex digits"
        ),
        (
            #"{"version": 1, "packages": {"x": {"key": "\#(String(repeating: "0", count: 64))", \#(valid)}}}"#,
            "packages.x.key: not sha256: followed by 64 lowercase hex digits"
        ),
        (
            #"{"version": 1, "packages": {"x": {"key": "sha256:\#(String(repeating: "0", count: 64))"}}}"#,
            "packages.x: no recorded time"
        ),
        (
            #"{"version": 1, "packages": {"x": {"key": "sha256:\#(String(repeating: "0", count: 64))", "recorded": "yesterday"}}}"#,
            "packages.x.recorded: not an RFC 3339 time"
        ),
        (
            #"{"version": 1, "packages": {"x": {"key": "sha256:\#(String(repeating: "0", count: 64))", \#(valid), "name": "k"}}}"#,
            "unknown member packages.x.\"name\""
        ),
        (
            #"{"version": 1, "packages": {"x": {"key": "sha256:\#(String(repeating: "0", count: 64))", \#(valid), "recordedVersion": ""}}}"#,
            "packages.x.recordedVersion: not a non-empty string"
        ),
        (
            #"{"version": 1, "packages": {"x": {"publisher": {"kind": "GitHub", "repository": "o/r"}, \#(valid)}}}"#,
            "packages.x.publisher: a GitHub publisher needs workflow"
        ),
        (
            #"{"version": 1, "packages": {"x": {"publisher": {"kind": "GitHub", "repository": "o/r", "workflow": "w.yml", "ref": "main"}, \#(valid)}}}"#,
            "unknown member packages.x.publisher.\"ref\""
        ),
        (
            #"{"version": 1, "packages": {"x": {"publisher": {"kind": "GitHub", "repository": "o/r", "workflow": ""}, \#(valid)}}}"#,
            "packages.x.publisher.workflow: not a non-empty string"
        ),
        (
            #"{"version": 1, "packages": {"x": {"publisher": {"kind": "GitHub", "repository": "o/r", "workflow": 1}, \#(valid)}}}"#,
            "packages.x.publisher.workflow: not a non-empty string"
        ),
        (
            #"{"version": 1, "packages": {"x": {"publisher": {"repository": "o/r"}, \#(valid)}}}"#,
            "packages.x.publisher.kind: missing or not a non-empty string"
        ),
        (
            #"{"version": 1, "packages": {"x": {"publisher": {"kind": "Forge"}, \#(valid)}}}"#,
            "packages.x.publisher: a publisher needs at least one field besides kind"
        ),
    ]

    @Test("strict decoding: each malformed document is a usage error naming the file, the member and the problem", arguments: malformed)
    func strict(document: String, problem: String) {
        do {
            _ = try Self.decode(document)
            Issue.record("accepted: \(document)")
        } catch {
            #expect(error.code == .usage)
            #expect(error.message == "pins file \(Self.path): \(problem)", "\(document)")
        }
    }
}

/// ``PinnedIdentity``: what of a verified signer is pinned and how two identities compare.
@Suite("pinned identity")
struct PinnedIdentityTests {
    static func gitHub(_ repository: String, _ workflow: String, extra: [String: JSONValue] = [:]) -> SignerIdentity {
        var fields: [String: JSONValue] = ["repository": .string(repository), "workflow": .string(workflow)]
        fields.merge(extra) { _, new in new }
        return .keyless(
            publisher: Publisher(kind: "GitHub", fields: fields),
            certificateIdentity: "https://github.com/\(repository)/.github/workflows/\(workflow)@refs/tags/v1")
    }

    @Test("a key is its fingerprint (not its local name); a GitHub publisher its repository, workflow and environment only")
    func fromSigner() {
        #expect(PinnedIdentity(.key(name: "/home/me/corp.pub", fingerprint: "sha256:ab")) == .key(fingerprint: "sha256:ab"))
        #expect(
            PinnedIdentity(.key(name: "a.pub", fingerprint: "sha256:ab"))
                .sameSigner(as: PinnedIdentity(.key(name: "b.pub", fingerprint: "sha256:ab"))))
        let signer = Self.gitHub(
            "org/a", "release.yml",
            extra: ["environment": .string("pypi"), "claims": .object(["ref": .string("v1")]), "other": .string("x")])
        #expect(
            PinnedIdentity(signer)
                == .publisher(kind: "GitHub", fields: ["repository": "org/a", "workflow": "release.yml", "environment": "pypi"]))
        #expect(PinnedIdentity(signer).summary == "GitHub org/a release.yml environment=pypi")
        // The real index writes an unset environment as "" and claims as null: neither is pinned.
        let unset = Self.gitHub("org/a", "release.yml", extra: ["environment": .string(""), "claims": .null])
        #expect(PinnedIdentity(unset) == .publisher(kind: "GitHub", fields: ["repository": "org/a", "workflow": "release.yml"]))
        let google = SignerIdentity.keyless(
            publisher: Publisher(kind: "Google", fields: ["email": .string("r@p.iam.gserviceaccount.com")]),
            certificateIdentity: "r@p.iam.gserviceaccount.com")
        #expect(PinnedIdentity(google).summary == "Google r@p.iam.gserviceaccount.com")
        // A lone file's publisher names no one: the certificate's identity is what was bound.
        let local = SignerIdentity.keyless(
            publisher: .localFile, certificateIdentity: "https://github.com/o/r/.github/workflows/w.yml@refs/heads/main")
        #expect(
            PinnedIdentity(local).summary
                == "local file certificate_identity=https://github.com/o/r/.github/workflows/w.yml@refs/heads/main")
    }

    @Test("the same signer across releases; any other repository, workflow, environment, kind or key is another")
    func comparison() {
        let pinned = PinnedIdentity(Self.gitHub("Org/A", "release.yml"))
        #expect(pinned.sameSigner(as: PinnedIdentity(Self.gitHub("org/a", "release.yml"))), "GitHub repositories are case-insensitive")
        #expect(!pinned.sameSigner(as: PinnedIdentity(Self.gitHub("org/b", "release.yml"))))
        #expect(!pinned.sameSigner(as: PinnedIdentity(Self.gitHub("org/a", "Release.yml"))), "a workflow file name is exact")
        #expect(!pinned.sameSigner(as: PinnedIdentity(Self.gitHub("org/a", "release.yml", extra: ["environment": .string("pypi")]))))
        #expect(!pinned.sameSigner(as: .publisher(kind: "GitLab", fields: ["repository": "org/a", "workflow_filepath": "release.yml"])))
        #expect(!pinned.sameSigner(as: .key(fingerprint: "sha256:ab")))
        #expect(!PinnedIdentity.key(fingerprint: "sha256:ab").sameSigner(as: .key(fingerprint: "sha256:cd")))
        let google = PinnedIdentity.publisher(kind: "Google", fields: ["email": "A@p.com"])
        #expect(!google.sameSigner(as: .publisher(kind: "Google", fields: ["email": "a@p.com"])), "only repositories compare without case")
    }
}
