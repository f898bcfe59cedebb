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

    /// Every non-directory entry below `root` (files, links, sockets…), as absolute paths,
    /// descending into real directories only. Depth and count are capped.
    static func walk(_ root: String, maxDepth: Int = 64, maxEntries: Int = 2_000_000) -> [String] {
        var result: [String] = []
        walk(root, maxDepth: maxDepth, maxEntries: maxEntries) { result.append($0) }
        return result
    }

    /// The same walk, handing each path to `visit` as it is found instead of collecting them
    /// (memory stays that of the directory stack, whatever the number of files). Real
    /// directories named in `skipping` are not entered.
    static func walk(_ root: String, maxDepth: Int = 64, maxEntries: Int = 2_000_000, skipping: Set<String> = [],
                     visit: (String) -> Void) {
        var count = 0
        var stack: [(String, Int)] = [(root, 0)]
        while let (directory, depth) = stack.popLast() {
            guard depth <= maxDepth, let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name == "." || name == ".." { continue }
                let path = directory + "/" + name
                // d_type says what the entry is without a stat; only file systems that do not
                // fill it in (DT_UNKNOWN) cost an lstat. A link is never DT_DIR, so never followed.
                let type = entry.pointee.d_type
                let isDirectory = type == UInt8(DT_UNKNOWN) ? kind(path) == .directory : type == UInt8(DT_DIR)
                if isDirectory {
                    if !skipping.contains(path) { stack.append((path, depth + 1)) }
                } else {
                    visit(path)
                    count += 1
                    if count >= maxEntries { return }
                }
            }
        }
    }

    /// The direct children of a directory (names only), or an empty list.
    static func children(_ directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The whole file, when it is a regular file no larger than `limit` bytes.
    static func readSmallFile(_ path: String, limit: Int = 16 << 20) -> [UInt8]? {
        guard kind(path) == .file else { return nil }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
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

    /// The canonical path with links resolved, or the path itself when it cannot be resolved.
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
