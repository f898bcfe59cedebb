import Hummingbird
import NIOCore
import NIOPosix
import _NIOFileSystem

/// Streams a served file to the client with a bounded amount of memory per download.
///
/// Guarantees: a download holds at most about one chunk (`chunkLength` bytes) plus the
/// connection's outbound high-water mark (NIO's default: 64 KiB) in the server's memory, however
/// slow the reader and however many downloads run at once. The next chunk is read from disk only
/// after the previous one has reached the connection's channel: the response writer hands a chunk
/// to the channel's event loop asynchronously and learns that the socket is full only when that
/// loop has processed the write, so without waiting a busy loop lets every download queue up
/// megabytes of chunks (200 downloads of a 10 MB file grew the server to 1 GB). After each chunk
/// this waits for one turn of the connection's event loop (which runs the tasks handed to it in
/// order, so the write has been processed and the writability is current); the next write then
/// suspends while the socket is not writable. Chunks are read one at a time (no read-ahead) and are
/// 64 KiB, below glibc's mmap threshold. The `Content-Length` is the file's size when the request
/// is answered; the body is exactly that many bytes, or the connection is closed (a file that
/// shrank mid-download is an error, never a silently short body). A missing file is
/// `HTTPError(.notFound)`.
enum FileStreaming {
    /// Bytes read from disk and handed to the connection at a time.
    static let chunkLength: Int64 = 64 * 1024

    /// The file system downloads are read through, with a blocking pool of its own: NIO's shared
    /// pool has two threads, which other users in the process (TLS contexts loading their trust
    /// roots, other files) can hold for seconds; a download's last step (closing the file) waits
    /// for a thread of the pool, and the next request on its connection waits for that.
    static let fileSystem: FileSystem = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return FileSystem(threadPool: pool)
    }()

    /// The response body that streams the file at `path` over the connection run by `connection`.
    static func body(
        path: String, connection: any EventLoop, fileSystem: FileSystem = FileStreaming.fileSystem
    ) async throws -> ResponseBody {
        let filePath = FilePath(path)
        let info: FileInfo?
        do {
            info = try await fileSystem.info(forFileAt: filePath)
        } catch {
            throw HTTPError(.notFound)
        }
        guard let info, info.type == .regular else { throw HTTPError(.notFound) }
        let size = info.size
        guard size > 0 else { return ResponseBody() }
        return ResponseBody(contentLength: Int(size)) { writer in
            try await fileSystem.withFileHandle(forReadingAt: filePath) { handle in
                var offset: Int64 = 0
                while offset < size {
                    let chunk = try await handle.readChunk(
                        fromAbsoluteOffset: offset, length: .bytes(min(chunkLength, size - offset)))
                    guard chunk.readableBytes > 0 else {
                        throw ServerError(.io, "\(path) became shorter while it was served")
                    }
                    offset += Int64(chunk.readableBytes)
                    try await writer.write(chunk)
                    // One turn of the loop: the write above has reached the channel, and the
                    // writer knows whether the socket can take more before the next chunk is read.
                    try await connection.submit {}.get()
                }
            }
            try await writer.finish(nil)
        }
    }
}
