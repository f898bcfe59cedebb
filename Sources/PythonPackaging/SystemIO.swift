#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over POSIX file calls that retry on `EINTR` and report `errno` as text.
/// Shared by file hashing and the zip reader so neither needs Foundation for I/O.
enum SystemIO {
    /// Opens `path` read-only; returns the descriptor or throws `.io` naming the path.
    /// `O_NONBLOCK` keeps a FIFO planted at `path` from blocking the open; callers check
    /// `fileSize` (which refuses anything but a regular file) before reading.
    static func openReadOnly(_ path: String) throws(PackagingError) -> Int32 {
        while true {
            let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw PackagingError(.io, "cannot open \(path): \(errorText())")
        }
    }

    /// One `read(2)` into `buffer`; returns the byte count (0 at end of file).
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws(PackagingError) -> Int {
        while true {
            let count = Glibc_read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw PackagingError(.io, "cannot read \(path): \(errorText())")
        }
    }

    /// Fills `buffer` completely from `offset` with `pread(2)` or throws (`.zip` on a short read).
    static func preadFully(
        _ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64,
        path: String
    ) throws(PackagingError) {
        var done = 0
        while done < buffer.count {
            let count = pread(fd, buffer.baseAddress.map { $0 + done }, buffer.count - done, off_t(offset) + off_t(done))
            if count > 0 {
                done += count
            } else if count == 0 {
                throw PackagingError(.zip, "\(path): unexpected end of file at offset \(offset + Int64(done))")
            } else if errno != EINTR {
                throw PackagingError(.io, "cannot read \(path) at offset \(offset + Int64(done)): \(errorText())")
            }
        }
    }

    /// Size of the open file in bytes.
    static func fileSize(_ fd: Int32, path: String) throws(PackagingError) -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw PackagingError(.io, "cannot stat \(path): \(errorText())")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw PackagingError(.io, "\(path) is not a regular file")
        }
        return Int64(info.st_size)
    }

    static func close(_ fd: Int32) {
        _ = Glibc_close(fd)
    }

    static func errorText() -> String {
        String(cString: strerror(errno))
    }
}

// Name the libc functions explicitly so they don't collide with the static methods above.
#if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
    @inline(__always) private func Glibc_read(_ fd: Int32, _ buf: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        read(fd, buf, count)
    }
    @inline(__always) private func Glibc_close(_ fd: Int32) -> Int32 {
        close(fd)
    }
#endif
