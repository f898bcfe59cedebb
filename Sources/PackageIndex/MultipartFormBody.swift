import Foundation
import NIOCore
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `multipart/form-data` body (RFC 7578): text fields, then one file part read from disk while
/// the body is sent.
///
/// Guarantees: the boundary is random and occurs in no field name, value or filename (checked;
/// such a body is refused); names and filenames carry no quote, backslash, CR, LF or NUL, so
/// nothing given can end a part or a header early; `length` is exactly the number of bytes the
/// body sends, the file's size taken when the body was made (a file that is shorter or longer
/// when sent ends the stream with an error, so a changed file is never sent in part). The file
/// is read in 256 KiB chunks, never held whole.
public struct MultipartFormBody: Sendable {
    public let boundary: String
    let head: [UInt8]
    let tail: [UInt8]
    let filePath: String
    let fileSize: Int64

    /// The request's `Content-Type`.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }
    /// The body's exact size in bytes.
    public var length: Int64 { Int64(head.count) + fileSize + Int64(tail.count) }

    /// `fields` in order (a name may repeat), then the file at `filePath` as part `fileField`
    /// named `filename`. Throws `configuration` for a name that cannot be written safely and
    /// `cache` when the file is not a readable regular file.
    public init(fields: [(name: String, value: String)], fileField: String, filename: String, filePath: String) throws(IndexError) {
        let boundary = "wheeltrust-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        for text in fields.map(\.name) + [fileField, filename] where !Self.isSafeHeaderWord(text) {
            throw IndexError(.configuration, "upload form: the name \(text.debugDescription) cannot be sent in a form header")
        }
        for text in fields.map(\.name) + fields.map(\.value) + [fileField, filename] where text.contains(boundary) {
            throw IndexError(.configuration, "upload form: a field holds the form's boundary")
        }
        var head = ""
        for field in fields {
            head += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field.name)\"\r\n\r\n\(field.value)\r\n"
        }
        head +=
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fileField)\"; filename=\"\(filename)\"\r\n"
            + "Content-Type: application/octet-stream\r\n\r\n"
        var status = stat()
        guard stat(filePath, &status) == 0 else {
            throw IndexError(.cache, "upload form: cannot read \(filePath): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw IndexError(.cache, "upload form: \(filePath) is not a regular file")
        }
        self.boundary = boundary
        self.head = Array(head.utf8)
        self.tail = Array("\r\n--\(boundary)--\r\n".utf8)
        self.filePath = filePath
        self.fileSize = Int64(status.st_size)
    }

    /// Printable text with none of `"`, `\`, CR, LF, NUL: safe inside a quoted header parameter.
    static func isSafeHeaderWord(_ text: String) -> Bool {
        !text.isEmpty && !text.unicodeScalars.contains { $0.value < 0x20 || $0 == "\"" || $0 == "\\" || $0.value == 0x7F }
    }

    /// The body as chunks: the head, the file, the tail. Each chunk sent is counted in `sent`.
    public func chunks(counting sent: @escaping @Sendable (Int) -> Void) -> Chunks {
        Chunks(body: self, sent: sent)
    }

    /// The chunks of one sending of the body.
    public struct Chunks: AsyncSequence, Sendable {
        public typealias Element = ByteBuffer
        let body: MultipartFormBody
        let sent: @Sendable (Int) -> Void

        public func makeAsyncIterator() -> Iterator { Iterator(body: body, sent: sent) }

        public final class Iterator: AsyncIteratorProtocol {
            enum Stage { case head, file, tail, done }
            let body: MultipartFormBody
            let sent: @Sendable (Int) -> Void
            var stage = Stage.head
            var descriptor: Int32 = -1
            var fromFile: Int64 = 0

            init(body: MultipartFormBody, sent: @escaping @Sendable (Int) -> Void) {
                self.body = body
                self.sent = sent
            }

            deinit { if descriptor >= 0 { close(descriptor) } }

            public func next() async throws -> ByteBuffer? {
                switch stage {
                case .head:
                    stage = .file
                    descriptor = open(body.filePath, O_RDONLY | O_CLOEXEC)
                    guard descriptor >= 0 else {
                        throw IndexError(.cache, "upload: cannot open \(body.filePath): \(String(cString: strerror(errno)))")
                    }
                    return counted(ByteBuffer(bytes: body.head))
                case .file:
                    var buffer = ByteBuffer()
                    let chunk = 256 << 10
                    let count = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunk) { raw in
                        while true {
                            let got = read(descriptor, raw.baseAddress, chunk)
                            if got < 0, errno == EINTR { continue }
                            guard got >= 0 else {
                                throw IndexError(.cache, "upload: cannot read \(body.filePath): \(String(cString: strerror(errno)))")
                            }
                            return got
                        }
                    }
                    fromFile += Int64(count)
                    if fromFile > body.fileSize {
                        throw IndexError(.cache, "upload: \(body.filePath) grew while it was being sent")
                    }
                    if count == 0 {
                        guard fromFile == body.fileSize else {
                            throw IndexError(.cache, "upload: \(body.filePath) shrank while it was being sent")
                        }
                        close(descriptor)
                        descriptor = -1
                        stage = .done
                        return counted(ByteBuffer(bytes: body.tail))
                    }
                    return counted(buffer)
                case .tail, .done:
                    return nil
                }
            }

            private func counted(_ buffer: ByteBuffer) -> ByteBuffer {
                sent(buffer.readableBytes)
                return buffer
            }
        }
    }
}
