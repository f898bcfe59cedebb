import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends exactly the bytes a test writes (a request target no HTTP library would let through:
/// raw tags, percent-encoded CR/LF and NUL, invalid UTF-8, over-long paths) to 127.0.0.1 and reads
/// the whole answer. The socket work runs on a dispatch thread, never on a thread of Swift's
/// cooperative pool (the in-process server needs those).
enum RawHTTP {
    struct Answer: CustomStringConvertible {
        /// 0 when nothing parseable came back (the connection was closed first).
        let status: Int
        /// Every header line in order, names lowercased.
        let headers: [(name: String, value: String)]
        let head: [UInt8]
        let body: [UInt8]

        func values(_ name: String) -> [String] { headers.filter { $0.name == name.lowercased() }.map(\.value) }
        func header(_ name: String) -> String? { values(name).first }
        var text: String { String(decoding: body, as: UTF8.self) }
        var description: String { "HTTP \(status) \(headers) \(text.prefix(300))" }
    }

    /// `METHOD target HTTP/1.1` with `Host` and `Connection: close`, plus `extraHeaders` lines.
    static func request(port: Int, target: String, method: String = "GET", extraHeaders: [String] = []) async -> Answer {
        let lines = ["\(method) \(target) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Connection: close"] + extraHeaders
        return await send(port: port, Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8))
    }

    static func send(port: Int, _ bytes: [UInt8]) async -> Answer {
        // A thread of its own for the blocking socket calls (GCD's global queues would take a
        // thread of the very pool the in-process server answers on).
        await DedicatedThread.run { exchange(port: port, bytes) }
    }

    private static func exchange(port: Int, _ bytes: [UInt8]) -> Answer {
        // The timeout is only a guard against hanging: a full test run can keep the in-process
        // server waiting for a thread of the cooperative pool for tens of seconds.
        guard let fd = connectLoopback(port: port, receiveTimeoutSeconds: 180) else {
            return Answer(status: 0, headers: [], head: [], body: [])
        }
        defer { close(fd) }
        writeAll(fd, bytes)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while received.count < 16 << 20 {
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { break }
            received += chunk[0..<count]
        }
        return parse(received)
    }

    /// A TCP connection to 127.0.0.1:`port` whose reads give up after the timeout; nil if none.
    static func connectLoopback(port: Int, receiveTimeoutSeconds: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Writes `bytes` to `fd` until done or the peer stops taking them.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if sent <= 0 { break }
            offset += sent
        }
    }

    static func parse(_ received: [UInt8]) -> Answer {
        let separator = Array("\r\n\r\n".utf8)
        var split = received.count
        if received.count >= 4 {
            for index in 0...(received.count - 4) where Array(received[index..<index + 4]) == separator {
                split = index
                break
            }
        }
        let head = Array(received[..<split])
        let body = split + 4 <= received.count ? Array(received[(split + 4)...]) : []
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusWords = lines.first?.split(separator: " ") ?? []
        let status = statusWords.count >= 2 ? Int(statusWords[1]) ?? 0 : 0
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return Answer(status: status, headers: headers, head: head, body: body)
    }
}
