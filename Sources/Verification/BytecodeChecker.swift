import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Checks `.pyc` files against their sources in ONE run of a Python interpreter.
///
/// Guarantees: every request gets a verdict; the interpreter (the environment's
/// ``TrustedInterpreter``: for a virtual environment its checked base interpreter, never the
/// environment's own `bin/python`) is started once per call exactly as the environment query is,
/// with `-I -S -B`, an empty environment and `/` as working directory (no `site`, so no `.pth`,
/// `sitecustomize` or `usercustomize`; nothing of site-packages is imported; no bytecode written),
/// reads the batch on stdin and runs ``BytecodeScript``, which compiles the verified sources and
/// compares; output is capped and the run is time-limited. Anything that
/// keeps the interpreter from answering for every request throws ``VerificationError`` (code
/// `operational`): it is never turned into a pass.
public struct BytecodeChecker: Sendable {
    /// One `.pyc` and the verified source it must have been compiled from.
    public struct Request: Sendable, Codable, Equatable {
        public var pyc: String
        public var source: String
        /// The `.opt-N` level of the file name (0 when absent).
        public var optimize: Int

        public init(pyc: String, source: String, optimize: Int) {
            self.pyc = pyc
            self.source = source
            self.optimize = optimize
        }
    }

    /// What the interpreter found for one `.pyc`.
    public enum Verdict: Sendable, Equatable {
        /// Header and code object agree with the source.
        case matches
        /// The interpreter's loader rejects its header (it recompiles the verified source
        /// instead): inert, not tampering; the reason says why.
        case stale(String)
        /// Header or code differs (the reason says which).
        case differs(String)
        /// This one file could not be checked (unreadable…).
        case error(String)
    }

    /// The interpreter to run (``PythonEnvironment/trustedInterpreter``'s path).
    public let interpreter: String
    public var timeoutSeconds: Int
    public var maxOutputBytes: Int

    public init(interpreter: String, timeoutSeconds: Int = 900, maxOutputBytes: Int = 64 << 20) {
        self.interpreter = interpreter
        self.timeoutSeconds = timeoutSeconds
        self.maxOutputBytes = maxOutputBytes
    }

    /// Verdicts in request order. An empty batch does not start the interpreter.
    public func check(_ requests: [Request]) async throws(VerificationError) -> [Verdict] {
        if requests.isEmpty { return [] }
        let input: Data
        do { input = try JSONEncoder().encode(requests) } catch {
            throw VerificationError(.operational, "cannot encode the bytecode batch: \(error)")
        }
        let (status, stdout, stderr) = try await run(input: input)
        return try verdicts(requests, status: status, stdout: stdout, stderr: stderr)
    }

    private struct Answer: Decodable {
        let index: Int
        let verdict: String
        let note: String?
    }

    /// The interpreter's answer read: one verdict per request, or the reason there is none.
    private func verdicts(
        _ requests: [Request], status: Int32, stdout: [UInt8], stderr: [UInt8]
    ) throws(VerificationError) -> [Verdict] {
        guard status == 0 else {
            let last = String(decoding: stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
            throw VerificationError(.operational, "bytecode check: \(interpreter) exited with status \(status): \(last.prefix(200))")
        }
        guard let answers = try? JSONDecoder().decode([Answer].self, from: Data(stdout)), answers.count == requests.count else {
            throw VerificationError(.operational, "bytecode check: \(interpreter) did not answer for every .pyc")
        }
        var verdicts = [Verdict?](repeating: nil, count: requests.count)
        for answer in answers where answer.index >= 0 && answer.index < requests.count {
            switch answer.verdict {
            case "match": verdicts[answer.index] = .matches
            case "stale": verdicts[answer.index] = .stale(answer.note ?? "never loaded")
            case "differs": verdicts[answer.index] = .differs(answer.note ?? "differs")
            default: verdicts[answer.index] = .error(answer.note ?? "could not check")
            }
        }
        let complete = verdicts.compactMap { $0 }
        guard complete.count == requests.count else {
            throw VerificationError(.operational, "bytecode check: \(interpreter) did not answer for every .pyc")
        }
        return complete
    }

    /// Runs the interpreter with `input` on stdin, through the one process runner.
    private func run(input: Data) async throws(VerificationError) -> (Int32, [UInt8], [UInt8]) {
        do {
            let output = try await TrustedInterpreter.run(
                interpreter, script: BytecodeScript.source, input: [UInt8](input),
                timeoutSeconds: timeoutSeconds, maxOutputBytes: maxOutputBytes)
            return (output.status, output.stdout, output.stderr)
        } catch {
            throw VerificationError(.operational, "bytecode check: \(error.message)")
        }
    }
}
