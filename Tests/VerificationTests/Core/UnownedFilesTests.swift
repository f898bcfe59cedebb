import Foundation
import Testing

@testable import Verification

/// ``UnownedFiles`` in process: what a scan of site-packages reports when no distribution accounts
/// for a file, and which files it names as start-up hooks (and why).
@Suite("UnownedFiles")
struct UnownedFilesTests {
    /// A fresh `site-packages` directory (removed by `body`'s caller through `defer`).
    static func site() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-unowned-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/site-packages", withIntermediateDirectories: true)
        return root + "/site-packages"
    }

    static func write(_ path: String, _ text: String = "x = 1\n") throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func remove(_ site: String) { try? FileManager.default.removeItem(atPath: (site as NSString).deletingLastPathComponent) }

    @Test("an unowned file is reported; owned files and the bytecode of owned sources are not")
    func unownedFileIsReported() throws {
        let site = try Self.site()
        defer { Self.remove(site) }
        try Self.write(site + "/pkg/__init__.py")
        try Self.write(site + "/pkg/__pycache__/__init__.cpython-311.pyc", "bytecode")
        try Self.write(site + "/pkg/planted.py", "import os\n")
        try Self.write(site + "/pkg/__pycache__/planted.cpython-311.pyc", "bytecode")
        let owned = PathSet([site + "/pkg/__init__.py"])
        let findings = UnownedFiles.scan(roots: [site], owned: owned)
        #expect(
            findings == [
                EnvironmentFinding(path: site + "/pkg/__pycache__/planted.cpython-311.pyc", detail: "owned by no installed distribution"),
                EnvironmentFinding(path: site + "/pkg/planted.py", detail: "owned by no installed distribution"),
            ])
        // Everything owned: nothing to report (the scan is not a list of every file).
        let all = PathSet([site + "/pkg/__init__.py", site + "/pkg/planted.py"])
        #expect(UnownedFiles.scan(roots: [site], owned: all).isEmpty)
    }

    @Test("a .pth in site-packages is a start-up hook: executing code or adding to sys.path, said apart")
    func pthFilesAreStartupHooks() throws {
        let site = try Self.site()
        defer { Self.remove(site) }
        try Self.write(site + "/evil.pth", "/tmp/somewhere\nimport os; os.system('id')\n")
        try Self.write(site + "/tabbed.pth", "# comment\nimport\tsys\n")
        try Self.write(site + "/crlf.pth", "/opt/a\r\nimport os\r\n")
        try Self.write(site + "/paths.pth", "/opt/lib\n# import os is only a comment\n  import os\n")
        try Self.write(site + "/pkg/nested.pth", "import os\n")  // not read by the interpreter: not a hook
        let findings = UnownedFiles.scan(roots: [site], owned: PathSet())
        let details = Dictionary(uniqueKeysWithValues: findings.map { ($0.path, $0.detail) })
        let executes = "start-up hook: this .pth executes code at every interpreter start-up"
        #expect(details[site + "/evil.pth"] == executes)
        #expect(details[site + "/tabbed.pth"] == executes)
        #expect(details[site + "/crlf.pth"] == executes)
        // Python runs only lines that begin with `import` followed by a space or tab.
        #expect(details[site + "/paths.pth"] == "start-up hook: this .pth adds to sys.path at every interpreter start-up")
        #expect(details[site + "/pkg/nested.pth"] == "owned by no installed distribution")
        #expect(findings.count == 5)
    }

    @Test("a .pth too large to read is still named a hook that may execute code")
    func largePthIsNotCalledHarmless() throws {
        let site = try Self.site()
        defer { Self.remove(site) }
        // Over the 1 MiB read cap, with an `import` line at its end.
        try Self.write(site + "/big.pth", String(repeating: "/opt/lib\n", count: (1 << 20) / 9 + 10) + "import os\n")
        let findings = UnownedFiles.scan(roots: [site], owned: PathSet())
        #expect(findings.count == 1)
        let detail = findings.first?.detail ?? ""
        #expect(detail.hasPrefix("start-up hook: "), "\(detail)")
        #expect(!detail.contains("adds to sys.path"), "a .pth that was not read whole must not be called path-only: \(detail)")
        #expect(detail.contains("may execute code"), "\(detail)")
    }

    @Test("sitecustomize and usercustomize as module, extension or package are start-up hooks")
    func customizeModulesAreStartupHooks() throws {
        let site = try Self.site()
        defer { Self.remove(site) }
        try Self.write(site + "/sitecustomize.py")
        try Self.write(site + "/usercustomize.cpython-311-x86_64-linux-gnu.so", "ELF")
        try Self.write(site + "/usercustomize/__init__.py")
        try Self.write(site + "/__pycache__/sitecustomize.cpython-311.pyc", "bytecode")  // not importable from __pycache__
        try Self.write(site + "/pkg/sitecustomize.py")  // not a top-level module
        let details = Dictionary(uniqueKeysWithValues: UnownedFiles.scan(roots: [site], owned: PathSet()).map { ($0.path, $0.detail) })
        #expect(details[site + "/sitecustomize.py"] == "start-up hook: sitecustomize.py is imported at every interpreter start-up")
        #expect(
            details[site + "/usercustomize.cpython-311-x86_64-linux-gnu.so"]
                == "start-up hook: usercustomize.cpython-311-x86_64-linux-gnu.so is imported at every interpreter start-up")
        #expect(
            details[site + "/usercustomize/__init__.py"]?.hasPrefix("start-up hook: ") == true,
            "\(details[site + "/usercustomize/__init__.py"] ?? "absent")")
        #expect(details[site + "/__pycache__/sitecustomize.cpython-311.pyc"] == "owned by no installed distribution")
        #expect(details[site + "/pkg/sitecustomize.py"] == "owned by no installed distribution")
        #expect(details.count == 5)
    }

    @Test("isStartupHook: only directly in a hook root, never a sibling directory sharing its prefix")
    func isStartupHookBoundaries() throws {
        let root = "/env/lib/python3.11/site-packages"
        #expect(UnownedFiles.isStartupHook(root + "/x.pth", roots: [root]))
        #expect(UnownedFiles.isStartupHook(root + "/sitecustomize.py", roots: [root]))
        #expect(UnownedFiles.isStartupHook(root + "/usercustomize/sub/mod.py", roots: [root]))
        #expect(!UnownedFiles.isStartupHook(root + "2/x.pth", roots: [root]))
        #expect(!UnownedFiles.isStartupHook(root, roots: [root]))
        #expect(!UnownedFiles.isStartupHook(root + "/pkg/x.pth", roots: [root]))
        #expect(!UnownedFiles.isStartupHook(root + "/sitecustomize.txt", roots: [root]))
        #expect(!UnownedFiles.isStartupHook(root + "/sitecustomize.dist-info/METADATA", roots: [root]))
        #expect(!UnownedFiles.isStartupHook("/env/bin/x.pth", roots: [root]))
        #expect(UnownedFiles.isStartupHook("/env/bin/x.pth", roots: [root, "/env/bin"]))
    }

    @Test("hookRoots: a .pth in a scanned scripts directory is unowned but not a start-up hook")
    func hookRootsAreSeparateFromScanRoots() throws {
        let site = try Self.site()
        defer { Self.remove(site) }
        let bin = (site as NSString).deletingLastPathComponent + "/bin"
        try Self.write(bin + "/x.pth", "import os\n")
        try Self.write(bin + "/tool")
        let findings = UnownedFiles.scan(roots: [bin], owned: PathSet([bin + "/tool"]), hookRoots: [site])
        #expect(findings == [EnvironmentFinding(path: bin + "/x.pth", detail: "owned by no installed distribution")])
        // Scanned as its own hook root (the default), the same file is a hook.
        #expect(
            UnownedFiles.scan(roots: [bin], owned: PathSet([bin + "/tool"])).first?.detail
                == "start-up hook: this .pth executes code at every interpreter start-up")
    }

    @Test("claimedOnlyBy names the unverified claimant; walked directories are not entered; roots are scanned once")
    func claimantsWalkedDirectoriesAndDuplicateRoots() throws {
        let site = try Self.site()
        defer { Self.remove(site) }
        try Self.write(site + "/verified/mod.py")
        try Self.write(site + "/verified/extra.py")
        try Self.write(site + "/hook.pth", "import os\n")
        try Self.write(site + "/other.py")
        let findings = UnownedFiles.scan(
            roots: [site, site], owned: PathSet(), walked: [PathKey(site + "/verified")],
            claimedOnlyBy: [PathKey(site + "/hook.pth"): "zzfake-1.0"])
        #expect(
            findings == [
                EnvironmentFinding(
                    path: site + "/hook.pth",
                    detail: "start-up hook: this .pth executes code at every interpreter start-up"
                        + " (claimed only by the installed RECORD of zzfake-1.0, which was not verified)"),
                EnvironmentFinding(path: site + "/other.py", detail: "owned by no installed distribution"),
            ])
    }

    @Test("a link is reported as a file of its own, never followed")
    func linksAreNotFollowed() throws {
        let site = try Self.site()
        defer { Self.remove(site) }
        let outside = (site as NSString).deletingLastPathComponent + "/outside"
        try Self.write(outside + "/payload.py")
        try FileManager.default.createSymbolicLink(atPath: site + "/linked", withDestinationPath: outside)
        #expect(
            UnownedFiles.scan(roots: [site], owned: PathSet()) == [
                EnvironmentFinding(path: site + "/linked", detail: "owned by no installed distribution")
            ])
    }

    @Test("what the walk cannot see is reported: a name that is not UTF-8, a directory too deep")
    func walkProblemsAreFindings() throws {
        let site = try Self.site()
        defer { Self.remove(site) }
        // A file whose name has the byte 0xFF (invalid UTF-8), made with the POSIX call.
        let name = Array((site + "/bad").utf8) + [0xFF] + Array(".py".utf8) + [0]
        let fd = name.withUnsafeBufferPointer {
            open(
                UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self),
                O_CREAT | O_WRONLY, 0o644)
        }
        try #require(fd >= 0)
        close(fd)
        var deep = site
        for _ in 0..<70 { deep += "/d" }
        try Self.write(deep + "/leaf.py")
        let findings = UnownedFiles.scan(roots: [site], owned: PathSet())
        #expect(findings.contains(EnvironmentFinding(path: site + "/bad\\xFF.py", detail: "a name that is not UTF-8")), "\(findings)")
        #expect(findings.contains { $0.detail == "nested deeper than 64 directories: not walked" }, "\(findings)")
        #expect(!findings.contains { $0.path.hasSuffix("/leaf.py") })
    }
}
