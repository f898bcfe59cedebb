import Foundation
import TestSupport

@testable import PythonPackaging

/// Temporary directories and virtual environments for the environment tests.
enum EnvironmentTestSupport {
    struct Failure: Error, CustomStringConvertible { let description: String }

    static func makeTemporaryDirectory() throws -> String {
        let path = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("wheeltrust-pp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `python3 -m venv --without-pip [--copies] [--system-site-packages] <dir>/<name>`; returns
    /// the venv directory. `python` is the base (default: `python3` on PATH).
    static func makeVirtualEnvironment(
        in dir: String, name: String = "venv", copies: Bool = false,
        systemSitePackages: Bool = false, python base: String? = nil
    ) async throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["VIRTUAL_ENV"] = nil
        let python = base ?? PythonEnvironment.defaultInterpreter(environment: env)
        let venv = (dir as NSString).appendingPathComponent(name)
        let result = try await ChildProcess.run(
            python,
            ["-m", "venv", "--without-pip"] + (copies ? ["--copies"] : []) + (systemSitePackages ? ["--system-site-packages"] : [])
                + [venv])
        guard result.status == 0 else {
            throw Failure(description: "\(python) -m venv failed with status \(result.status): \(result.stderrText)")
        }
        return venv
    }

    /// Runs `executable` with `arguments` (this process's environment, or `environment`); its
    /// status and stdout.
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String],
        environment: [String: String]? = nil
    ) async throws -> (status: Int32, stdout: String) {
        let result = try await ChildProcess.run(executable, arguments, environment: environment)
        return (result.status, result.stdoutText)
    }

    static func makeExecutable(_ text: String, at path: String) throws {
        try write(text, to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Creates `<root>/<dirName>` with the given member files.
    @discardableResult
    static func makeDistInfo(_ dirName: String, in root: String, files: [String: [UInt8]]) throws -> String {
        let dir = (root as NSString).appendingPathComponent(dirName)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, bytes) in files {
            try write(bytes, to: (dir as NSString).appendingPathComponent(name))
        }
        return dir
    }

    static let sampleWheel = Array("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n".utf8)

    static func sampleRecord(_ distInfo: String) -> [UInt8] {
        Array(
            "demo_pkg/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n\(distInfo)/METADATA,,\n\(distInfo)/RECORD,,\n".utf8
        )
    }
}
