import Foundation
import Policy
import PythonPackaging
import Testing

@Suite("policy rule matching")
struct RuleMatchingTests {
    @Test(
        "globs match PEP 503-normalised names, whole",
        arguments: [
            ("*", "anything", true), ("numpy", "NumPy", true), ("zope.*", "zope-interface", true),
            ("Foo_Bar", "foo.bar", true), ("foo-?", "foo_1", true), ("foo-?", "foo-12", false),
            ("corp-*", "corpx", false), ("*-cli", "awesome_CLI", true), ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false), ("num", "numpy", false), ("*py", "numpy", true), ("??", "a", false),
        ])
    func globs(_ pattern: String, _ name: String, _ expected: Bool) throws {
        let glob = try #require(NameGlob(pattern))
        #expect(glob.matches(ProjectName(name)) == expected)
    }

    @Test("a glob with characters no project name has is refused", arguments: ["", "num[py]", "a b", "a/b", "ü", "a,b"])
    func badGlobs(_ pattern: String) {
        #expect(NameGlob(pattern) == nil)
    }

    @Test(
        "index URLs compare normalised",
        arguments: [
            ("https://Idx.Example/simple/", "https://idx.example/simple/", true),
            ("https://idx.example/simple", "https://idx.example/simple/", true),
            ("https://idx.example:443/simple/", "https://idx.example/simple/", true),
            ("https://idx.example/simple/", "https://user:token@idx.example/simple/", true),
            ("http://idx.example/simple/", "https://idx.example/simple/", false),
            ("https://idx.example/simple/", "https://idx.example:8443/simple/", false),
            ("https://idx.example/simple/", "https://idx.example/simple/other/", false),
            ("https://idx.example/Simple/", "https://idx.example/simple/", false),
        ])
    func indexURLs(_ policy: String, _ served: String, _ expected: Bool) throws {
        guard case .success(let match) = IndexMatch.parse(policy) else {
            Issue.record("\(policy) refused")
            return
        }
        #expect(match.matches(try #require(URL(string: served))) == expected)
    }

    static func policy(_ text: String) throws -> Policy {
        let folder = try PolicyFolder()
        return try folder.load(text)
    }

    static let mixed = """
        version = 1
        [keys.k]
        builtin = "redhat-release3"

        [[rule]]
        index = "https://corp.example/simple/"
        packages = ["*"]
        keys = ["k"]

        [[rule]]
        packages = ["legacy"]
        require = "none"
        reason = "retired"
        expires = 2025-01-31

        [[rule]]
        packages = ["legacy", "old-*"]
        require = "integrity"
        reason = "no provenance yet"
        """

    @Test("the first rule that covers the name and the serving index decides")
    func firstMatch() throws {
        let policy = try Self.policy(Self.mixed)
        let corp = URL(string: "https://corp.example/simple")!
        let other = URL(string: "https://other.example/simple/")!
        let before = try #require(ISO8601DateFormatter().date(from: "2025-01-31T23:59:00Z"))
        #expect(policy.select(ProjectName("anything"), indexURL: corp, on: before).rule?.position == 1)
        #expect(policy.select(ProjectName("legacy"), indexURL: other, on: before).rule?.position == 2)
        #expect(policy.select(ProjectName("Old_Thing"), indexURL: other, on: before).rule?.position == 3)
        let none = policy.select(ProjectName("anything"), indexURL: other, on: before)
        #expect(none.rule == nil && none.expired.isEmpty)
        #expect(none.summary == "no policy rule matches")
    }

    @Test("an expired rule is skipped and the selection says so")
    func expired() throws {
        let policy = try Self.policy(Self.mixed)
        let other = URL(string: "https://other.example/simple/")!
        let after = try #require(ISO8601DateFormatter().date(from: "2025-02-01T00:00:00Z"))
        let selection = policy.select(ProjectName("legacy"), indexURL: other, on: after)
        #expect(selection.rule?.position == 3)
        #expect(selection.expired.map(\.position) == [2])
        #expect(selection.summary == "rule 3 (require integrity); rule 2 expired on 2025-01-31 and was skipped")
    }

    @Test("with only an expired waiver, no rule matches and the expiry is named")
    func expiredWaiverOnly() throws {
        let policy = try Self.policy(
            """
            version = 1
            [[rule]]
            packages = ["legacy"]
            require = "none"
            reason = "retired"
            expires = 2020-01-01
            """)
        let selection = policy.select(ProjectName("legacy"), indexURL: nil)
        #expect(selection.rule == nil)
        #expect(selection.summary == "no policy rule matches; rule 1 expired on 2020-01-01 and was skipped")
    }
}
