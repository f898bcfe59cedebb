import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback HTTP/1.1 server (127.0.0.1, a port the system picks) that answers each request the
/// way a test tells it to: at once, after a delay, one slice of bytes at a time (head included or
/// not), stalling after the head or in the middle of the body, or never at all. For tests of
/// client deadlines against a slow or hostile index.
///
/// Test support only: one thread per connection, blocking sockets polled in 50 ms slices, every
/// connection closed after one response (`Connection: close`). `stop()` (or deinit) ends every
/// connection and returns once the accepting thread and every connection thread have finished (a
/// test's teardown never leaves one running into the next test).
public final class MisbehavingHTTPServer: @unchecked Sendable {
    /// One HTTP response.
    public struct Response: Sendable {
        public var status: Int
        /// Header lines without CRLF, e.g. `"Retry-After: 3600"`.
        public var headers: [String]
        public var body: [UInt8]
        /// The `Content-Length` sent: the body's length by default; nil sends none (the body then
        /// ends when the connection closes).
        public var contentLength: Int?

        public init(status: Int = 200, headers: [String] = [], body: [UInt8] = [], contentLength: Int?? = .none) {
            self.status = status
            self.headers = headers
            self.body = body
            self.contentLength = contentLength ?? body.count
        }

        public static func text(_ status: Int, _ text: String, headers: [String] = []) -> Response {
            Response(status: status, headers: ["Content-Type: text/plain"] + headers, body: Array(text.utf8))
        }

        var head: [UInt8] {
            var lines = ["HTTP/1.1 \(status) \(Self.reason(status))"]
            lines += headers
            if let contentLength { lines.append("Content-Length: \(contentLength)") }
            lines.append("Connection: close")
            return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        }

        static func reason(_ status: Int) -> String {
            switch status {
            case 200: return "OK"
            case 301: return "Moved Permanently"
            case 302: return "Found"
            case 404: return "Not Found"
            case 429: return "Too Many Requests"
            case 503: return "Service Unavailable"
            default: return "Status"
            }
        }
    }

    /// How one request is answered.
    public enum Behaviour: Sendable {
        /// The whole response at once.
        case respond(Response)
        /// The whole response after `seconds`.
        case delayed(Response, seconds: Double)
        /// The head at once (unless `headToo`), then `bytes` bytes every `interval` seconds.
        case trickle(Response, bytes: Int = 1, interval: Double, headToo: Bool = false)
        /// The head (its `Content-Length` promising the body), then nothing, the connection open.
        case stallAfterHead(Response)
        /// The head and the first `sent` bytes of the body, then nothing, the connection open.
        case stallMidBody(Response, sent: Int)
        /// The request is read and never answered; the connection stays open.
        case silent
    }

    public typealias Route = @Sendable (_ path: String, _ count: Int) -> Behaviour

    public let port: Int
    private let listener: Int32
    private let route: Route
    private let lock = NSLock()
    private var stopped = false
    private var counts: [String: Int] = [:]
    /// Connections being served (shut down by `stop()`, so that no thread stays blocked in a send).
    private var connections: Set<Int32> = []
    /// The accepting thread and every connection thread, entered before each starts.
    private let threads = DispatchGroup()

    /// `http://127.0.0.1:<port>`.
    public var origin: String { "http://127.0.0.1:\(port)" }

    /// `route` gets the request path (as sent) and how many times that path was asked for so far,
    /// this request included.
    public init(_ route: @escaping Route) throws {
        self.route = route
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MisbehavingServerError(description: "socket() failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw MisbehavingServerError(description: "cannot listen on 127.0.0.1")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        threads.enter()
        Thread.detachNewThread { [self] in
            acceptLoop()
            threads.leave()
        }
    }

    deinit { stop() }

    /// Stops accepting, ends every open connection and waits (at most 10 s) until every thread of
    /// the server has returned.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        let open = connections
        lock.unlock()
        if !wasStopped {
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        _ = threads.wait(timeout: .now() + 10)
    }

    /// How many requests asked for `path`.
    public func requests(to path: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return counts[path] ?? 0
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop() {
        defer { close(listener) }
        while !isStopped {
            guard readable(listener, timeoutMilliseconds: 50) else { continue }
            let connection = accept(listener, nil, nil)
            if connection < 0 { continue }
            lock.lock()
            let accepted = !stopped
            if accepted { connections.insert(connection) }
            lock.unlock()
            guard accepted else {
                close(connection)
                continue
            }
            threads.enter()
            Thread.detachNewThread { [self] in
                serve(connection)
                threads.leave()
            }
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            // Forgotten before it is closed, so `stop()` never shuts down a reused descriptor.
            lock.lock()
            connections.remove(fd)
            lock.unlock()
            close(fd)
        }
        guard let path = readRequestPath(fd) else { return }
        lock.lock()
        counts[path, default: 0] += 1
        let count = counts[path] ?? 1
        lock.unlock()
        switch route(path, count) {
        case .respond(let response):
            _ = send(fd, response.head + response.body)
        case .delayed(let response, let seconds):
            guard pause(seconds, fd) else { return }
            _ = send(fd, response.head + response.body)
        case .trickle(let response, let bytes, let interval, let headToo):
            var pending = response.body[...]
            if headToo {
                pending = (response.head + response.body)[...]
            } else if !send(fd, response.head) {
                return
            }
            while !pending.isEmpty {
                let slice = pending.prefix(max(1, bytes))
                guard send(fd, Array(slice)) else { return }
                pending = pending.dropFirst(slice.count)
                if !pending.isEmpty, !pause(interval, fd) { return }
            }
        case .stallAfterHead(let response):
            guard send(fd, response.head) else { return }
            holdOpen(fd)
        case .stallMidBody(let response, let sent):
            guard send(fd, response.head + response.body.prefix(sent)) else { return }
            holdOpen(fd)
        case .silent:
            holdOpen(fd)
        }
    }

    /// Reads up to the end of the request head (at most 64 KiB); the path of its request line.
    private func readRequestPath(_ fd: Int32) -> String? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while buffer.count < 65536 {
            if isStopped { return nil }
            guard readable(fd, timeoutMilliseconds: 50) else { continue }
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
            if buffer.count >= 4, (0...(buffer.count - 4)).contains(where: { Array(buffer[$0..<$0 + 4]) == end }) { break }
        }
        let line = String(decoding: buffer.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let words = line.split(separator: " ")
        return words.count >= 2 ? String(words[1]) : nil
    }

    /// Waits `seconds`; false when the server stopped or the client went away meanwhile.
    private func pause(_ seconds: Double, _ fd: Int32) -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            if isStopped || peerClosed(fd) { return false }
            usleep(UInt32(min(50_000, max(1000, until.timeIntervalSinceNow * 1_000_000))))
        }
        return !isStopped
    }

    /// Keeps the connection open, sending nothing, until the client closes it or the server stops.
    private func holdOpen(_ fd: Int32) {
        while !isStopped, !peerClosed(fd) { usleep(50_000) }
    }

    /// Whether the client closed its side (a readable socket with nothing left to read).
    private func peerClosed(_ fd: Int32) -> Bool {
        guard readable(fd, timeoutMilliseconds: 0) else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }

    private func readable(_ fd: Int32, timeoutMilliseconds: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, timeoutMilliseconds) > 0
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                #if canImport(Glibc)
                    Glibc.send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                #else
                    Darwin.send(fd, raw.baseAddress! + offset, bytes.count - offset, 0)
                #endif
            }
            if sent < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }
}

/// The server could not be set up.
public struct MisbehavingServerError: Error, CustomStringConvertible {
    public let description: String
}
