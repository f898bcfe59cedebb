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
    /// Runs a program to completion, capturing its output (through files, so large outputs
    /// cannot dead-lock on a full pipe).
    /// Waits without blocking a thread of the cooperative pool (the in-process index server needs
    /// those threads to answer the very pip or wheeltrust process being waited for).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        currentDirectory: String? = nil
    ) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
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
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wt-proc-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: scratch.path + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch.path + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: scratch.path + ".out")
            try? FileManager.default.removeItem(atPath: scratch.path + ".err")
        }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path + ".err"))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume()
            }
        }
        guard process.processIdentifier != 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: executable])
        }
        try out.close()
        try err.close()
        let stdout = (try? Data(contentsOf: scratch.appendingPathExtension("out"))) ?? Data()
        let stderr = (try? Data(contentsOf: scratch.appendingPathExtension("err"))) ?? Data()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self), stdoutBytes: stdout, stderrBytes: stderr)
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
