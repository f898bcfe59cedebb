import Crypto
import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The content-addressed files of a store: `<store>/blobs/<aa>/<sha256>`.
///
/// Guarantees: a blob is written by copying its source into a fresh file in the staging folder
/// (`O_CREAT | O_EXCL | O_NOFOLLOW`), hashing exactly the bytes written, `fsync`ing it, and only
/// then renaming it to the path its digest names (same filesystem, so the rename is atomic; the
/// same content always lands on the same path, so storing it twice is harmless) and `fsync`ing the
/// shard folder. A reader of `blobs/` never sees a partial blob; a blob whose bytes do not hash to
/// what the caller expected is never renamed into place.
struct BlobFiles: Sendable {
    let blobsDirectory: String
    let stagingDirectory: String
    static let bufferSize = 1 << 20

    /// The path of the blob with this digest.
    func path(of sha256: SHA256Hex) -> String {
        sha256.shardedPath(under: blobsDirectory)
    }

    /// Copies the file at `source` into the store, hashing it; returns the digest and size of the
    /// stored bytes. When `expected` is given and differs (digest or size), nothing is stored and
    /// `invalidUpload` is thrown naming the mismatch.
    func store(fileAt source: String, expected: (sha256: SHA256Hex, size: Int64)?, label: String) throws(PublishingError)
        -> (sha256: SHA256Hex, size: Int64)
    {
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw PublishingError(.io, "cannot open the staged file for \(label): \(Self.errorText())") }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw PublishingError(.io, "the staged file for \(label) is not a regular file")
        }
        return try write(label: label, expected: expected) { (emit: (UnsafeRawBufferPointer) throws(PublishingError) -> Void) throws(PublishingError) in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let count = read(input, buffer.baseAddress!, buffer.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw PublishingError(.io, "cannot read the staged file for \(label): \(Self.errorText())")
                }
                if count == 0 { return }
                try emit(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            }
        }
    }

    /// Stores `bytes` (core metadata) as a blob; returns its digest.
    func store(bytes: [UInt8], label: String) throws(PublishingError) -> SHA256Hex {
        try write(label: label, expected: nil) { (emit: (UnsafeRawBufferPointer) throws(PublishingError) -> Void) throws(PublishingError) in
            var failure: PublishingError?
            bytes.withUnsafeBytes { raw in
                do throws(PublishingError) { try emit(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }.sha256
    }

    /// Writes what `produce` emits to a fresh staging file while hashing it, checks `expected`,
    /// fsyncs, renames into place, fsyncs the shard folder.
    private func write(
        label: String, expected: (sha256: SHA256Hex, size: Int64)?,
        produce: ((UnsafeRawBufferPointer) throws(PublishingError) -> Void) throws(PublishingError) -> Void
    ) throws(PublishingError) -> (sha256: SHA256Hex, size: Int64) {
        let temporary = "\(stagingDirectory)/.blob-\(UUID().uuidString)"
        let output = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw PublishingError(.io, "cannot create a staging file for \(label): \(Self.errorText())") }
        var renamed = false
        defer {
            if !renamed { unlink(temporary) }
        }
        var hasher = SHA256()
        var size: Int64 = 0
        do throws(PublishingError) {
            try produce { (chunk: UnsafeRawBufferPointer) throws(PublishingError) in
                hasher.update(bufferPointer: chunk)
                size += Int64(chunk.count)
                try Self.writeAll(output, chunk, label: label)
            }
            guard fsync(output) == 0 else { throw PublishingError(.io, "cannot sync the blob of \(label): \(Self.errorText())") }
        } catch {
            close(output)
            throw error
        }
        guard close(output) == 0 else { throw PublishingError(.io, "cannot write the blob of \(label): \(Self.errorText())") }
        let digest = SHA256Hex(FileDigest(algorithm: .sha256, bytes: Array(hasher.finalize())))
        if let expected {
            guard digest == expected.sha256 else {
                throw PublishingError(
                    .invalidUpload,
                    "\(label): the received bytes have sha256 \(digest.text), not the declared \(expected.sha256.text)")
            }
            guard size == expected.size else {
                throw PublishingError(.invalidUpload, "\(label): the received bytes are \(size) bytes long, not the declared \(expected.size)")
            }
        }
        let destination = path(of: digest)
        let shard = AtomicFileDirectory.parent(of: destination)
        if mkdir(shard, 0o755) != 0, errno != EEXIST {
            throw PublishingError(.io, "cannot create the blob folder \(shard): \(Self.errorText())")
        }
        guard rename(temporary, destination) == 0 else {
            throw PublishingError(.io, "cannot move the blob of \(label) into place: \(Self.errorText())")
        }
        renamed = true
        try Self.syncDirectory(shard)
        return (digest, size)
    }

    /// `fsync`s a folder, so a rename into it survives a crash of the machine.
    static func syncDirectory(_ path: String) throws(PublishingError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw PublishingError(.io, "cannot open folder \(path): \(errorText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw PublishingError(.io, "cannot sync folder \(path): \(errorText())") }
    }

    private static func writeAll(_ fd: Int32, _ chunk: UnsafeRawBufferPointer, label: String) throws(PublishingError) {
        var offset = 0
        while offset < chunk.count {
            let written = Glibc.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw PublishingError(.io, "cannot write the blob of \(label): \(errorText())")
            }
            offset += written
        }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// The directory part of a path.
enum AtomicFileDirectory {
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
