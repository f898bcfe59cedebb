import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a transfer's 2xx body goes.
enum TransferSink: Sendable {
    /// Kept in memory, at most `cap` bytes (more is a `tooLarge` failure).
    case memory(cap: Int)
    /// Written to `path` (created or truncated, mode 0600) while hashed with SHA-256, at most
    /// `cap` bytes.
    case file(path: String, cap: Int64)
}

/// What one HTTP exchange (one attempt, no redirect followed) produced.
struct TransferOutcome: Sendable {
    var status: Int
    /// Lowercased names; repeated headers joined with ", ".
    var headers: [String: String]
    /// The 2xx body for a memory sink; at most `errorBodyCap` bytes of any other status.
    var body = Data()
    /// For a 2xx file transfer: the SHA-256 of what was written.
    var sha256: SHA256Hex?
    var size: Int64 = 0
}

/// One GET exchange over AsyncHTTPClient.
///
/// Guarantees: throws `TransportFailure` when no complete response arrived (connection, TLS,
/// timeout, a body cut short) and `IndexError` for failures we cause on purpose (declared or
/// actual size over the cap, local write errors); a 2xx body is never returned partially. The
/// response head must arrive before `deadline`; every 2xx body byte is counted in `progress`
/// (a file's time budget grows with it). The whole call is bounded by `DeadlineWatchdog`, which
/// cancels the exchange (AsyncHTTPClient then closes the connection) wherever it is.
enum HTTPTransfer {
    /// Bytes of a non-2xx body kept (never shown; only so the connection can be reused).
    static let errorBodyCap = 64 << 10

    static func exchange(
        _ client: AsyncHTTPClient.HTTPClient, url: URL, headers: [(String, String)],
        sink: TransferSink, what: String, timeout: TimeInterval, deadline: NIODeadline,
        progress: TransferProgress
    ) async throws -> TransferOutcome {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        for (name, value) in headers { request.headers.add(name: name, value: value) }

        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: deadline)
        } catch {
            throw TransportFailure.classify(error, timeout: timeout)
        }
        var outcome = TransferOutcome(status: Int(response.status.code), headers: lowercased(response.headers))
        let declared = response.headers.first(name: "content-length").flatMap { Int64($0) }

        guard (200..<300).contains(outcome.status) else {
            do {
                for try await chunk in response.body {
                    let room = errorBodyCap - outcome.body.count
                    if room <= 0 { break }
                    outcome.body.append(contentsOf: chunk.readableBytesView.prefix(room))
                }
            } catch {
                // The status is what matters; a cut-short error body changes nothing.
            }
            return outcome
        }

        switch sink {
        case .memory(let cap):
            if let declared, declared > Int64(cap) {
                throw IndexError(.tooLarge, "\(what): \(url.redacted) declares \(declared) bytes, more than the \(cap)-byte cap")
            }
            do {
                for try await chunk in response.body {
                    if outcome.body.count + chunk.readableBytes > cap {
                        throw IndexError(.tooLarge, "\(what): \(url.redacted) is larger than the \(cap)-byte cap")
                    }
                    outcome.body.append(contentsOf: chunk.readableBytesView)
                    progress.add(chunk.readableBytes)
                }
            } catch let error as IndexError {
                throw error
            } catch {
                throw TransportFailure.classify(error, timeout: timeout)
            }
            outcome.size = Int64(outcome.body.count)
        case .file(let path, let cap):
            if let declared, declared > cap {
                throw IndexError(.tooLarge, "\(what): \(url.redacted) declares \(declared) bytes, more than the \(cap)-byte cap")
            }
            let written = try await stream(
                response.body, to: path, cap: cap, url: url, what: what, timeout: timeout,
                progress: progress)
            outcome.sha256 = written.sha256
            outcome.size = written.size
        }
        if let declared, declared != outcome.size {
            throw TransportFailure(kind: .connectionLost, reason: "connection lost after \(outcome.size) of \(declared) bytes")
        }
        return outcome
    }

    /// Streams `body` into `path` while hashing it; closes the file in every case.
    private static func stream(
        _ body: HTTPClientResponse.Body, to path: String, cap: Int64, url: URL, what: String,
        timeout: TimeInterval, progress: TransferProgress
    ) async throws -> (sha256: SHA256Hex, size: Int64) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw IndexError(.cache, "\(what): cannot create \(path): \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer { if !closed { close(fd) } }
        var hasher = StreamingHasher(algorithm: .sha256)
        var size: Int64 = 0
        do {
            for try await chunk in body {
                if size + Int64(chunk.readableBytes) > cap {
                    throw IndexError(.tooLarge, "\(what): \(url.redacted) is larger than the \(cap)-byte cap")
                }
                let ok = chunk.withUnsafeReadableBytes { raw -> Bool in
                    hasher.update(raw)
                    return writeAll(fd, raw)
                }
                guard ok else {
                    throw IndexError(.cache, "\(what): cannot write \(path): \(String(cString: strerror(errno)))")
                }
                size += Int64(chunk.readableBytes)
                progress.add(chunk.readableBytes)
            }
        } catch let error as IndexError {
            throw error
        } catch {
            throw TransportFailure.classify(error, timeout: timeout)
        }
        closed = true
        guard close(fd) == 0 else {
            throw IndexError(.cache, "\(what): cannot finish writing \(path)")
        }
        return (SHA256Hex(hasher.finalize()), size)
    }

    private static func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return true }
        var offset = 0
        while offset < raw.count {
            let written = write(fd, base + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    private static func lowercased(_ headers: HTTPHeaders) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if let existing = result[key] { result[key] = existing + ", " + value } else { result[key] = value }
        }
        return result
    }
}
