import Foundation
import Testing

@testable import PythonPackaging

@Suite struct PythonEnvironmentTests {
    @Test func inspectsARealVirtualEnvironment() async throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        let venv = try await EnvironmentTestSupport.makeVirtualEnvironment(in: tmp)

        let env = try await PythonEnvironment.inspect(python: venv + "/bin/python")
        #expect(env.interpreter == venv + "/bin/python")
        #expect(env.executable == venv + "/bin/python")
        // The venv's own bin/python was not what answered: its checked base interpreter did.
        #expect(env.trustedInterpreter.basis == .virtualEnvironmentBase)
        #expect(!env.trustedInterpreter.path.hasPrefix(venv + "/"))
        #expect(env.prefix == venv)
        #expect(env.basePrefix != venv)
        #expect(env.isVirtualEnvironment)
        #expect(env.version.hasPrefix("3."))
        #expect(env.cacheTag?.isEmpty == false)
        #expect(env.schemePaths.purelib.hasPrefix(venv + "/lib"))
        #expect(env.schemePaths.purelib.hasSuffix("/site-packages"))
        #expect(env.schemePaths.platlib.hasSuffix("/site-packages"))
        #expect(env.schemePaths.scripts == venv + "/bin")
        #expect(env.schemePaths.data == venv)
        #expect(!env.schemePaths.include.isEmpty)
        #expect(env.sitePackages.first == env.schemePaths.purelib)
        #expect(env.sitePackages.contains(env.schemePaths.platlib))
        #expect(Set(env.sitePackages).count == env.sitePackages.count)
        #expect(env.pipDefaultIndexURL == nil, "the venv was made --without-pip")

        // A fresh venv without pip has no distributions.
        #expect(try env.distributions().isEmpty)

        // A well-formed dist-info, a broken one, an egg-info and a stray file.
        let site = env.schemePaths.purelib
        let good = "demo_pkg-1.2.3.dist-info"
        try EnvironmentTestSupport.makeDistInfo(
            good, in: site,
            files: [
                "METADATA": Array("Metadata-Version: 2.1\nName: Demo.Pkg\nVersion: 1.2.3\n\nbody\n".utf8),
                "WHEEL": EnvironmentTestSupport.sampleWheel,
                "RECORD": EnvironmentTestSupport.sampleRecord(good),
                "INSTALLER": Array("uv\n".utf8),
            ])
        try EnvironmentTestSupport.makeDistInfo(
            "broken-0.1.dist-info", in: site,
            files: [
                "METADATA": [0xFF, 0xFE],
                "RECORD": Array("\"unterminated,,\n".utf8),
            ])
        try EnvironmentTestSupport.makeDistInfo(
            "legacy-1.0.egg-info", in: site,
            files: [
                "PKG-INFO": Array("Name: legacy\nVersion: 1.0\n".utf8)
            ])
        try EnvironmentTestSupport.write("not a directory", to: site + "/stray-1.0.dist-info")

        let dists = try env.distributions()
        #expect(dists.map(\.name.normalized) == ["broken", "demo-pkg"])

        let demo = try #require(dists.last)
        #expect(demo.name.raw == "Demo.Pkg")
        #expect(demo.version == PythonVersion("1.2.3"))
        #expect(demo.rawVersion == "1.2.3")
        #expect(demo.distInfoPath == site + "/" + good)
        #expect(demo.root == site)
        #expect(demo.installer == "uv")
        #expect(demo.wheelMetadata?.rootIsPurelib == true)
        #expect(demo.installedRecord?.entries.count == 3)
        #expect(demo.installedRecord?.entry(for: "demo_pkg/__init__.py") != nil)
        #expect(demo.coreMetadataBytes.count > 0)
        #expect(demo.problems.isEmpty)

