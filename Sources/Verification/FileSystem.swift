#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few file-system calls verification needs, in one place so platform differences stay here.
///
/// Symbolic links are never followed: a link is reported as a file of its own (kind `.symlink`),
/// so a link planted inside a package directory cannot pull in or hide files elsewhere.
enum FileSystem {
    enum Kind { case file, directory, symlink, other, missing }

    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Why a walk could not see everything below its root. A walk with problems never vouches
    /// for what it did not see: callers turn each into a failure or an `error` check.
    struct WalkProblem: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            /// A directory nested deeper than the walk's limit; nothing below it was looked at.
            case tooDeep(limit: Int)
            /// A directory that could not be opened or read (`errno` text).
            case unreadable(String)
            /// An entry whose name is not valid UTF-8: no verified RECORD can list it, and it
            /// cannot be named by a `String` path, so it is reported, never entered.
            case notUTF8
            /// More entries than the walk's limit; the rest was not looked at.
            case tooMany(limit: Int)
        }

        /// The directory or entry concerned, printable (invalid bytes shown as `\xNN`).
        var path: String
        var kind: Kind

        /// One line for a report.
        var reason: String {
            switch kind {
            case .tooDeep(let limit): "nested deeper than \(limit) directories: not walked"
            case .unreadable(let why): "cannot be read (\(why)): not walked"
            case .notUTF8: "a name that is not UTF-8"
            case .tooMany(let limit): "more than \(limit) entries: the rest not walked"
            }
        }

        /// True when the problem is itself evidence of something wrong (reported as unexpected),
        /// false when it only means the walk could not finish (reported as "could not check").
        var isFinding: Bool {
            switch kind {
            case .tooDeep, .notUTF8: true
            case .unreadable, .tooMany: false
            }
        }
    }

    /// Every non-directory entry below `root` (files, links, sockets…), as absolute paths,
    /// descending into real directories only. Depth and count are capped; what the walk could not
    /// see is in `problems`.
    static func walk(_ root: String, maxDepth: Int = 64, maxEntries: Int = 2_000_000) -> (files: [String], problems: [WalkProblem]) {
        var result: [String] = []
        let problems = walk(root, maxDepth: maxDepth, maxEntries: maxEntries) { result.append($0) }
        return (result, problems)
    }

    /// The same walk, handing each path to `visit` as it is found instead of collecting them
    /// (memory stays that of the directory stack, whatever the number of files). Real
    /// directories named in `skipping` (compared by bytes) are not entered. Returns what could not
    /// be seen: a directory too deep, one that cannot be opened (other than `root` being absent),
    /// a name that is not UTF-8, or more than `maxEntries` entries.
    @discardableResult
    static func walk(
        _ root: String, maxDepth: Int = 64, maxEntries: Int = 2_000_000, skipping: Set<PathKey> = [],
        visit: (String) -> Void
    ) -> [WalkProblem] {
        var problems: [WalkProblem] = []
        var count = 0
        var stack: [(String, Int)] = [(root, 0)]
        while let (directory, depth) = stack.popLast() {
            guard depth <= maxDepth else {
                problems.append(WalkProblem(path: directory, kind: .tooDeep(limit: maxDepth)))
                continue
            }
            guard let handle = opendir(directory) else {
                let code = errno
                // An absent root (a package directory that was deleted) hides nothing: its files
                // are reported missing by the caller. Anything else is a directory we cannot see.
                if !(depth == 0 && (code == ENOENT || code == ENOTDIR)) {
                    problems.append(WalkProblem(path: directory, kind: .unreadable(String(cString: strerror(code)))))
                }
                continue
            }
            defer { closedir(handle) }
            while true {
                errno = 0
                guard let entry = readdir(handle) else {
                    if errno != 0 {
                        problems.append(WalkProblem(path: directory, kind: .unreadable(String(cString: strerror(errno)))))
                    }
                    break
                }
                let decoded = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { pointer in
                        (String(validatingCString: pointer), Self.printable(pointer))
                    }
                }
                guard let name = decoded.0 else {
                    problems.append(WalkProblem(path: directory + "/" + decoded.1, kind: .notUTF8))
                    continue
                }
                if name == "." || name == ".." { continue }
                let path = directory + "/" + name
                // d_type says what the entry is without a stat; only file systems that do not
                // fill it in (DT_UNKNOWN) cost an lstat. A link is never DT_DIR, so never followed.
                let type = entry.pointee.d_type
                let isDirectory = type == UInt8(DT_UNKNOWN) ? kind(path) == .directory : type == UInt8(DT_DIR)
                if isDirectory {
                    if skipping.isEmpty || !skipping.contains(PathKey(path)) { stack.append((path, depth + 1)) }
                } else {
                    visit(path)
                    count += 1
                    if count >= maxEntries {
                        problems.append(WalkProblem(path: root, kind: .tooMany(limit: maxEntries)))
                        return problems
                    }
                }
            }
        }
        return problems
    }

    /// A C name shown with every byte that is not printable ASCII as `\xNN`.
    static func printable(_ pointer: UnsafePointer<CChar>) -> String {
        var text = ""
        var cursor = pointer
        while cursor.pointee != 0 {
            let byte = UInt8(bitPattern: cursor.pointee)
            if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
            cursor += 1
        }
        return text
    }

    /// The direct children of a directory (names only), or an empty list. A name that is not
    /// UTF-8 is given in its printable form (see ``printable(_:)``), so it is never dropped.
    static func children(_ directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(validatingCString: $0) ?? printable($0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The whole file, when it is a regular file (not a link, FIFO or device) no larger than `limit` bytes.
    static func readSmallFile(_ path: String, limit: Int = 16 << 20) -> [UInt8]? {
        // Non-blocking and without following a final link: a FIFO swapped in after a look cannot
        // stall the open; fstat then decides on what was opened.
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > limit { return nil }
        }
    }

    /// At most `maxBytes` from the start of a regular file (never through a final link), or nil.
    static func readHead(_ path: String, maxBytes: Int) -> [UInt8]? {
        guard kind(path) == .file else { return nil }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: maxBytes)
        var filled = 0
        while filled < maxBytes {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, maxBytes - filled) }
            if count < 0 { return nil }
            if count == 0 { break }
            filled += count
        }
        return Array(bytes[..<filled])
    }

    /// The canonical path with links resolved, or the path itself when it cannot be resolved.
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
