import Attestations
import Foundation
import Policy
import PythonPackaging
import Testing

@Suite("policy file parsing")
struct PolicyParserTests {
    /// The format exactly as issue 11 writes it (with a real key file and fingerprint).
    static func issueExample(fingerprint: String) -> String {
        """
        version = 1

        [keys.redhat]                         # named trust anchors, used by rules
        builtin = "redhat-release3"           # the embedded Red Hat release key 3
        [keys.corp]
        file = "keys/corp.pub"                # PEM, relative to the policy file's folder
        fingerprint = "\(fingerprint)"
        [identities.attrs]                    # a Trusted Publisher identity (PEP 740 publisher fields)
        kind = "GitHub"                       # GitHub | GitLab | Google | ...
        repository = "python-attrs/attrs"
        workflow = "pypi-package.yml"
        environment = "release-pypi"          # optional

        [[rule]]                              # rules in order; the first that matches a package decides
        index = "https://idx.example/simple/" # optional: matches files served by this index
        packages = ["*"]                      # PEP 503-normalised names with * and ? globs
        require = "provenance"                # provenance | integrity | none
        keys = ["redhat"]                     # accepted key-signed attestations
        identities = ["attrs"]                # accepted keyless publishers
        keyless = "index-publisher"           # also accept keyless bound to the publisher the index names
        builders = ["https://konflux-ci.dev/calunga"]   # optional: allowed SLSA builder ids
        predicate-types = ["https://slsa.dev/provenance/v1"]   # optional: allowed predicate types
        reason = "..."                        # required for require = "integrity" | "none"
        expires = 2027-06-30                  # optional; after it the rule no longer matches

        [[rule]]
        packages = ["corp-*", "internal_tool"]
        keys = ["corp"]

        [[rule]]
        packages = ["legacy?"]
        require = "integrity"
        reason = "no attestations published yet"

        [[rule]]
        packages = ["docs-only"]
        require = "none"
        reason = "never imported"
        """
    }

    @Test("the issue's format parses into anchors and ordered rules")
    func issueFormat() throws {
        let folder = try PolicyFolder()
        let corp = try folder.key("corp")
        let policy = try folder.load(Self.issueExample(fingerprint: "sha256:\(corp.fingerprint)"))
        #expect(policy.keys["redhat"]?.key.key == TrustedKey.redHatRelease3.key)
        #expect(policy.keys["corp"]?.key.key == corp)
        #expect(policy.identities["attrs"]?.publisher.kind == "GitHub")
        #expect(policy.identities["attrs"]?.publisher.fields["environment"] == .string("release-pypi"))
        #expect(policy.rules.map(\.position) == [1, 2, 3, 4])
        #expect(policy.rules.map(\.line) == [14, 26, 30, 35])
        let first = policy.rules[0]
        #expect(first.index?.normalized == "https://idx.example/simple/")
        #expect(first.keys == ["redhat"] && first.identities == ["attrs"] && first.indexPublisher)
        #expect(first.builders == ["https://konflux-ci.dev/calunga"])
        #expect(first.predicateTypes == ["https://slsa.dev/provenance/v1"])
        #expect(first.expires == PolicyDate(year: 2027, month: 6, day: 30))
        #expect(policy.rules[1].requirement == .provenance, "require defaults to the strictest")
        #expect(policy.rules[2].requirement == .integrity && policy.rules[2].reason == "no attestations published yet")
        #expect(policy.rules[3].requirement == .none)
        let bytes = Array(try String(contentsOfFile: folder.root + "/policy.toml", encoding: .utf8).utf8)
        #expect(policy.sha256 == FileDigest.compute(bytes, algorithm: .sha256).hex)
        #expect(policy.path == folder.root + "/policy.toml")
    }

    @Test("Red Hat's published key file, header lines and all, is a key anchor")
    func publishedKeyFile() throws {
        let folder = try PolicyFolder()
        let policy = try folder.load(
            """
            version = 1
            [keys.rh]
            file = "\(PolicyFolder.redHatPublished)"
            fingerprint = "sha256:\(TrustedKey.redHatRelease3.key.fingerprint.uppercased())"
            [[rule]]
            packages = ["*"]
            keys = ["rh"]
            """)
        #expect(policy.keys["rh"]?.key.key == TrustedKey.redHatRelease3.key)
    }

