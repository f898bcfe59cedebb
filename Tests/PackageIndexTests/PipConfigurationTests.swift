import Foundation
import Testing

@testable import PackageIndex

@Suite struct PipConfigurationTests {
    let pypiDefault = URL(string: "https://default.example/simple")

    @Test func fileOrderFollowsPip() throws {
        let dir = try TemporaryDirectory()
        let env = ["XDG_CONFIG_DIRS": "/x1:/x2", "XDG_CONFIG_HOME": "/cfg"]
        #expect(
            PipConfiguration.configurationFiles(environment: env, homeDirectory: "/h", sitePrefix: "/venv") == [
                "/x1/pip/pip.conf", "/x2/pip/pip.conf", "/etc/pip.conf",
                "/h/.pip/pip.conf", "/cfg/pip/pip.conf", "/venv/pip.conf",
            ])
        // An existing PIP_CONFIG_FILE drops the user files and comes last.
        let envFile = try dir.write("env.conf", "[global]\n")
        #expect(
            PipConfiguration.configurationFiles(environment: ["PIP_CONFIG_FILE": envFile], homeDirectory: "/h", sitePrefix: nil) == [
                "/etc/xdg/pip/pip.conf", "/etc/pip.conf", envFile,
            ])
        // A missing one keeps them.
        #expect(
            PipConfiguration.configurationFiles(environment: ["PIP_CONFIG_FILE": "/missing.conf"], homeDirectory: "/h", sitePrefix: nil)
                == [
                    "/etc/xdg/pip/pip.conf", "/etc/pip.conf", "/h/.pip/pip.conf", "/h/.config/pip/pip.conf", "/missing.conf",
                ])
        // os.devnull disables every file.
        #expect(
            PipConfiguration.configurationFiles(environment: ["PIP_CONFIG_FILE": "/dev/null"], homeDirectory: "/h", sitePrefix: "/v")
                .isEmpty)
    }

    @Test func devNullUsesEnvironmentAndDefault() throws {
        let plain = try PipConfiguration.resolve(
            environment: ["PIP_CONFIG_FILE": "/dev/null"], homeDirectory: "/nonexistent",
            sitePrefix: nil, interpreterDefault: pypiDefault, override: nil)
        #expect(plain.indexURL == pypiDefault)
        #expect(plain.source == "interpreter default")
        let fromEnv = try PipConfiguration.resolve(
            environment: ["PIP_CONFIG_FILE": "/dev/null", "PIP_INDEX_URL": "https://env.example/simple/"],
            homeDirectory: "/nonexistent", sitePrefix: nil, interpreterDefault: pypiDefault, override: nil)
        #expect(fromEnv.indexURL.absoluteString == "https://env.example/simple/")
        #expect(fromEnv.source == "PIP_INDEX_URL")
    }

    @Test func laterFilesOverrideEarlierOnes() throws {
        let dir = try TemporaryDirectory()
        let global = try dir.write("global.conf", "[global]\nindex-url = https://global.example/simple/\n")
        let user = try dir.write("user.conf", "[global]\nindex_url=https://user.example/simple/\n")
        let config = try PipConfiguration.resolve(
            files: [global, user, dir.path + "/absent.conf"], environment: [:],
            homeDirectory: dir.path, interpreterDefault: nil, override: nil)
        #expect(config.indexURL.host == "user.example")
        #expect(config.source == "\(user) [global]")
    }

    @Test func commandSectionBeatsGlobalFromAnyFile() throws {
        let dir = try TemporaryDirectory()
        let early = try dir.write(
            "early.conf",
            "[install]\nindex-url = https://install.example/simple/\n[download]\nindex-url = https://download.example/simple/\n")
        let late = try dir.write("late.conf", "[global]\nindex-url = https://global.example/simple/\n")
        let install = try PipConfiguration.resolve(
            files: [early, late], environment: [:], homeDirectory: dir.path,
            interpreterDefault: nil, override: nil)
        #expect(install.indexURL.host == "install.example")
        let download = try PipConfiguration.resolve(
            files: [early, late], environment: [:], homeDirectory: dir.path,
            interpreterDefault: nil, override: nil, command: "download")
        #expect(download.indexURL.host == "download.example")
    }

    @Test func environmentBeatsFilesAndOverrideBeatsAll() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("pip.conf", "[install]\nindex-url = https://file.example/simple/\n")
        let env = ["PIP_INDEX_URL": "https://env.example/simple/"]
        let fromEnv = try PipConfiguration.resolve(
            files: [file], environment: env, homeDirectory: dir.path,
            interpreterDefault: nil, override: nil)
        #expect(fromEnv.indexURL.host == "env.example")
        let overridden = try PipConfiguration.resolve(
            files: [file], environment: env, homeDirectory: dir.path,
            interpreterDefault: nil, override: URL(string: "https://cli.example/simple/"))
        #expect(overridden.indexURL.host == "cli.example")
        // The library names no option: the caller names where its own URL came from.
        #expect(overridden.source == PipConfiguration.defaultOverrideOrigin)
        let named = try PipConfiguration.resolve(
            files: [file], environment: env, homeDirectory: dir.path,
            interpreterDefault: nil, override: URL(string: "https://cli.example/simple/"), overrideOrigin: "the caller's setting")
        #expect(named.source == "the caller's setting" && named.summary.hasSuffix(" [from the caller's setting]"))
        let refused = #expect(throws: IndexError.self) {
            try PipConfiguration.resolve(
                files: [], environment: [:], homeDirectory: dir.path, interpreterDefault: nil,
                override: URL(string: "ftp://cli.example/simple/"), overrideOrigin: "the caller's setting")
        }
        #expect(refused?.message == "index URL 'ftp://cli.example/simple/' from the caller's setting is not an absolute http(s) URL")
    }

    @Test func multiLineExtraIndexURLs() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write(
            "pip.conf",
            """
            # comment
            [global]
            index-url = https://main.example/simple/
            extra_index_url =
                https://one.example/simple/
                ; an indented comment
                https://two.example/simple/ https://three.example/simple/
            """)
        let config = try PipConfiguration.resolve(
            files: [file], environment: [:], homeDirectory: dir.path,
            interpreterDefault: nil, override: nil)
        #expect(config.extraIndexURLs.map { $0.host ?? "" } == ["one.example", "two.example", "three.example"])
        let fromEnv = try PipConfiguration.resolve(
            files: [file], environment: ["PIP_EXTRA_INDEX_URL": "https://e1.example/ https://e2.example/"],
            homeDirectory: dir.path, interpreterDefault: nil, override: nil)
        #expect(fromEnv.extraIndexURLs.map { $0.host ?? "" } == ["e1.example", "e2.example"])
    }

    @Test func certificateBundlePrecedence() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("pip.conf", "[global]\nindex-url = https://main.example/simple/\ncert = ~/ca.pem\n")
        let fromFile = try PipConfiguration.resolve(
            files: [file], environment: ["SSL_CERT_FILE": "/ssl.pem"],
            homeDirectory: "/home/me", interpreterDefault: nil, override: nil)
        #expect(fromFile.certificateBundle == "/home/me/ca.pem")
        let fromPipCert = try PipConfiguration.resolve(
            files: [file], environment: ["PIP_CERT": "/pipcert.pem"],
            homeDirectory: "/home/me", interpreterDefault: nil, override: nil)
        #expect(fromPipCert.certificateBundle == "/pipcert.pem")
        let none: [String] = []
        let requests = try PipConfiguration.resolve(
            files: none, environment: ["REQUESTS_CA_BUNDLE": "/req.pem", "SSL_CERT_FILE": "/ssl.pem"],
            homeDirectory: "/h", interpreterDefault: pypiDefault, override: nil)
        #expect(requests.certificateBundle == "/req.pem")
        let ssl = try PipConfiguration.resolve(
            files: none, environment: ["SSL_CERT_FILE": "/ssl.pem"],
            homeDirectory: "/h", interpreterDefault: pypiDefault, override: nil)
        #expect(ssl.certificateBundle == "/ssl.pem")
        let nothing = try PipConfiguration.resolve(
            files: none, environment: [:], homeDirectory: "/h",
            interpreterDefault: pypiDefault, override: nil)
        #expect(nothing.certificateBundle == nil)
    }

    @Test func syntaxErrorNamesFileAndLine() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("bad.conf", "[global]\nindex-url = https://x.example/\nthis line is junk\n")
        let error = #expect(throws: IndexError.self) {
            try PipConfiguration.resolve(files: [file], environment: [:], homeDirectory: dir.path, interpreterDefault: nil, override: nil)
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("\(file):3") == true)
        let orphan = try dir.write("orphan.conf", "index-url = https://x.example/\n")
        let orphaned = #expect(throws: IndexError.self) {
            try PipConfiguration.resolve(files: [orphan], environment: [:], homeDirectory: dir.path, interpreterDefault: nil, override: nil)
        }
        #expect(orphaned?.code == .configuration)
        #expect(orphaned?.message == "\(orphan):1: key outside of any [section]")
    }

    @Test func invalidURLIsRejectedAndMasked() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("pip.conf", "[global]\nindex-url = ftp://user:supersecret@host.example/simple/\n")
        let error = #expect(throws: IndexError.self) {
            try PipConfiguration.resolve(files: [file], environment: [:], homeDirectory: dir.path, interpreterDefault: nil, override: nil)
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("supersecret") == false)
        #expect(error?.message.contains("user:****@") == true)
    }

    @Test func noIndexAtAllIsAConfigurationError() {
        let none: [String] = []
        let error = #expect(throws: IndexError.self) {
            try PipConfiguration.resolve(files: none, environment: [:], homeDirectory: "/h", interpreterDefault: nil, override: nil)
        }
        #expect(error?.code == .configuration)
        // Why, as a value (a command line names its option for it); the message names no option.
        #expect(error?.noIndex == .pipNamesNone)
        #expect(error?.message == "no index URL: name one, or set PIP_INDEX_URL or index-url in pip.conf")
    }
}
