import Foundation

/// One fuzz target: a parser of untrusted input (or a chain of them) fed the raw bytes.
///
/// The body returns the invariants the input broke (empty when none). A crash inside a parser
/// is not caught anywhere: under libFuzzer it is the finding; in the corpus replay test it fails
/// the run. The same bodies run in both places, so a committed corpus stays a regression test.
public struct FuzzTarget: Sendable {
    public enum Body: Sendable {
        case sync(@Sendable ([UInt8]) -> [String])
        /// For parsers whose checks are async (signature and chain verification).
        case async(@Sendable ([UInt8]) async -> [String])
    }

    /// The name used by `scripts/fuzz.sh`, the corpus directory `Fuzz/Corpus/<name>` and
    /// `WHEELTRUST_FUZZ_TARGET`.
    public let name: String
    /// What the target feeds its input to (shown by `WheeltrustFuzz` without a target).
    public let summary: String
    public let body: Body

    public init(_ name: String, _ summary: String, sync body: @escaping @Sendable ([UInt8]) -> [String]) {
        self.name = name
        self.summary = summary
        self.body = .sync(body)
    }

    public init(_ name: String, _ summary: String, async body: @escaping @Sendable ([UInt8]) async -> [String]) {
        self.name = name
        self.summary = summary
        self.body = .async(body)
    }

    /// Runs the body on `bytes` to completion from synchronous code (the libFuzzer entry point,
    /// which runs on the main thread, never on the concurrency pool).
    public func runBlocking(_ bytes: [UInt8]) -> [String] {
        switch body {
        case .sync(let run):
            return run(bytes)
        case .async(let run):
            let box = ResultBox()
            let done = DispatchSemaphore(value: 0)
            Task {
                box.set(await run(bytes))
                done.signal()
            }
            done.wait()
            return box.value
        }
    }

    /// Runs the body from async code (the replay test).
    public func run(_ bytes: [UInt8]) async -> [String] {
        switch body {
        case .sync(let run): return run(bytes)
        case .async(let run): return await run(bytes)
        }
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func set(_ value: [String]) { lock.lock(); stored = value; lock.unlock() }
    var value: [String] { lock.lock(); defer { lock.unlock() }; return stored }
}

/// The invariants one input broke, collected by a body.
public struct Broken {
    public private(set) var list: [String] = []

    public init() {}

    /// Records `message` unless `condition` holds.
    public mutating func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { list.append(message()) }
    }
}

/// Shapes of the raw fuzz bytes that parsers take.
public enum FuzzBytes {
    /// The bytes as text, invalid UTF-8 replaced (what `String(decoding:as:)` callers see).
    public static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Splits at the first NUL byte into a head and the rest (empty without a NUL), so one input
    /// can drive a parser with two arguments.
    public static func splitAtNUL(_ bytes: [UInt8]) -> ([UInt8], [UInt8]) {
        guard let index = bytes.firstIndex(of: 0) else { return (bytes, []) }
        return (Array(bytes[..<index]), Array(bytes[(index + 1)...]))
    }
}

/// A file the input is written to, for parsers that read from a path (the zip reader, pip's
/// configuration files). One directory per process, on tmpfs when there is one; each call
/// replaces the file.
public enum FuzzScratch {
    private static let directory: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = base + "/wheeltrust-fuzz-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Writes `bytes` to `<scratch>/<name>` and returns its path.
    public static func write(_ bytes: [UInt8], name: String) -> String {
        let path = directory + "/" + name
        let written = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        precondition(written, "fuzz scratch file \(path) cannot be written")
        return path
    }

    /// Removes the scratch directory (at the end of a replay; the fuzzer's is removed at exit).
    public static func removeAll() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
