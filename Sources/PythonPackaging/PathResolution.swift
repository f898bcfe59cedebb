import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Path arithmetic for choosing an interpreter: lexical normalisation (as Python's own
/// `os.path.abspath` does it), the kernel's `realpath(3)`, and symbolic links followed one hop at
/// a time so that every file a chain passes through can be judged, not only where it ends.
///
/// Guarantees: nothing here follows a link silently; ``resolve(_:)`` names every link a path
/// passes (each by the real path of the link file itself) and stops after ``maxHops`` links.
package enum PathResolution {
    /// Most symbolic links followed for one path (the kernel's own limit is 40).
    static let maxHops = 40

    /// `path` made absolute against `currentDirectory` and normalised lexically: empty and `.`
    /// components dropped, `..` removes the previous component. Symbolic links are not resolved
    /// (Python's `abspath` does the same, and so computes `sys.executable` and a venv's prefix).
    package static func absolute(_ path: String, currentDirectory: String = FileManager.default.currentDirectoryPath) -> String {
        let joined = path.hasPrefix("/") ? path : currentDirectory + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The parent directory of an absolute, normalised path (`/` for `/x` and `/`).
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// The last component of a path.
    static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// True when `path` is `directory` or lies below it (both absolute and normalised).
    static func isWithin(_ path: String, _ directory: String) -> Bool {
        if directory == "/" { return true }
        return path == directory || path.hasPrefix(directory + "/")
    }

    /// `realpath(3)`: every link resolved; nil when some component does not exist.
    static func real(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `lstat(2)` of `path` (the link itself, not its target); nil when it does not exist.
    static func linkStatus(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    /// `stat(2)` of `path` (links followed); nil when it does not resolve.
    static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    static func isSymbolicLink(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFLNK }
    static func isRegularFile(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFREG }
    static func isDirectory(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFDIR }

    /// True when the two are the same inode on the same device (one file under two names).
    static func sameFile(_ a: stat, _ b: stat) -> Bool { a.st_dev == b.st_dev && a.st_ino == b.st_ino }

    /// The target a symbolic link holds, exactly as written (nil when `path` is not a link).
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A path resolved the way the kernel resolves it, one component at a time.
    struct Resolution: Equatable {
        /// The file the path names once every link is followed (a real path).
        let final: String
        /// Every symbolic link passed on the way, in any component, each by the real path of the
        /// link file itself (its directories resolved, the link not followed).
        let links: [String]
    }

    /// Resolves `path` component by component (`..` taken physically, as the kernel does), naming
    /// every link it passes, so that a caller can refuse a path that runs through a directory it
    /// does not trust even when it ends outside it. Nil when a component is missing, the path is
    /// not absolute, or more than ``maxHops`` links are passed (a loop included).
    static func resolve(_ path: String) -> Resolution? {
        guard path.hasPrefix("/") else { return nil }
        var pending = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        pending.reverse()
        var current = "/"
        var links: [String] = []
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." { current = parent(current); continue }
            let candidate = current == "/" ? "/" + component : current + "/" + component
            guard let info = linkStatus(candidate) else { return nil }
            guard isSymbolicLink(info) else {
                if !pending.isEmpty && !isDirectory(info) { return nil }
                current = candidate
                continue
            }
            links.append(candidate)
            guard links.count <= maxHops, let target = linkTarget(candidate), !target.isEmpty else { return nil }
            if target.hasPrefix("/") { current = "/" }
            pending.append(contentsOf: target.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
        }
        return Resolution(final: current, links: links)
    }

    /// The text of a path for a one-line message: control characters shown as `\u{…}` escapes, so
    /// that a hostile file name cannot move the cursor or paint over a terminal.
    static func shown(_ path: String) -> String {
        var out = ""
        for scalar in path.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .lineSeparator || category == .paragraphSeparator {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
