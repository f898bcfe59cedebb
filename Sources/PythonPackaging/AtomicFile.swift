import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a whole file so that a reader sees either the previous file or the new one, never a
/// part of it: the bytes go to a fresh temporary file in the same directory (random name,
/// `O_CREAT | O_EXCL | O_NOFOLLOW`, so nothing that already stands there is opened), which is then
/// renamed onto the path (`rename(2)` replaces the entry itself, never writes through a link
/// standing at the path).
///
/// Guarantees: on success the path holds exactly `bytes`; on any failure the temporary file is
/// removed, the path is untouched, and the error (`io`) names the step and the path.
public enum AtomicFile {
    /// Writes `bytes` to `path`, creating the parent directory (and its parents) first unless
    /// `creatingDirectory` is false. With `mode`, the file gets exactly that mode whatever the
    /// umask (it is created with it, so it is never more open while written); without, `0644`
    /// less the umask.
    public static func write(
        _ bytes: some Collection<UInt8>, to path: String, mode: mode_t? = nil, creatingDirectory: Bool = true
    ) throws(PackagingError) {
        let directory = parentDirectory(of: path)
        if creatingDirectory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw PackagingError(.io, "cannot create directory \(directory)")
            }
        }
        let temporary = "\(directory)/.tmp-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode ?? 0o644)
        guard fd >= 0 else {
            throw PackagingError(.io, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var failure: String?
        if let mode, fchmod(fd, mode) != 0 {
            failure = "cannot set the mode of \(temporary): \(String(cString: strerror(errno)))"
        }
        if failure == nil {
            let contiguous = bytes.withContiguousStorageIfAvailable { writeAll(fd, UnsafeRawBufferPointer($0)) }
            if let error = contiguous ?? Array(bytes).withUnsafeBytes({ writeAll(fd, $0) }) {
                failure = "cannot write \(temporary): \(error)"
            }
        }
        if close(fd) != 0, failure == nil {
            failure = "cannot write \(temporary): \(String(cString: strerror(errno)))"
        }
        if failure == nil, rename(temporary, path) != 0 {
            failure = "cannot rename into \(path): \(String(cString: strerror(errno)))"
        }
        if let failure {
            unlink(temporary)
            throw PackagingError(.io, failure)
        }
    }

    /// The directory part of `path` (`.` when it has none, `/` for a file at the root).
    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Writes all of `buffer`, retrying short writes and `EINTR`; the error text, or nil.
    private static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> String? {
        var offset = 0
        while offset < buffer.count {
            let written = libcWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += written
        }
        return nil
    }
}

// The libc call by another name: inside `AtomicFile`, `write` is the method above.
@inline(__always) private func libcWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
