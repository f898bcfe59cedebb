#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the kernel says identifies one version of a file: device, inode, size, and the
/// modification and status-change times with nanoseconds.
///
/// Guarantees and limits: two equal identities taken at different times mean the same inode on the
/// same device with the same size, and that neither its contents nor its times were changed
/// through the file system in between *as far as the kernel's timestamps show*: every write,
/// truncation, `utimensat(2)`, `chmod`, `chown` or link-count change sets the status-change time
/// (ctime) to the current time, and user space cannot set ctime. It does not catch a change made
/// within the clock tick of the last ctime update (callers that rely on it must only trust an
/// identity whose ctime is older than that: see `isSettled(now:minimumAge:)`), nor a change by
/// someone who can set the system clock back or write the block device (root).
public struct FileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modificationSeconds: Int64
    public var modificationNanoseconds: Int64
    public var changeSeconds: Int64
    public var changeNanoseconds: Int64

    public init(
        device: UInt64, inode: UInt64, size: Int64, modificationSeconds: Int64, modificationNanoseconds: Int64,
        changeSeconds: Int64, changeNanoseconds: Int64
    ) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
        self.changeSeconds = changeSeconds
        self.changeNanoseconds = changeNanoseconds
    }

    init(_ info: stat) {
        #if canImport(Darwin)
            let mtime = info.st_mtimespec, ctime = info.st_ctimespec
        #else
            let mtime = info.st_mtim, ctime = info.st_ctim
        #endif
        self.init(
            device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino),
            size: Int64(info.st_size),
            modificationSeconds: Int64(mtime.tv_sec), modificationNanoseconds: Int64(mtime.tv_nsec),
            changeSeconds: Int64(ctime.tv_sec), changeNanoseconds: Int64(ctime.tv_nsec))
    }

    /// The identity of the regular file at `path` (following symbolic links, as `open` does);
    /// nil when it cannot be stat'ed or is not a regular file.
    public static func of(path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileIdentity(info)
    }

    /// The identity of an open regular file; nil when `fstat` fails or it is not a regular file.
    public static func of(descriptor fd: Int32) -> FileIdentity? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileIdentity(info)
    }

    /// True when both the modification and the status-change time lie at least `minimumAge`
    /// seconds before `now` (seconds since the epoch), so a later change cannot fall into the same
    /// clock tick and leave the times unchanged.
    public func isSettled(now: Double, minimumAge: Double) -> Bool {
        let change = Double(changeSeconds) + Double(changeNanoseconds) / 1e9
        let modification = Double(modificationSeconds) + Double(modificationNanoseconds) / 1e9
        return now - change >= minimumAge && now - modification >= minimumAge
    }

    /// The current wall-clock time in seconds since the epoch (`CLOCK_REALTIME`, the clock file
    /// times are taken from).
    public static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
