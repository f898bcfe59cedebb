import Foundation
import Publishing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes one uploaded file into the staging folder as its bytes arrive, hashing them on the way.
///
/// Guarantees: the file is new (`O_CREAT | O_EXCL | O_NOFOLLOW`, a random name, mode 0600: no
/// file or link standing there is opened); every byte written is hashed by `UploadDigester`, so
/// the digests are of exactly the file's bytes; `remove()` deletes it; nothing is ever read back
/// or kept in memory beyond the caller's buffer.
final class StagedFileWriter {
    let path: String
    private var fd: Int32
    private var digester = UploadDigester()
    private(set) var size: Int64 = 0

    init(directory: String) throws(ServerError) {
        let path = "\(directory)/upload-\(UUID().uuidString).part"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ServerError(.io, "cannot create a staging file in \(directory): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.fd = fd
    }

    deinit {
        if fd >= 0 { _ = close(fd) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ServerError) {
        guard fd >= 0 else { throw ServerError(.io, "the staging file \(path) is closed") }
        digester.update(bytes)
        size += Int64(bytes.count)
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw ServerError(.io, "cannot write the staging file \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Closes the file and returns the digests of everything written.
    func finish() throws(ServerError) -> UploadDigests {
        if fd >= 0 {
            let status = close(fd)
            fd = -1
            guard status == 0 else { throw ServerError(.io, "cannot close the staging file \(path)") }
        }
        return digester.finalize()
    }

    /// Closes and deletes the file (an upload refused or broken off).
    func remove() {
        if fd >= 0 {
            _ = close(fd)
            fd = -1
        }
        unlink(path)
    }
}

/// `write(2)`, named apart from `StagedFileWriter.write`.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
        Musl.write(fd, buffer, count)
    #else
        Darwin.write(fd, buffer, count)
    #endif
}
