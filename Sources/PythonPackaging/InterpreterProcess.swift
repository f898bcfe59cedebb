import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs an interpreter (or any program) to completion: the one place wheeltrust spawns processes.
///
/// Guarantees: stdout and stderr are drained on their own threads, so the child never blocks on a
/// full pipe; at most `maxOutputBytes` of stdout are kept (more is an error, not a silent cut);
/// the child is terminated after `timeoutSeconds` (SIGTERM, then SIGKILL 5 s later); stdin gets `input` (or /dev/null) and a child
/// that exits without reading it cannot kill us with SIGPIPE. The child gets exactly
/// `environment` (empty by default: none of this process's variables, `PYTHON*`, `LD_*` or
/// others, reach it) and runs in `currentDirectory` (`/` by default). The caller awaits the child
/// without holding a thread of Swift's cooperative pool: the run and its wait happen on a
/// ``DedicatedThread``.
public enum InterpreterProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
    }

    public static func run(
        _ executable: String, arguments: [String], input: Data? = nil,
        environment: [String: String] = [:], currentDirectory: String = "/",
        timeoutSeconds: Int, maxOutputBytes: Int
    ) async throws(PackagingError) -> Output {
        try await DedicatedThread.run { () throws(PackagingError) in
            try runBlocking(
                executable, arguments: arguments, input: input, environment: environment, currentDirectory: currentDirectory,
                timeoutSeconds: timeoutSeconds, maxOutputBytes: maxOutputBytes)
        }
    }

    /// The run itself; blocks the calling thread until the child is done (only ever called on a
    /// ``DedicatedThread``).
    private static func runBlocking(
        _ executable: String, arguments: [String], input: Data?, environment: [String: String], currentDirectory: String,
        timeoutSeconds: Int, maxOutputBytes: Int
    ) throws(PackagingError) -> Output {
        if input != nil { signal(SIGPIPE, SIG_IGN) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory, isDirectory: true)
        let outPipe = Pipe(), errPipe = Pipe()
        let inPipe = input == nil ? nil : Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe ?? FileHandle.nullDevice
        do { try process.run() } catch {
            throw PackagingError(.interpreter, "cannot run \(PathResolution.shown(executable)): \(error.localizedDescription)")
        }
        let out = CappedReader(outPipe.fileHandleForReading, cap: maxOutputBytes)
        let err = CappedReader(errPipe.fileHandleForReading, cap: 64 << 10)
        // Dedicated threads, not the global dispatch pool: on a 2-core machine two blocked readers
        // fill that pool, and the stdin writer would wait for it to grow (measured: ~2 s idle).
        let group = DispatchGroup()
        func detach(_ work: @escaping @Sendable () -> Void) {
            group.enter()
            Thread {
                work(); group.leave()
            }.start()
        }
        for reader in [out, err] {
            detach { reader.readAll() }
        }
        if let inPipe, let input {
            let writer = inPipe.fileHandleForWriting
            detach {
                try? writer.write(contentsOf: input)
                try? writer.close()
            }
        }
        if group.wait(timeout: .now() + .seconds(timeoutSeconds)) == .timedOut {
            process.terminate()
            if group.wait(timeout: .now() + .seconds(5)) == .timedOut, process.isRunning {
                // A child that ignores SIGTERM must not hold us forever.
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            throw PackagingError(.interpreter, "\(PathResolution.shown(executable)) did not finish within \(timeoutSeconds) s")
        }
        process.waitUntilExit()
        if out.overflowed {
            throw PackagingError(.interpreter, "\(PathResolution.shown(executable)) printed more than \(maxOutputBytes) bytes")
        }
        return Output(status: process.terminationStatus, stdout: out.bytes, stderr: err.bytes)
    }
}

/// Drains a pipe on a background thread, keeping at most `cap` bytes (the rest is discarded
/// so that the child never blocks on a full pipe).
private final class CappedReader: @unchecked Sendable {
    private let handle: FileHandle
    private let cap: Int
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var didOverflow = false

    init(_ handle: FileHandle, cap: Int) {
        self.handle = handle
        self.cap = cap
    }

    func readAll() {
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            lock.lock()
            if buffer.count + chunk.count <= cap {
                buffer.append(contentsOf: chunk)
            } else {
                didOverflow = true
            }
            lock.unlock()
        }
    }

    var bytes: [UInt8] { lock.lock(); defer { lock.unlock() }; return buffer }
    var overflowed: Bool { lock.lock(); defer { lock.unlock() }; return didOverflow }
}
