#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Hashes files on disk by streaming them through one reusable buffer with `read(2)`.
///
/// Guarantees: only regular files are read (a FIFO, device or directory is an `.io` error, so a
/// planted FIFO cannot hang the verifier); constant memory (one buffer of `bufferSize` bytes, no `Data` copies), works for
/// empty files, and every error names the path that failed.
public enum FileHashing {
    /// Returns the digest of the file at `path` and the number of bytes read.
    public static func digest(
        ofFileAt path: String, algorithm: HashAlgorithm,
        bufferSize: Int = 1 << 20
    ) throws(PackagingError) -> (digest: FileDigest, size: Int64) {
        let fd = try SystemIO.openReadOnly(path)
        defer { SystemIO.close(fd) }
        _ = try SystemIO.fileSize(fd, path: path)  // refuses directories, FIFOs, devices
        return try hashToEnd(fd, path: path, algorithm: algorithm, bufferSize: bufferSize)
    }

    /// Like `digest(ofFileAt:algorithm:bufferSize:)`, and also the file's identity taken with
    /// `fstat` on the same descriptor before the first and after the last read. When `before` and
    /// `after` are equal, no change through the file system touched the file while it was hashed
    /// (see ``FileIdentity`` for the limits), so the digest is that of the file with identity
    /// `after`.
    public static func digestAndIdentity(
        ofFileAt path: String, algorithm: HashAlgorithm, bufferSize: Int = 1 << 20
    )
        throws(PackagingError) -> (digest: FileDigest, size: Int64, before: FileIdentity, after: FileIdentity)
    {
        let fd = try SystemIO.openReadOnly(path)
        defer { SystemIO.close(fd) }
        _ = try SystemIO.fileSize(fd, path: path)  // refuses directories, FIFOs, devices
        guard let before = FileIdentity.of(descriptor: fd) else {
            throw PackagingError(.io, "cannot stat \(path): \(SystemIO.errorText())")
        }
        let (digest, size) = try hashToEnd(fd, path: path, algorithm: algorithm, bufferSize: bufferSize)
        guard let after = FileIdentity.of(descriptor: fd) else {
            throw PackagingError(.io, "cannot stat \(path): \(SystemIO.errorText())")
        }
        return (digest, size, before, after)
    }

    /// The digest of `prefix` followed by the file at `path` from byte `offset` on, and that total
    /// length: what a file would hash to had its first `offset` bytes been `prefix` (an
    /// installer's rewritten `#!` line undone), streamed, never read whole.
    public static func digest(
        ofFileAt path: String, algorithm: HashAlgorithm, replacingFirst offset: Int,
        with prefix: [UInt8], bufferSize: Int = 1 << 16
    ) throws(PackagingError) -> (digest: FileDigest, size: Int64) {
        let fd = try SystemIO.openReadOnly(path)
        defer { SystemIO.close(fd) }
        let fileSize = try SystemIO.fileSize(fd, path: path)  // refuses directories, FIFOs, devices
        guard offset >= 0, Int64(offset) <= fileSize, lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw PackagingError(.io, "cannot seek to byte \(offset) of \(path)")
        }
        return try hashToEnd(fd, path: path, algorithm: algorithm, bufferSize: bufferSize, prefix: prefix)
    }

    /// Reads `fd` to its end through one buffer, hashing every byte.
    private static func hashToEnd(
        _ fd: Int32, path: String, algorithm: HashAlgorithm, bufferSize: Int,
        prefix: [UInt8] = []
    ) throws(PackagingError) -> (digest: FileDigest, size: Int64) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 4096), alignment: 16)
        defer { buffer.deallocate() }
        return try hashToEnd(fd, path: path, algorithm: algorithm, buffer: buffer, prefix: prefix)
    }

    /// Reads `fd` to its end through the caller's `buffer` (a hashing thread reuses its own),
    /// after hashing `prefix` (counted in the size). With `stopAfter`, reading stops as soon as
    /// more than that many bytes were read (a file that grows while it is read is never followed
    /// to its end): the size returned is then above `stopAfter` and the digest is of a prefix.
    static func hashToEnd(
        _ fd: Int32, path: String, algorithm: HashAlgorithm, buffer: UnsafeMutableRawBufferPointer,
        prefix: [UInt8] = [], stopAfter: Int64? = nil
    ) throws(PackagingError) -> (digest: FileDigest, size: Int64) {
        var hasher = StreamingHasher(algorithm: algorithm)
        prefix.withUnsafeBytes { hasher.update($0) }
        var size = Int64(prefix.count)
        while true {
            let count = try SystemIO.read(fd, into: buffer, path: path)
            if count == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            size += Int64(count)
            if let stopAfter, size > stopAfter { break }
        }
        return (hasher.finalize(), size)
    }
}
