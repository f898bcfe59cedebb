import Foundation
import TestSupport

/// Runs real programs for the tests: python3, pip, and the built `wheeltrust` binary.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The exact bytes written (`stdout` and `stderr` are their UTF-8 decoding).
    var stdoutBytes = Data()
    var stderrBytes = Data()
    var output: String { stdout + stderr }
}

enum TestProcess {
    /// Runs a program to completion through the shared ``ChildProcess`` runner (outputs through
    /// files; awaited without blocking a thread of the cooperative pool, which the in-process
    /// index server needs to answer the very pip or wheeltrust process being waited for), with
    /// this process's environment less the machine's pip settings.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil
    ) async throws -> ProcessResult {
        try await timed(executable, arguments, environment: environment, currentDirectory: currentDirectory).result
    }

    /// The same, with how long the program itself lived (launch to exit, as its termination
    /// handler saw it; not the time this test then waits for a thread of a busy pool).
    static func timed(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil
    ) async throws -> (result: ProcessResult, seconds: TimeInterval) {
        // The machine's own pip settings (find-links, config files) must not leak into the
        // scenario: pip installs only from our server.
        // No PIP_* settings of this machine; and no REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, which
        // requests lets override pip's --cert.
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("PIP_") && $0.key != "REQUESTS_CA_BUNDLE" && $0.key != "CURL_CA_BUNDLE"
        }
        env.removeValue(forKey: "VIRTUAL_ENV")
        env["PIP_CONFIG_FILE"] = "/dev/null"
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        env["PIP_NO_INPUT"] = "1"
        for (key, value) in environment ?? [:] { env[key] = value }
        let result = try await ChildProcess.run(executable, arguments, environment: env, currentDirectory: currentDirectory)
        let processResult = ProcessResult(
            status: result.status, stdout: result.stdoutText, stderr: result.stderrText, stdoutBytes: result.stdout,
            stderrBytes: result.stderr)
        return (processResult, result.seconds)
    }

    /// The real interpreter behind `python3` on PATH (not a pyenv shim, whose hooks race when
    /// several pip processes run at once).
    static let python3: String = {
        var shim = "/usr/bin/python3"
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { shim = candidate; break }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shim)
        process.arguments = ["-c", "import sys; print(sys.executable)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return shim }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !path.isEmpty ? path : shim
    }()

    /// The `wheeltrust` executable built beside the test bundle (`swift test` builds it).
    static var wheeltrust: String {
        var directory = Bundle.module.bundleURL.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("wheeltrust").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return Bundle.module.bundleURL.deletingLastPathComponent().appendingPathComponent("wheeltrust").path
    }
}

extension ServeProcess {
    /// Starts this build's `wheeltrust serve` with `arguments`.
    static func start(_ arguments: [String], home: String) async throws -> ServeProcess {
        try await start(wheeltrust: TestProcess.wheeltrust, arguments, home: home)
    }
}
