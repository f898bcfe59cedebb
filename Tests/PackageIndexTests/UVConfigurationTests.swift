import Foundation
import Testing

@testable import PackageIndex

/// uv's index configuration as `uv pip install` reads it: each source alone, their precedence,
/// per-index credentials, and malformed files refused naming file and line.
@Suite struct UVConfigurationTests {
    let builtIn = URL(string: "https://default.example/simple/")!

    func resolve(_ environment: [String: String], files: [String] = []) throws(IndexError) -> IndexConfiguration {
        try UVConfiguration.resolve(files: files, environment: environment, interpreterDefault: builtIn, certificateBundle: nil)
    }

    func hosts(_ configuration: IndexConfiguration) -> [String] { configuration.lookupIndexes.map { $0.url.host ?? "" } }

    // MARK: files found

    @Test func userFileThenFirstSystemFile() throws {
        let dir = try TemporaryDirectory()
        let user = try dir.write("cfg/uv/uv.toml", "")
        let second = try dir.write("x2/uv/uv.toml", "")
        _ = try dir.write("x3/uv/uv.toml", "")
        let env = ["XDG_CONFIG_HOME": dir.path + "/cfg", "XDG_CONFIG_DIRS": "\(dir.path)/x1:\(dir.path)/x2:\(dir.path)/x3"]
        #expect(try UVConfiguration.configurationFiles(environment: env, homeDirectory: "/nonexistent") == [user, second])
        // A relative XDG_CONFIG_HOME is ignored (XDG), so ~/.config is used.
        let home = try dir.write("home/.config/uv/uv.toml", "")
        #expect(
            try UVConfiguration.configurationFiles(
                environment: ["XDG_CONFIG_HOME": "relative", "XDG_CONFIG_DIRS": dir.path + "/none"],
                homeDirectory: dir.path + "/home") == [home]
                + (FileManager.default.fileExists(atPath: "/etc/uv/uv.toml") ? ["/etc/uv/uv.toml"] : []))
        // UV_NO_SYSTEM_CONFIG drops the system file; UV_NO_CONFIG every file; UV_CONFIG_FILE replaces them.
        #expect(
            try UVConfiguration.configurationFiles(environment: env.merging(["UV_NO_SYSTEM_CONFIG": "1"]) { $1 }, homeDirectory: "/n")
                == [user])
        #expect(
            try UVConfiguration.configurationFiles(environment: env.merging(["UV_NO_CONFIG": "true"]) { $1 }, homeDirectory: "/n").isEmpty)
        let named = try dir.write("named.toml", "")
        #expect(
            try UVConfiguration.configurationFiles(
                environment: env.merging(["UV_CONFIG_FILE": named, "UV_NO_CONFIG": "1"]) { $1 }, homeDirectory: "/n")
                == [named])
        let missing = #expect(throws: IndexError.self) {
            try UVConfiguration.configurationFiles(environment: ["UV_CONFIG_FILE": dir.path + "/absent.toml"], homeDirectory: "/n")
        }
        #expect(missing?.message == "UV_CONFIG_FILE names \(dir.path)/absent.toml, which does not exist")
        let notBoolean = #expect(throws: IndexError.self) {
            try UVConfiguration.configurationFiles(environment: ["UV_NO_CONFIG": "maybe"], homeDirectory: "/n")
        }
        #expect(notBoolean?.code == .configuration)
        #expect(notBoolean?.message.hasPrefix("UV_NO_CONFIG='maybe' is not a boolean") == true)
    }

    // MARK: each source

    @Test func nothingConfiguredIsTheBuiltInDefault() throws {
        let configuration = try resolve([:])
        #expect(configuration.tool == .uv)
        #expect(configuration.indexURL == builtIn)
        #expect(!configuration.namesIndex)
        #expect(configuration.strategy == .firstIndex)
        #expect(configuration.source == UVConfiguration.builtInDefaultOrigin)
        let noPip = #expect(throws: IndexError.self) {
            try UVConfiguration.resolve(files: [], environment: [:], interpreterDefault: nil, certificateBundle: nil)
        }
        #expect(noPip?.noIndex == .uvNamesNoDefault)
        #expect(noPip?.message.hasPrefix("uv's configuration names no default index") == true)
        #expect(noPip?.message.contains("--") == false, "\(noPip?.message ?? "")")
        // Only explicit indexes (never consulted) and no default to fall back on: no index at all.
        let dir = try TemporaryDirectory()
        let explicitOnly = try dir.write("uv.toml", "[[index]]\nname = \"t\"\nurl = \"https://t.example/simple/\"\nexplicit = true\n")
        #expect(throws: IndexError.self) {
            try UVConfiguration.resolve(files: [explicitOnly], environment: [:], interpreterDefault: nil, certificateBundle: nil)
        }
        // With an index named, the unknown built-in default is left out rather than guessed.
        let named = try UVConfiguration.resolve(
            files: [], environment: ["UV_INDEX": "https://a.example/simple/"], interpreterDefault: nil, certificateBundle: nil)
        #expect(hosts(named) == ["a.example"])
    }

    @Test func defaultIndexVariableReplacesTheBuiltInOne() throws {
        let configuration = try resolve(["UV_DEFAULT_INDEX": "corp=https://corp.example/simple/"])
        #expect(hosts(configuration) == ["corp.example"])
        #expect(configuration.lookupIndexes[0].name == "corp")
        #expect(configuration.lookupIndexes[0].isDefault)
        #expect(configuration.namesIndex)
        #expect(configuration.source == "UV_DEFAULT_INDEX")
    }

    @Test func indexVariableIsSpaceSeparatedWithNames() throws {
        let configuration = try resolve(["UV_INDEX": "a=https://a.example/simple/  https://b.example/simple/\tc.x=http://c.example:8080/s/"]
        )
        // UV_INDEX adds indexes in front of the default one (here the built-in default).
        #expect(hosts(configuration) == ["a.example", "b.example", "c.example", "default.example"])
        #expect(configuration.lookupIndexes.map(\.name) == ["a", nil, "c.x", nil])
        #expect(configuration.indexURL == builtIn)
        #expect(configuration.extraIndexURLs.map { $0.host ?? "" } == ["a.example", "b.example", "c.example"])
    }

    @Test func deprecatedIndexURLAndExtraIndexURL() throws {
        let configuration = try resolve([
            "UV_INDEX_URL": "https://main.example/simple/",
            "UV_EXTRA_INDEX_URL": "https://e1.example/simple/ https://e2.example/simple/",
        ])
        #expect(hosts(configuration) == ["e1.example", "e2.example", "main.example"])
        #expect(configuration.indexURL.host == "main.example")
    }

    @Test func fileIndexTablesAndKeys() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write(
            "uv.toml",
            """
            index-url = "https://old-default.example/simple/"
            extra-index-url = ["https://extra.example/simple/"]

            [[index]]
            name = "internal"
            url = "https://internal.example/simple/"

            [[index]]
            name = "torch"
            url = "https://torch.example/whl/"
            explicit = true

            [[index]]
            url = "https://mirror.example/simple/"
            default = true
            """)
        let configuration = try resolve([:], files: [file])
        // [[index]] first, then extra-index-url; the first default (the table) beats index-url.
        #expect(hosts(configuration) == ["internal.example", "extra.example", "mirror.example"])
        #expect(configuration.indexURL.host == "mirror.example")
        #expect(configuration.indexes.filter(\.isExplicit).map(\.name) == ["torch"])
        #expect(configuration.summary.contains("not consulted (explicit): torch"))
        #expect(configuration.lookupIndexes[0].origin == "\(file) [[index]]")
    }

    @Test func pipTableComesBeforeTopLevelAndStrategyIsRead() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write(
            "uv.toml",
            """
            index-url = "https://top.example/simple/"
            index-strategy = "unsafe-best-match"

            [pip]
            index-url = "https://pip.example/simple/"
            extra-index-url = ["https://pip-extra.example/simple/"]
            """)
        let configuration = try resolve([:], files: [file])
        #expect(hosts(configuration) == ["pip-extra.example", "pip.example"])
        #expect(configuration.strategy == .allIndexes)
        #expect(try resolve(["UV_INDEX_STRATEGY": "first-index"], files: [file]).strategy == .firstIndex)
        #expect(throws: IndexError.self) { try resolve(["UV_INDEX_STRATEGY": "best"], files: [file]) }
    }

    // MARK: precedence

    @Test func environmentBeatsUserFileBeatsSystemFile() throws {
        let dir = try TemporaryDirectory()
        let user = try dir.write(
            "user.toml",
            """
            [[index]]
            name = "shared"
            url = "https://user-shared.example/simple/"
            [[index]]
            url = "https://user-default.example/simple/"
            default = true
            """)
        let system = try dir.write(
            "system.toml",
            """
            extra-index-url = ["https://system-extra.example/simple/"]
            [[index]]
            name = "shared"
            url = "https://system-shared.example/simple/"
            [[index]]
            url = "https://system-default.example/simple/"
            default = true
            """)
        let files = try resolve([:], files: [user, system])
        // Arrays concatenate (user first); of two indexes named "shared" the user's counts; the
        // user's default wins; the system file's extra-index-url comes after every [[index]].
        #expect(hosts(files) == ["user-shared.example", "system-extra.example", "user-default.example"])

        let withEnvironment = try resolve(
            ["UV_INDEX": "https://env.example/simple/", "UV_DEFAULT_INDEX": "https://env-default.example/simple/"], files: [user, system])
        #expect(
            hosts(withEnvironment) == ["env.example", "user-shared.example", "system-extra.example", "env-default.example"])
        // UV_DEFAULT_INDEX beats UV_INDEX_URL; both beat every file.
        let both = try resolve(
            ["UV_INDEX_URL": "https://deprecated.example/simple/", "UV_DEFAULT_INDEX": "https://new.example/simple/"], files: [user])
        #expect(both.indexURL.host == "new.example")
        let deprecatedOnly = try resolve(["UV_INDEX_URL": "https://deprecated.example/simple/"], files: [user])
        #expect(deprecatedOnly.indexURL.host == "deprecated.example")
    }

    @Test func noIndexIsAConfigurationError() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("uv.toml", "no-index = true\n")
        let error = #expect(throws: IndexError.self) { try resolve([:], files: [file]) }
        #expect(error?.noIndex == .uvSetsNoIndex(origin: file))
        #expect(error?.message == "uv's configuration sets no-index (\(file)): no index to verify against; name one")
        let fromEnvironment = #expect(throws: IndexError.self) { try resolve(["UV_NO_INDEX": "1"]) }
        #expect(fromEnvironment?.noIndex == .uvSetsNoIndex(origin: "UV_NO_INDEX"))
    }

    // MARK: credentials

    @Test func namedIndexCredentialsFromTheEnvironment() throws {
        let configuration = try resolve([
            "UV_INDEX": "my-corp.idx=https://corp.example:8443/simple/ other=https://other.example/simple/",
            "UV_INDEX_MY_CORP_IDX_USERNAME": "svc",
            "UV_INDEX_MY_CORP_IDX_PASSWORD": "s3cret",
            "UV_INDEX_OTHER_PASSWORD": "token-only",
        ])
        let corp = try #require(configuration.lookupIndexes.first { $0.name == "my-corp.idx" }?.credentials)
        #expect(corp.user == "svc")
        #expect(corp.password == "s3cret")
        #expect(corp.host == "corp.example" && corp.port == 8443 && corp.scheme == "https")
        #expect(!"\(corp)".contains("s3cret"))
        let other = try #require(configuration.lookupIndexes.first { $0.name == "other" }?.credentials)
        #expect(other.user == "" && other.password == "token-only")
        // An unnamed index gets none; neither does the built-in default.
        #expect(configuration.lookupIndexes.filter { $0.name == nil }.allSatisfy { $0.credentials == nil })
        #expect(UVConfiguration.environmentKey(forIndexNamed: "a-b.c_d9") == "A_B_C_D9")
    }

    // MARK: malformed input

    @Test(
        "a malformed uv.toml is a configuration error naming file and line",
        arguments: [
            ("[[index]]\nurl = \"https://a.example/simple/\"\nname = \n", 3),
            ("index-url = \"https://a.example/simple/\"\n\n[pip]\nextra-index-url = \"https://b.example/\"\n", 4),
            ("index-url = 42\n", 1),
            ("\n[[index]]\nurl = \"ftp://a.example/simple/\"\n", 3),
            ("[[index]]\nurl = \"https://a.example/simple/\"\n\n[[index]]\nname = \"bad name\"\nurl = \"https://b.example/\"\n", 5),
            ("[[index]]\nurl = \"https://a.example/simple/\"\nexplicit = true\n", 3),
            ("[[index]]\nname = \"x\"\n", 1),
            ("index-strategy = \"fastest\"\n", 1),
            ("[[index]]\nurl = \"https://a.example/\"\nformat = \"flat\"\n", 3),
            ("[[index]]\nurl = \"https://a.example/\"\ndefault = \"yes\"\n", 3),
            ("pip = 3\n", 1),
        ])
    func malformed(_ text: String, line: Int) throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("uv.toml", text)
        let error = #expect(throws: IndexError.self) { try resolve([:], files: [file]) }
        #expect(error?.code == .configuration)
        #expect(error?.message.hasPrefix("\(file):\(line): ") == true, "\(error?.message ?? "")")
    }

    @Test func malformedVariablesAreNamedAndMasked() throws {
        let badURL = #expect(throws: IndexError.self) { try resolve(["UV_INDEX": "https://u:topsecret@/simple/"]) }
        #expect(badURL?.message.contains("from UV_INDEX") == true)
        #expect(badURL?.message.contains("topsecret") == false)
        let badName = #expect(throws: IndexError.self) { try resolve(["UV_DEFAULT_INDEX": "b\u{1b}ad=https://a.example/"]) }
        #expect(badName?.message == "index name 'b?ad' in UV_DEFAULT_INDEX may only contain ASCII letters, digits, '-', '_' and '.'")
    }

    @Test func unreadableOrTooLargeFiles() throws {
        let dir = try TemporaryDirectory()
        let big = try dir.write("big.toml", String(repeating: "# padding\n", count: (1 << 20) / 10 + 1))
        let error = #expect(throws: IndexError.self) { try resolve([:], files: [big]) }
        #expect(error?.message.hasPrefix("cannot read uv configuration file \(big)") == true)
        let binary = try dir.write("bin.toml", data: Data([0x69, 0x3D, 0xFF, 0xFE]))
        let notUTF8 = #expect(throws: IndexError.self) { try resolve([:], files: [binary]) }
        #expect(notUTF8?.message == "uv configuration file \(binary) is not UTF-8")
    }
}
