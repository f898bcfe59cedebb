#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small reads of files an attacker may have written (a `pyvenv.cfg`, pip's source, the head of
/// an interpreter), and one streaming comparison of two files.
///
/// Guarantees: only regular files are read (a FIFO or device planted in their place is refused
/// without blocking: the open is non-blocking and `fstat` decides before any read); never more
/// than `cap` bytes are kept, and a larger file is an error, not a silent cut; comparison streams
/// in 64 KiB blocks, so memory stays flat whatever the size.
package enum BoundedFile {
    /// The whole file, at most `cap` bytes. `followLinks: false` refuses a symbolic link at `path`.
    package static func read(_ path: String, cap: Int, followLinks: Bool = true) throws(PackagingError) -> [UInt8] {
        let fd = try open(path, followLinks: followLinks)
        defer { SystemIO.close(fd) }
        let size = try SystemIO.fileSize(fd, path: path)
        guard size <= Int64(cap) else { throw PackagingError(.limitExceeded, "\(PathResolution.shown(path)): larger than \(cap) bytes") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try readSome(fd, &buffer, from: 0, path: path)
            if count == 0 { break }
            guard bytes.count + count <= cap else {
                throw PackagingError(.limitExceeded, "\(PathResolution.shown(path)): larger than \(cap) bytes")
            }
            bytes.append(contentsOf: buffer[..<count])
        }
        return bytes
    }

    /// The first `count` bytes (fewer when the file is shorter).
    static func head(_ path: String, count: Int) throws(PackagingError) -> [UInt8] {
        let fd = try open(path, followLinks: true)
        defer { SystemIO.close(fd) }
        _ = try SystemIO.fileSize(fd, path: path)
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = try readSome(fd, &buffer, from: done, path: path)
            if got == 0 { break }
            done += got
        }
        return Array(buffer[..<done])
    }

    /// True when both regular files hold exactly the same bytes.
    static func sameContents(_ a: String, _ b: String) throws(PackagingError) -> Bool {
        let fa = try open(a, followLinks: true)
        defer { SystemIO.close(fa) }
        let fb = try open(b, followLinks: true)
        defer { SystemIO.close(fb) }
        guard try SystemIO.fileSize(fa, path: a) == SystemIO.fileSize(fb, path: b) else { return false }
        var bufferA = [UInt8](repeating: 0, count: 64 << 10)
        var bufferB = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let countA = try fill(fa, &bufferA, path: a)
            let countB = try fill(fb, &bufferB, path: b)
            guard countA == countB else { return false }
            let equal = bufferA.withUnsafeBytes { a in bufferB.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, countA) == 0 }
            }
            guard equal else { return false }
            if countA == 0 { return true }
        }
    }

    /// One `read(2)` into `buffer[offset...]`; the byte count (0 at the end of the file).
    private static func readSome(_ fd: Int32, _ buffer: inout [UInt8], from offset: Int, path: String) throws(PackagingError) -> Int {
        var failure: PackagingError?
        let count = buffer.withUnsafeMutableBytes { raw -> Int in
            do throws(PackagingError) {
                return try SystemIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[offset...]), path: path)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return count
    }

    /// Reads until `buffer` is full or the file ends; returns the byte count.
    private static func fill(_ fd: Int32, _ buffer: inout [UInt8], path: String) throws(PackagingError) -> Int {
        var done = 0
        while done < buffer.count {
            let got = try readSome(fd, &buffer, from: done, path: path)
            if got == 0 { break }
            done += got
        }
        return done
    }

    /// Opens read-only and non-blocking (a FIFO cannot stall the open); `O_NOFOLLOW` when links
    /// are refused, so that no link swapped in after a check is followed.
    private static func open(_ path: String, followLinks: Bool) throws(PackagingError) -> Int32 {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW)
        while true {
            let fd = Glibc_open(path, flags)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            if errno == ELOOP && !followLinks {
                throw PackagingError(.io, "\(PathResolution.shown(path)) is a symbolic link")
            }
            throw PackagingError(.io, "cannot open \(PathResolution.shown(path)): \(SystemIO.errorText())")
        }
    }
}

@inline(__always) private func Glibc_open(_ path: String, _ flags: Int32) -> Int32 {
    open(path, flags)
}