        let broken = try #require(dists.first)
        #expect(broken.name.raw == "broken")
        #expect(broken.rawVersion == "0.1")
        #expect(broken.coreMetadata == nil)
        #expect(broken.installedRecord == nil)
        #expect(broken.wheelMetadata == nil)
        #expect(broken.installer == nil)
        #expect(broken.problems.contains { $0.contains("METADATA") && $0.contains("UTF-8") })
        #expect(broken.problems.contains { $0.contains("RECORD") })
    }

    @Test func pipsDefaultIndexIsAskedForOnlyWhenWanted() async throws {
        // The interpreter running these tests has pip (the CI script checks it).
        let asked = try await PythonEnvironment.inspect(python: "python3", withPipDefaultIndex: true)
        let url = try #require(asked.pipDefaultIndexURL.flatMap(URL.init(string:)))
        #expect(url.scheme == "https")
        let lean = try await PythonEnvironment.inspect(python: "python3", withPipDefaultIndex: false)
        #expect(lean.pipDefaultIndexURL == nil)
        #expect(
            lean.prefix == asked.prefix && lean.schemePaths.purelib == asked.schemePaths.purelib
                && lean.version == asked.version && lean.cacheTag == asked.cacheTag)
    }

    @Test func aReportWithMissingOrOddFieldsIsRefused() async throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        // The fields InterpreterQuery prints: executable, prefix, base prefix, exec prefix, version,
        // version_info, cache tag, implementation, scheme, flags, site imported, sys.path (counted),
        // the base's site-packages (counted), the tag facts (counted: platform, SOABI, libc, bits,
        // free-threaded, EXT_SUFFIX, then the marker values: os.name, sys.platform, uname sysname,
        // release, version, machine, full Python version, implementation version), then name/path pairs.
        func fake(_ name: String, _ fields: String) throws -> String {
            let path = tmp + "/" + name
            try EnvironmentTestSupport.makeExecutable("#!/bin/sh\nprintf /p/python; printf '\\000%s' \(fields)\n", at: path)
            return path
        }
        let head =
            "/p /p /p 3.11.7 3.11.7.final.0 tag cpython posix_prefix 1111 0 1 /p/lib/python3.11 0 14 linux-x86_64 cpython-311-x86_64-linux-gnu x 64 0 .so posix linux Linux 6.1 v x86_64 3.11.7 3.11.7"
        // An odd name/path tail; then a version that is not one.
        let odd = try fake("odd", head + " purelib")
        let noVersion = try fake(
            "noversion",
            "/p /p /p x x.final.0 tag cpython posix_prefix 1111 0 0 0 14 linux-x86_64 cpython-311-x86_64-linux-gnu x 64 0 .so posix linux Linux 6.1 v x86_64 3.11.7 3.11.7 purelib /p/s platlib /p/s"
        )
        let good = try fake("good", head + " purelib /p/s platlib /p/s")
        for script in [odd, noVersion] {
            let error = await #expect(throws: PackagingError.self) { try await PythonEnvironment.inspect(python: script) }
            #expect(error?.code == .interpreter)
            #expect(error?.message.contains(script) == true)
        }
        let parsed = try await PythonEnvironment.inspect(python: good)
        #expect(parsed.executable == "/p/python" && parsed.version == "3.11.7" && parsed.cacheTag == "tag")
        #expect(parsed.pipDefaultIndexURL == nil && parsed.sitePackages == ["/p/s"])
        #expect(
            parsed.tagFacts?.markers
                == InterpreterMarkerFacts(
                    osName: "posix", sysPlatform: "linux", system: "Linux", release: "6.1", systemVersion: "v", machine: "x86_64",
                    fullVersion: "3.11.7", implementationVersion: "3.11.7"))
        #expect(parsed.trustedInterpreter == TrustedInterpreter(path: good, basis: .named, reason: parsed.trustedInterpreter.reason))

        // What the interpreter says is checked: site-packages outside sys.prefix, a flag of -I -S
        // not in force, site imported, site-packages or the current directory on sys.path.
        let lies = [
            "outside": head + " purelib /s platlib /s",
            "notisolated":
                "/p /p /p 3.11.7 3.11.7.final.0 tag cpython posix_prefix 1011 0 1 /p/lib 0 14 linux-x86_64 cpython-311-x86_64-linux-gnu x 64 0 .so posix linux Linux 6.1 v x86_64 3.11.7 3.11.7 purelib /p/s platlib /p/s",
            "siteloaded":
                "/p /p /p 3.11.7 3.11.7.final.0 tag cpython posix_prefix 1111 1 1 /p/lib 0 14 linux-x86_64 cpython-311-x86_64-linux-gnu x 64 0 .so posix linux Linux 6.1 v x86_64 3.11.7 3.11.7 purelib /p/s platlib /p/s",
            "onpath":
                "/p /p /p 3.11.7 3.11.7.final.0 tag cpython posix_prefix 1111 0 1 /p/s/x 0 14 linux-x86_64 cpython-311-x86_64-linux-gnu x 64 0 .so posix linux Linux 6.1 v x86_64 3.11.7 3.11.7 purelib /p/s platlib /p/s",
            "cwd":
                "/p /p /p 3.11.7 3.11.7.final.0 tag cpython posix_prefix 1111 0 1 \"\" 0 14 linux-x86_64 cpython-311-x86_64-linux-gnu x 64 0 .so posix linux Linux 6.1 v x86_64 3.11.7 3.11.7 purelib /p/s platlib /p/s",
            "venvlike":
                "/p /v /p 3.11.7 3.11.7.final.0 tag cpython posix_prefix 1111 0 1 /p/lib 0 14 linux-x86_64 cpython-311-x86_64-linux-gnu x 64 0 .so posix linux Linux 6.1 v x86_64 3.11.7 3.11.7 purelib /v/s platlib /v/s",
        ]
        for (name, fields) in lies {
            let script = try fake(name, fields)
            let error = await #expect(throws: PackagingError.self, "\(name)") { try await PythonEnvironment.inspect(python: script) }
            #expect(error?.code == .interpreterNotTrusted, "\(name): \(String(describing: error))")
            #expect(error?.message.contains(script) == true, "\(name): \(String(describing: error))")
        }
    }

    @Test func missingInterpreterThrowsNamingThePath() async {
        let path = "/nonexistent/wheeltrust/bin/python"
        do {
            _ = try await PythonEnvironment.inspect(python: path)
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .interpreter)
            #expect(error.message.contains(path))
        }
    }

    @Test func directoryIsNotAnInterpreter() async throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        #expect((await #expect(throws: PackagingError.self) { try await PythonEnvironment.inspect(python: tmp) })?.code == .interpreter)
    }

    @Test func bareNameNotOnPathThrows() async {
        #expect(
            (await #expect(throws: PackagingError.self) { try await PythonEnvironment.inspect(python: "no-such-python-wheeltrust") })?.code
                == .interpreter)
    }

    @Test func nonPythonExecutablesAreRejected() async throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        // Exits non-zero with a message on stderr.
        let failing = tmp + "/failing"
        try EnvironmentTestSupport.write("#!/bin/sh\necho boom >&2\nexit 3\n", to: failing)
        // Succeeds but prints something that is not the expected JSON.
        let chatty = tmp + "/chatty"
        try EnvironmentTestSupport.write("#!/bin/sh\necho hello\n", to: chatty)
        for script in [failing, chatty] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        }
        do {
            _ = try await PythonEnvironment.inspect(python: failing)
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .interpreter)
            #expect(error.message.contains(failing))
            #expect(error.message.contains("status 3"))
            #expect(error.message.contains("boom"))
        }
        do {
            _ = try await PythonEnvironment.inspect(python: chatty)
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .interpreter)
            #expect(error.message.contains(chatty))
        }
    }

    @Test func nonExecutableFileIsRejected() async throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        let file = tmp + "/python"
        try EnvironmentTestSupport.write("#!/bin/sh\n", to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        #expect((await #expect(throws: PackagingError.self) { try await PythonEnvironment.inspect(python: file) })?.code == .interpreter)
    }

    @Test func defaultInterpreterPrefersVirtualEnv() throws {
        #expect(
            PythonEnvironment.defaultInterpreter(environment: ["VIRTUAL_ENV": "/opt/venv", "PATH": "/usr/bin"])
                == "/opt/venv/bin/python")
        #expect(PythonEnvironment.defaultInterpreter(environment: ["PATH": "/nonexistent"]) == "python3")
        #expect(PythonEnvironment.defaultInterpreter(environment: [:]) == "python3")

        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        try FileManager.default.createDirectory(atPath: tmp + "/bin", withIntermediateDirectories: true)
        try EnvironmentTestSupport.write("#!/bin/sh\n", to: tmp + "/bin/python3")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tmp + "/bin/python3")
        #expect(
            PythonEnvironment.defaultInterpreter(environment: ["PATH": "/nonexistent:\(tmp)/bin", "VIRTUAL_ENV": ""])
                == tmp + "/bin/python3")
    }

    @Test func missingSitePackagesDirectoryListsNothing() throws {
        let scheme = PythonEnvironment.SchemePaths(
            purelib: "/nonexistent/a", platlib: "/nonexistent/b",
            scripts: "", data: "", include: "")
        let env = PythonEnvironment(
            interpreter: "x", executable: "x", prefix: "/", basePrefix: "/", version: "3.12.0",
            cacheTag: nil, schemePaths: scheme, sitePackages: ["/nonexistent/a", "/nonexistent/b"])
        #expect(try env.distributions().isEmpty)
        #expect(!env.isVirtualEnvironment)
    }

    @Test func symlinkedSitePackagesAreListedOnce() throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        let lib = tmp + "/lib/site-packages"
        try FileManager.default.createDirectory(atPath: lib, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: tmp + "/lib64", withDestinationPath: tmp + "/lib")
        try EnvironmentTestSupport.makeDistInfo(
            "a-1.0.dist-info", in: lib,
            files: [
                "METADATA": Array("Name: a\nVersion: 1.0\n".utf8)
            ])
        let scheme = PythonEnvironment.SchemePaths(
            purelib: lib, platlib: tmp + "/lib64/site-packages",
            scripts: "", data: "", include: "")
        let env = PythonEnvironment(
            interpreter: "x", executable: "x", prefix: tmp, basePrefix: "/", version: "3.12.0",
            cacheTag: nil, schemePaths: scheme, sitePackages: [lib, tmp + "/lib64/site-packages"])
        let dists = try env.distributions()
        #expect(dists.count == 1)
        // RECORD is missing: reported, not fatal.
        #expect(dists.first?.problems == ["a-1.0.dist-info/RECORD: missing"])
    }
}
