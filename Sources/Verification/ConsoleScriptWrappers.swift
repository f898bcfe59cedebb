#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Judges the files in the scripts directory that stand for a verified wheel's entry points.
///
/// Guarantees:
/// - a file named for a declared entry point (``EntryPoints/declaredName(forScript:pythonVersion:)``)
///   is `generated` only when its bytes are exactly one installer's template for that entry point
///   (``WrapperTemplate``, every declared reference of the name tried) after a first line that runs
///   one of ``interpreters`` (``WrapperShebang``): nothing added before, inside or after it; a
///   symlink or any other non-regular file is never a wrapper; a declared value installers refuse
///   (module only) has no wrapper at all;
/// - a file under any other name that is byte-for-byte such a wrapper is an alias: no installer
///   writes it (see ``aliasNote(path:)``);
/// - at most ``readLimit(forDeclared:)`` bytes of a file are read (the longest wrapper it could be,
///   plus 4 KiB), whatever its size; FIFOs and devices are never opened.
public struct ConsoleScriptWrappers: Sendable {
    public let entryPoints: EntryPoints
    public let scriptsDirectory: String
    public let pythonVersion: String
    /// Interpreter paths a wrapper's first line may name (see ``interpreters(from:prefix:scriptsDirectory:)``).
    public let interpreters: [String]
    let shebangs: Set<[UInt8]>
    let shebangLengths: [Int]
    let longestShebang: Int
    /// Declared name → its references that installers accept, parsed.
    let parsed: [String: [EntryPointReference]]
    /// `len(module) + len(importName) + len(attribute)` → declared names with such a reference (for aliases).
    let namesBySlotLength: [Int: [String]]
    /// Declared name → every template's body for each of its references, rendered once (a file is
    /// judged against them, and every file of the scripts directory may be an alias of one).
    let bodies: [String: [(template: WrapperTemplate, body: [UInt8])]]

    /// What a file came to.
    public enum Verdict: Equatable, Sendable {
        /// Exactly the wrapper `template` writes for the declared entry point.
        case generated(WrapperTemplate)
        /// Anything else; the note says which declared entry point and why.
        case modified(String)
    }

    public init(entryPoints: EntryPoints, interpreters: [String], scriptsDirectory: String, pythonVersion: String) {
        self.entryPoints = entryPoints
        self.scriptsDirectory = scriptsDirectory
        self.pythonVersion = pythonVersion
        self.interpreters = interpreters
        let shebangs = Set(interpreters.flatMap { WrapperShebang.forms(interpreter: $0, scriptsDirectory: scriptsDirectory) })
        self.shebangs = shebangs
        self.shebangLengths = Set(shebangs.map(\.count)).sorted()
        self.longestShebang = shebangs.map(\.count).max() ?? 0
        var parsed: [String: [EntryPointReference]] = [:]
        var bySlot: [Int: Set<String>] = [:]
        for (name, values) in entryPoints.references {
            let references = values.compactMap(EntryPointReference.init(parsing:))
            parsed[name] = references
            for reference in references {
                bySlot[Self.slotLength(reference), default: []].insert(name)
            }
        }
        self.parsed = parsed
        self.namesBySlotLength = bySlot.mapValues { $0.sorted() }
        self.bodies = parsed.mapValues { references in
            references.flatMap { reference in WrapperTemplate.allCases.map { ($0, $0.body(for: reference)) } }
        }
    }

    /// The interpreters of the environment a wrapper may run: the candidates (the environment's
    /// `sys.executable`, its resolved path, `python*` in the scripts directory) that lie inside the
    /// environment's `prefix` — a venv's base interpreter would run the wrapper outside the venv —
    /// and, directly in the scripts directory, only the names a venv or installation gives this
    /// interpreter: `python`, `python<major>`, `python<major>.<minor>` of `pythonVersion` (a
    /// `python3.99` someone added there is not one of them). Sorted.
    public static func interpreters(
        from candidates: Set<String>, prefix: String, scriptsDirectory: String,
        pythonVersion: String
    ) -> [String] {
        let root = prefix.hasSuffix("/") ? prefix : prefix + "/"
        let major = pythonVersion.split(separator: ".").first.map(String.init) ?? pythonVersion
        let names = ["python", "python" + major, "python" + pythonVersion].map { Array($0.utf8) }
        return candidates.filter { path in
            guard path.hasPrefix(root) || path.hasPrefix(scriptsDirectory + "/"),
                let slash = path.lastIndex(of: "/")
            else { return false }
            guard path[..<slash] == scriptsDirectory else { return true }
            let name = Array(path[path.index(after: slash)...].utf8)
            return names.contains(name)
        }.sorted()
    }

    /// The largest number of bytes worth reading for a wrapper of `declared`.
    public func readLimit(forDeclared declared: String) -> Int {
        let bodies = (parsed[declared] ?? []).flatMap { reference in
            WrapperTemplate.allCases.map { $0.fixedLength + Self.slotLength(reference) }
        }
        return longestShebang + (bodies.max() ?? 0) + 4096
    }

    /// `declared = value` as the wheel declares it, for notes.
    func described(_ declared: String) -> String {
        "the declared entry point \(declared) = \(entryPoints.references[declared]?.last ?? "")"
    }

