import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#endif

/// `wheeltrust serve --store …` run as a child process (as an operator runs it), with the URLs it
/// prints at start-up; stopped gracefully or killed with SIGKILL.
public final class ServeProcess: @unchecked Sendable {
    public let process: Process
    /// The simple index URL printed (`Serving … at URL`).
    public let indexURL: String
    /// The upload URL printed (`Uploads (twine, uv publish): URL; …`).
    public let uploadURL: String
    /// Everything printed on stdout up to the start.
    public let banner: String

    private init(process: Process, indexURL: String, uploadURL: String, banner: String) {
        self.process = process
        self.indexURL = indexURL
        self.uploadURL = uploadURL
        self.banner = banner
    }

    /// Starts `wheeltrust serve` (the executable at `wheeltrust`) with `arguments` and waits (at
    /// most 20 s) for its two URLs.
    public static func start(wheeltrust: String, _ arguments: [String], home: String) async throws -> ServeProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wheeltrust)
        process.arguments = ["serve"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment.removeValue(forKey: "WHEELTRUST_POLICY")
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        let errPath = home + "/serve-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = out.fileHandleForReading
        let deadline = Date().addingTimeInterval(20)
        var text = ""
        while Date() < deadline {
            // Each blocking read on a thread of its own: on Linux GCD's global queues and Swift's
            // cooperative pool share their threads, so neither may wait for the server.
            let chunk = await DedicatedThread.run { reader.availableData }
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let index = Self.value(after: " at ", inLineStarting: "Serving ", of: text),
                let upload = Self.value(after: ": ", inLineStarting: "Uploads (twine, uv publish)", of: text)
            {
                // Keep draining stdout so the server never blocks on a full pipe.
                Thread { while !reader.availableData.isEmpty {} }.start()
                return ServeProcess(
                    process: process, indexURL: index, uploadURL: String(upload.prefix { $0 != ";" }), banner: text)
            }
        }
        process.terminate()
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "serve did not start: \(text) \(stderr)"])
    }

    private static func value(after marker: String, inLineStarting prefix: String, of text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            guard let range = line.range(of: marker) else { continue }
            return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// SIGTERM, then wait for the exit.
    public func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        await waitForExit()
    }

    /// SIGKILL: no chance to clean anything up.
    public func kill9() async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        await waitForExit()
    }

    private func waitForExit() async {
        let process = self.process
        await DedicatedThread.run { process.waitUntilExit() }
    }
}
