import Foundation
import PythonPackaging

/// Runs one step of a build (pip, the driver, the backend's hooks) with exactly the environment
/// given, its stdout and stderr appended to the build log.
///
/// Guarantees: the child gets only `environment` (nothing of this process's variables); its output
/// never fills a pipe (it goes straight to the log file); a child still running after
/// `timeoutSeconds` is terminated and reported as such; the log gets a header line per step
/// naming the command, so a reader can tell which step printed what. The caller awaits the step
/// without holding a thread of Swift's cooperative pool (the wait is on a ``DedicatedThread``).
struct BuildProcess {
    let log: BuildLog

    struct Outcome {
        let status: Int32
        let timedOut: Bool
    }

    func run(
        _ executable: String, _ arguments: [String], environment: [String: String],
        currentDirectory: String, timeoutSeconds: Int
    ) async throws(BuildError) -> Outcome {
        try await DedicatedThread.run { () throws(BuildError) in
            try runBlocking(
                executable, arguments, environment: environment, currentDirectory: currentDirectory, timeoutSeconds: timeoutSeconds)
        }
    }

    /// The step itself; blocks the calling thread until the child is done.
    private func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String],
        currentDirectory: String, timeoutSeconds: Int
    ) throws(BuildError) -> Outcome {
        log.append("$ \(([executable] + arguments).map(Self.quoted).joined(separator: " "))\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory, isDirectory: true)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log.handle
        process.standardError = log.handle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch {
            throw BuildError(.operational, "cannot run \(executable): \(error.localizedDescription)")
        }
        var timedOut = false
        if finished.wait(timeout: .now() + .seconds(timeoutSeconds)) == .timedOut {
            timedOut = true
            process.terminate()
            finished.wait()
        }
        log.append("[exit status \(process.terminationStatus)\(timedOut ? ", terminated after \(timeoutSeconds) s" : "")]\n")
        return Outcome(status: process.terminationStatus, timedOut: timedOut)
    }

    /// Shell-like quoting for the log only (never executed).
    static func quoted(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@,+".contains($0) } && !word.isEmpty
            ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// The build log: every step's command line and output, in order, in one file beside the wheel.
final class BuildLog: @unchecked Sendable {
    let path: String
    let handle: FileHandle

    init(path: String) throws(BuildError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw BuildError(.operational, "cannot create the build log \(path)") }
        self.path = path
        self.handle = handle
    }

    func append(_ text: String) {
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
    }

    func close() {
        try? handle.synchronize()
        try? handle.close()
    }

    /// The last `count` lines of the log, for an error message's context (escaped for a terminal).
    func tail(_ count: Int) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        // The child's own last words, not the status line this log adds after each step.
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.hasPrefix("[exit status ") }
        return lines.suffix(count).map { TerminalEscaping.escape(String($0)) }.joined(separator: " | ")
    }
}