    /// One broken policy: the text, the line the error must name, words it must contain, its code.
    struct Broken: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let line: Int?
        let words: String
        let code: PolicyError.Code
        var testDescription: String { name }
    }

    static let rule = "[[rule]]\npackages = [\"*\"]\nkeys = [\"k\"]\n"
    static let keyTable = "[keys.k]\nbuiltin = \"redhat-release3\"\n"

    static let broken: [Broken] = [
        Broken(name: "not TOML", text: "version = 1\nkeys = [\n", line: 2, words: "not valid TOML", code: .syntax),
        Broken(name: "duplicate key", text: "version = 1\nversion = 1\n", line: 2, words: "not valid TOML", code: .syntax),
        Broken(name: "unknown top-level key", text: "version = 1\nfoo = 2\n" + keyTable + rule, line: 2, words: "unknown key \"foo\"", code: .invalid),
        Broken(
            name: "unknown key in a rule", text: "version = 1\n" + keyTable + rule + "colour = \"red\"\n", line: 7,
            words: "unknown key \"colour\" in rule 1", code: .invalid),
        Broken(
            name: "unknown key in a key anchor", text: "version = 1\n[keys.k]\nbuiltin = \"redhat-release3\"\npath = \"x\"\n" + rule, line: 4,
            words: "unknown key \"path\" in keys.k", code: .invalid),
        Broken(
            name: "unknown key in an identity",
            text: "version = 1\n[identities.i]\nkind = \"GitHub\"\nrepository = \"a/b\"\nworkflow = \"w.yml\"\nref = \"main\"\n[[rule]]\npackages = [\"*\"]\nidentities = [\"i\"]\n",
            line: 6, words: "unknown key \"ref\"", code: .invalid),
        Broken(name: "version not 1", text: "version = 2\n" + keyTable + rule, line: 1, words: "version must be 1", code: .invalid),
        Broken(name: "missing version", text: keyTable + rule, line: 1, words: "missing version", code: .invalid),
        Broken(name: "no rule", text: "version = 1\n" + keyTable, line: nil, words: "no [[rule]]", code: .invalid),
        Broken(
            name: "empty packages", text: "version = 1\n" + keyTable + "[[rule]]\nkeys = [\"k\"]\npackages = []\n", line: 6,
            words: "packages is empty", code: .invalid),
        Broken(
            name: "missing packages", text: "version = 1\n" + keyTable + "\n[[rule]]\nkeys = [\"k\"]\n", line: 5,
            words: "rule 1 needs packages", code: .invalid),
        Broken(
            name: "bad glob", text: "version = 1\n" + keyTable + "[[rule]]\nkeys = [\"k\"]\npackages = [\"num[py]\"]\n", line: 6,
            words: "\"num[py]\" is not a project name or glob", code: .invalid),
        Broken(
            name: "unknown key anchor", text: "version = 1\n" + keyTable + "[[rule]]\npackages = [\"*\"]\nkeys = [\"k\", \"corp\"]\n", line: 6,
            words: "unknown key anchor \"corp\" (defined: k)", code: .invalid),
        Broken(
            name: "unknown identity", text: "version = 1\n" + keyTable + rule + "identities = [\"attrs\"]\n", line: 7,
            words: "unknown identity \"attrs\"", code: .invalid),
        Broken(
            name: "missing reason (integrity)", text: "version = 1\n" + keyTable + "\n\n[[rule]]\npackages = [\"*\"]\nrequire = \"integrity\"\n",
            line: 6, words: "needs a reason", code: .invalid),
        Broken(
            name: "missing reason (none)", text: "version = 1\n[[rule]]\npackages = [\"*\"]\nrequire = \"none\"\n", line: 2,
            words: "needs a reason", code: .invalid),
        Broken(
            name: "bad require", text: "version = 1\n" + keyTable + rule + "require = \"signature\"\n", line: 7,
            words: "require must be provenance, integrity or none", code: .invalid),
        Broken(
            name: "bad URL", text: "version = 1\n" + keyTable + rule + "index = \"ftp://idx.example/simple/\"\n", line: 7,
            words: "index: ftp://idx.example/simple/ is not an http(s) URL", code: .invalid),
        Broken(
            name: "URL with credentials", text: "version = 1\n" + keyTable + rule + "index = \"https://u:p@idx.example/simple/\"\n", line: 7,
            words: "carries credentials", code: .invalid),
        Broken(
            name: "date as a string", text: "version = 1\n" + keyTable + rule + "expires = \"2027-06-30\"\n", line: 7,
            words: "expires must be a TOML date", code: .invalid),
        Broken(
            name: "impossible date", text: "version = 1\n" + keyTable + rule + "expires = 2027-02-30\n", line: 7,
            words: "not valid TOML", code: .syntax),
        Broken(
            name: "date with a time", text: "version = 1\n" + keyTable + rule + "expires = 2027-06-30T10:00:00Z\n", line: 7,
            words: "expires must be a TOML date", code: .invalid),
        Broken(
            name: "wrong type", text: "version = 1\n" + keyTable + "[[rule]]\npackages = \"*\"\nkeys = [\"k\"]\n", line: 5,
            words: "packages must be an array of strings", code: .invalid),
        Broken(
            name: "provenance rule with no signer", text: "version = 1\n" + keyTable + "[[rule]]\npackages = [\"*\"]\n", line: 4,
            words: "accepts no signer", code: .invalid),
        Broken(
            name: "keys on a waiver", text: "version = 1\n" + keyTable + rule + "require = \"none\"\nreason = \"r\"\n", line: 6,
            words: "keys has no effect", code: .invalid),
        Broken(
            name: "bad keyless", text: "version = 1\n" + keyTable + rule + "keyless = \"any\"\n", line: 7,
            words: "keyless must be \"index-publisher\"", code: .invalid),
        Broken(
            name: "empty builders", text: "version = 1\n" + keyTable + rule + "builders = []\n", line: 7,
            words: "builders is empty", code: .invalid),
        Broken(
            name: "unknown predicate type", text: "version = 1\n" + keyTable + rule + "predicate-types = [\"https://example/x\"]\n", line: 7,
            words: "is not one wheeltrust verifies", code: .invalid),
        Broken(
            name: "unknown builtin key", text: "version = 1\n[keys.k]\nbuiltin = \"redhat-release9\"\n" + rule, line: 3,
            words: "unknown builtin key", code: .invalid),
        Broken(
            name: "key file missing", text: "version = 1\n[keys.k]\nfile = \"keys/nothere.pub\"\n" + rule, line: 3,
            words: "cannot read the key file keys/nothere.pub", code: .key),
        Broken(
            name: "key file not a key", text: "version = 1\n[keys.k]\nfile = \"keys/text.pub\"\n" + rule, line: 3,
            words: "key file keys/text.pub is not a public key", code: .key),
        Broken(
            name: "fingerprint mismatch",
            text: "version = 1\n[keys.k]\nbuiltin = \"redhat-release3\"\nfingerprint = \"sha256:\(String(repeating: "ab", count: 32))\"\n" + rule,
            line: 4, words: "not the fingerprint sha256:abab", code: .key),
        Broken(
            name: "malformed fingerprint", text: "version = 1\n[keys.k]\nbuiltin = \"redhat-release3\"\nfingerprint = \"md5:00\"\n" + rule,
            line: 4, words: "fingerprint must be sha256:<64 hex digits>", code: .invalid),
        Broken(
            name: "identity of an unknown kind", text: "version = 1\n[identities.i]\nkind = \"Jenkins\"\n[[rule]]\npackages = [\"*\"]\nidentities = [\"i\"]\n",
            line: 3, words: "unknown identity kind \"Jenkins\"", code: .invalid),
        Broken(
            name: "identity lacking a field", text: "version = 1\n[identities.i]\nkind = \"GitHub\"\nrepository = \"a/b\"\n[[rule]]\npackages = [\"*\"]\nidentities = [\"i\"]\n",
            line: 2, words: "needs workflow", code: .invalid),
        Broken(
            name: "second rule's problem names its line", text: "version = 1\n" + keyTable + rule + "\n" + rule + "expires = 2027\n",
            line: 11, words: "rule 2: expires must be a TOML date", code: .invalid),
        Broken(
            name: "inline array of tables", text: "version = 1\nrule = [\n  { packages = [\"*\"], keys = [\"k\"] },\n  { packages = [] },\n]\n" + keyTable,
            line: 4, words: "rule 2: packages is empty", code: .invalid),
    ]

    @Test("every invalid policy names file, line and problem", arguments: broken)
    func invalid(_ case_: Broken) throws {
        let folder = try PolicyFolder()
        try folder.write("keys/text.pub", "this is not a key\n")
        let error = try #require(try folder.error(case_.text), "\(case_.name) loaded")
        #expect(error.code == case_.code, "\(error.message)")
        #expect(error.line == case_.line, "\(error.message)")
        #expect(error.problem.contains(case_.words), "\(error.message)")
        let prefix = folder.root + "/policy.toml" + (case_.line.map { ":\($0):" } ?? ":")
        #expect(error.message.hasPrefix(prefix), "\(error.message)")
        #expect(!error.message.contains("\n"), "one line")
    }

    @Test("a file that is not UTF-8 or holds a NUL is refused, naming the file")
    func notText() throws {
        let folder = try PolicyFolder()
        let path = folder.root + "/policy.toml"
        try Data([0x76, 0xff, 0xfe]).write(to: URL(fileURLWithPath: path))
        #expect(throws: PolicyError.self) { try PolicyDiscovery.load(path: path) }
        try Data("version = 1\n\0".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try PolicyDiscovery.load(path: path)
            Issue.record("a NUL was accepted")
        } catch {
            #expect(error.message == "\(path):2: a NUL character is not allowed in TOML")
        }
    }

    @Test("a policy file that does not exist is an error naming it")
    func missingFile() throws {
        do {
            _ = try PolicyDiscovery.load(path: "/nonexistent/policy.toml")
            Issue.record("loaded")
        } catch {
            #expect(error.code == .unreadable)
            #expect(error.message.hasPrefix("/nonexistent/policy.toml: cannot read the policy file"))
        }
    }

    @Test("the built-in policy is today's trust, parsed like any file")
    func builtIn() throws {
        let policy = try BuiltInPolicy.policy()
        #expect(policy.origin == .builtIn)
        #expect(policy.sha256 == FileDigest.compute(Array(BuiltInPolicy.text.utf8), algorithm: .sha256).hex)
        #expect(policy.rules.count == 1)
        let rule = try #require(policy.rules.first)
        #expect(rule.keys == ["redhat"] && rule.indexPublisher && rule.identities.isEmpty && rule.requirement == .provenance)
        #expect(policy.keys["redhat"]?.key.key == TrustedKey.redHatRelease3.key)
    }

    @Test("policy check's description lists every rule as understood")
    func description() throws {
        let folder = try PolicyFolder()
        let corp = try folder.key("corp")
        let lines = PolicyDescription.lines(try folder.load(Self.issueExample(fingerprint: "sha256:\(corp.fingerprint)")))
        #expect(lines.contains { $0.contains("key corp: keys/corp.pub") && $0.contains("sha256:\(corp.fingerprint)") })
        #expect(lines.contains("  identity attrs: GitHub python-attrs/attrs pypi-package.yml release-pypi"))
        #expect(lines.contains { $0.hasPrefix("  rule 1 (line 14): packages *; from index https://idx.example/simple/; require provenance") })
        #expect(lines.contains { $0.hasPrefix("  rule 3 (line 30): packages legacy?; require integrity; reason: no attestations published yet") })
        #expect(lines.contains { $0.hasPrefix("  rule 4 (line 35): packages docs-only; require none") })
    }
}