    /// The verdict on the file at `path`, named for the declared entry point `declared`.
    public func judge(path: String, declared: String) -> Verdict {
        switch FileSystem.readPrefix(path, limit: readLimit(forDeclared: declared)) {
        case .missing:
            return .modified("vanished while being checked, in place of the wrapper of \(described(declared))")
        case .notRegular(let kind):
            let what = kind == .symlink ? "a symbolic link" : kind == .directory ? "a directory" : "not a regular file"
            return .modified("\(what) where installers write a regular file: not the wrapper of \(described(declared))")
        case .unreadable:
            return .modified("unreadable: not known to be the wrapper of \(described(declared))")
        case .bytes(let bytes, let complete):
            guard complete else { return .modified("larger than any installer's wrapper of \(described(declared))") }
            return judge(bytes: bytes, declared: declared)
        }
    }

    /// The verdict on `bytes` (a whole file) as the wrapper of the declared entry point `declared`.
    public func judge(bytes: [UInt8], declared: String) -> Verdict {
        let references = parsed[declared] ?? []
        if references.isEmpty {
            return .modified(
                "\(described(declared)) names no callable (module:function) that installers accept: none writes a wrapper for it")
        }
        // Why not, when the template is there at the end: text put before it, or another first line.
        var why = ""
        for (template, body) in bodies[declared] ?? [] {
            guard bytes.count > body.count, bytes[(bytes.count - body.count)...].elementsEqual(body) else { continue }
            let head = bytes[..<(bytes.count - body.count)]
            if shebangs.contains(Array(head)) { return .generated(template) }
            if shebangs.contains(where: { head.count > $0.count && head.starts(with: $0) }) {
                why = " (text added between its #! line and the template)"
            } else if why.isEmpty {
                why = " (its #! line runs no interpreter of this environment)"
            }
        }
        return .modified("not any installer's wrapper of \(described(declared))" + why)
    }

    /// For a file that is not named for a declared entry point: a note when it is nonetheless,
    /// byte for byte, one of these entry points' wrappers (a copy or hard link under another name,
    /// which no installer writes); nil otherwise. Only regular files whose size fits some wrapper
    /// are read, and only that many bytes.
    public func aliasNote(path: String) -> String? {
        aliasNote(pathBytes: Array(path.utf8))
    }

    /// ``aliasNote(path:)`` for a path given as its bytes (a name need not be UTF-8).
    func aliasNote(pathBytes path: [UInt8]) -> String? {
        guard !namesBySlotLength.isEmpty, let size = FileSystem.regularFileSize(path) else { return nil }
        var candidates: Set<String> = []
        for shebang in shebangLengths {
            for template in WrapperTemplate.allCases {
                if let names = namesBySlotLength[size - shebang - template.fixedLength] { candidates.formUnion(names) }
            }
        }
        guard !candidates.isEmpty, case .bytes(let bytes, true) = FileSystem.readPrefix(path, limit: size) else { return nil }
        for name in candidates.sorted() {
            if case .generated = judge(bytes: bytes, declared: name) {
                return "a copy of the wrapper of \(described(name)) under another name: no installer writes it"
            }
        }
        return nil
    }

    static func slotLength(_ reference: EntryPointReference) -> Int {
        reference.module.utf8.count + reference.importName.utf8.count + reference.attribute.utf8.count
    }
}

extension FileSystem {
    /// What ``readPrefix(_:limit:)`` found.
    enum Prefix: Equatable {
        case missing
        case notRegular(Kind)
        case unreadable
        /// The first `limit` bytes at most; `complete` when that was the whole file.
        case bytes([UInt8], complete: Bool)
    }

    /// At most `limit` bytes of a regular file (never a link: it is not followed; never a FIFO or
    /// device: it is not opened), and whether they are all of it.
    static func readPrefix(_ path: String, limit: Int) -> Prefix {
        readPrefix(Array(path.utf8), limit: limit)
    }

    /// ``readPrefix(_:limit:)`` for a path given as its bytes.
    static func readPrefix(_ pathBytes: [UInt8], limit: Int) -> Prefix {
        guard !pathBytes.contains(0) else { return .missing }
        var found = stat()
        guard withCPath(pathBytes, { lstat($0, &found) }) == 0 else { return .missing }
        switch found.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFLNK: return .notRegular(.symlink)
        case S_IFDIR: return .notRegular(.directory)
        default: return .notRegular(.other)
        }
        let fd = withCPath(pathBytes) { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else {
            if errno == ELOOP { return .notRegular(.symlink) }
            return errno == ENOENT ? .missing : .unreadable
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .unreadable }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notRegular(.other) }
        // One byte past the limit tells whether there is more.
        var buffer = [UInt8](repeating: 0, count: max(limit, 0) + 1)
        var count = 0
        while count < buffer.count {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if got < 0 {
                if errno == EINTR { continue }
                return .unreadable
            }
            if got == 0 { break }
            count += got
        }
        return .bytes(Array(buffer[..<min(count, limit)]), complete: count <= limit)
    }

    /// The size of a regular file (links not followed), or nil for anything else.
    static func regularFileSize(_ pathBytes: [UInt8]) -> Int? {
        guard !pathBytes.contains(0) else { return nil }
        var info = stat()
        guard withCPath(pathBytes, { lstat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    /// The names in a directory as their bytes (not decoded: a name need not be UTF-8), or none.
    static func childNameBytes(_ directory: String) -> [[UInt8]] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [[UInt8]] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")] { names.append(name) }
        }
        return names
    }
}

extension FileSystem {
    /// Calls `body` with the path bytes as a NUL-terminated C string.
    static func withCPath<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (path + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}
