import Foundation

/// Runs a program to completion for a test: the one runner the test targets share.
///
/// Guarantees: the caller awaits the child without holding a thread of Swift's cooperative pool
/// (the exit is reported by `terminationHandler` and resumes a continuation), so an in-process
/// index server or any other task of the test process keeps its threads while children run; the
/// child's stdout and stderr go to files, never to pipes, so a large output cannot dead-lock it;
/// its stdin is `input` (from a file) or /dev/null; it gets `environment` exactly when given (else
/// this process's) and runs in `currentDirectory` when given. A program that cannot be started
/// throws. At most ``maxRunning`` children of this runner run at once (the rest wait their turn,
/// suspended): a whole test run starts every test at once, and hundreds of pip, venv and
/// wheeltrust processes on two cores would each take long enough to hit the network timeouts of
/// the very children talking to the tests' index servers.
public enum ChildProcess {
    /// Children of this runner that may run at once: twice the cores (at least 4).
    public static let maxRunning = max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
    private static let slots = Slots(maxRunning)

    public struct Result: Sendable {
        public var status: Int32
        /// The exact bytes written.
        public var stdout: Data
        public var stderr: Data
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
        /// How long the child lived, from its launch to its exit as the termination handler (a
        /// Foundation thread) saw it: not the time the caller then waits to be resumed.
        public var seconds: TimeInterval
    }

    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, currentDirectory: String? = nil,
        input: Data? = nil
    ) async throws -> Result {
        await slots.acquire()
        do {
            let result = try await launch(
                executable, arguments, environment: environment, currentDirectory: currentDirectory, input: input)
            await slots.release()
            return result
        } catch {
            await slots.release()
            throw error
        }
    }

    private static func launch(
        _ executable: String, _ arguments: [String], environment: [String: String]?, currentDirectory: String?, input: Data?
    ) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory, isDirectory: true) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wt-child-\(UUID().uuidString)").path
        let (outPath, errPath, inPath) = (scratch + ".out", scratch + ".err", scratch + ".in")
        defer {
            for path in [outPath, errPath, inPath] { try? FileManager.default.removeItem(atPath: path) }
        }
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        var stdin: FileHandle?
        if let input {
            try input.write(to: URL(fileURLWithPath: inPath))
            stdin = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        }
        defer { try? stdin?.close() }
        process.standardInput = stdin ?? FileHandle.nullDevice
        let started: Swift.Result<TimeInterval, any Error> = await withCheckedContinuation { continuation in
            let launched = Date()
            process.terminationHandler = { _ in continuation.resume(returning: .success(Date().timeIntervalSince(launched))) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: .failure(error))
            }
        }
        let seconds = try started.get()
        let stdout = (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data()
        let stderr = (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data()
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr, seconds: seconds)
    }
}

/// A counting semaphore for tasks: `acquire` suspends (never blocks a thread) until a slot is free.
private actor Slots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
