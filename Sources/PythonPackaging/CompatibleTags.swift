/// What an interpreter's supported wheel tags follow from, as its own standard library reports it
/// (``InterpreterQuery``: `sysconfig` and `os.confstr` only; nothing of the environment runs).
public struct InterpreterTagFacts: Sendable, Hashable {
    /// `sys.implementation.name`, e.g. `cpython`, `pypy`.
    public var implementation: String
    /// `major.minor.micro`.
    public var version: String
    /// `sysconfig.get_platform()`, e.g. `linux-x86_64`, `macosx-11.0-arm64`.
    public var platform: String
    /// `SOABI`, e.g. `cpython-312-x86_64-linux-gnu` (may be empty).
    public var soabi: String
    /// `os.confstr("CS_GNU_LIBC_VERSION")`, e.g. `glibc 2.36` (empty off glibc).
    public var libc: String
    /// 32 or 64 (`sys.maxsize`).
    public var pointerBits: Int
    /// A free-threaded build (`Py_GIL_DISABLED`): no `abi3`.
    public var freeThreaded: Bool
    /// `EXT_SUFFIX`, e.g. `.cpython-312-x86_64-linux-gnu.so`.
    public var extensionSuffix: String
    /// What PEP 508 environment markers compare against (nil when not asked: a value built by hand).
    public var markers: InterpreterMarkerFacts?

    public init(
        implementation: String, version: String, platform: String, soabi: String, libc: String, pointerBits: Int,
        freeThreaded: Bool, extensionSuffix: String, markers: InterpreterMarkerFacts? = nil
    ) {
        self.markers = markers
        self.implementation = implementation
        self.version = version
        self.platform = platform
        self.soabi = soabi
        self.libc = libc
        self.pointerBits = pointerBits
        self.freeThreaded = freeThreaded
        self.extensionSuffix = extensionSuffix
    }
}

/// The facts PEP 508 environment markers are evaluated against, as the interpreter's own standard
/// library reports them (`os.name`, `sys.platform`, `os.uname()`, `sys.version`,
/// `sys.implementation.version`; ``InterpreterQuery``, nothing of the environment runs).
public struct InterpreterMarkerFacts: Sendable, Hashable {
    /// `os.name`, e.g. `posix`.
    public var osName: String
    /// `sys.platform`, e.g. `linux`, `darwin`.
    public var sysPlatform: String
    /// `os.uname().sysname` (`platform.system()`), e.g. `Linux`.
    public var system: String
    /// `os.uname().release` (`platform.release()`).
    public var release: String
    /// `os.uname().version` (`platform.version()`).
    public var systemVersion: String
    /// `os.uname().machine` (`platform.machine()`), e.g. `x86_64`.
    public var machine: String
    /// The first word of `sys.version` (`platform.python_version()`), e.g. `3.12.1`.
    public var fullVersion: String
    /// `sys.implementation.version` as PEP 508 formats it, e.g. `3.12.1` or `3.13.0rc1`.
    public var implementationVersion: String

    public init(
        osName: String, sysPlatform: String, system: String, release: String, systemVersion: String, machine: String,
        fullVersion: String, implementationVersion: String
    ) {
        self.osName = osName
        self.sysPlatform = sysPlatform
        self.system = system
        self.release = release
        self.systemVersion = systemVersion
        self.machine = machine
        self.fullVersion = fullVersion
        self.implementationVersion = implementationVersion
    }
}

/// The wheel tags an interpreter accepts, most preferred first, as an installer orders them
/// (the platform compatibility tags specification: the interpreter's own ABI, then `abi3` of this
/// and older CPython 3 versions, then `none`; platforms from the newest `manylinux_2_N` the C library
/// allows down to the oldest, with the legacy `manylinux2014/2010/1` aliases, then `linux_<arch>`;
/// then pure-Python tags `py3X`, `py3`, older `py3Y`, and `any`).
///
/// Guarantees: every tag returned is one the interpreter described by the facts can load; the order
/// is the preference order (index 0 is best). Platforms other than Linux with glibc get only their
/// own `sysconfig` platform tag (no macOS version ranges, no musllinux): a wheel only those would
/// accept is not chosen, never chosen wrongly.
public enum CompatibleTags {
    public static func supported(_ facts: InterpreterTagFacts) -> [WheelTag] {
        let parts = facts.version.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { return [] }
        let (major, minor) = (parts[0], parts[1])
        let platforms = platformTags(facts)
        var tags: [WheelTag] = []
        func add(_ python: String, _ abi: String, _ platform: String) {
            tags.append(WheelTag(python: python, abi: abi, platform: platform))
        }
        let interpreter: String
        switch facts.implementation {
        case "cpython":
            interpreter = "cp\(major)\(minor)"
            let abi = cpythonABI(facts, major: major, minor: minor)
            for platform in platforms { add(interpreter, abi, platform) }
            let abi3 = major == 3 && minor >= 2 && !facts.freeThreaded
            if abi3 { for platform in platforms { add(interpreter, "abi3", platform) } }
            for platform in platforms { add(interpreter, "none", platform) }
            if abi3 {
                for older in stride(from: minor - 1, to: 1, by: -1) {
                    for platform in platforms { add("cp\(major)\(older)", "abi3", platform) }
                }
            }
        default:
            let short = facts.implementation == "pypy" ? "pp" : facts.implementation
            interpreter = "\(short)\(major)\(minor)"
            let abi = genericABI(facts)
            for abi in (abi.map { [$0] } ?? []) + ["none"] {
                for platform in platforms { add(interpreter, abi, platform) }
            }
        }
        let versions = ["py\(major)\(minor)", "py\(major)"] + stride(from: minor - 1, through: 0, by: -1).map { "py\(major)\($0)" }
        for version in versions { for platform in platforms { add(version, "none", platform) } }
        add(interpreter, "none", "any")
        for version in versions { add(version, "none", "any") }
        var seen = Set<WheelTag>()
        return tags.filter { seen.insert($0).inserted }
    }

    /// `cp312`, `cp313t`, `cp37m`: from `SOABI` (`cpython-312-…`), else from the version.
    static func cpythonABI(_ facts: InterpreterTagFacts, major: Int, minor: Int) -> String {
        let fields = facts.soabi.split(separator: "-")
        if fields.count >= 2, fields[0] == "cpython", WheelTag.isValidComponent(String(fields[1])) {
            return "cp" + fields[1].lowercased()
        }
        return "cp\(major)\(minor)" + (facts.freeThreaded ? "t" : "")
    }

    /// PyPy and others: `SOABI`'s first two fields joined with `_` (`pypy310_pp73`), if any.
    static func genericABI(_ facts: InterpreterTagFacts) -> String? {
        let fields = facts.soabi.split(separator: "-").prefix(2).map(String.init)
        let abi = fields.joined(separator: "_").replacingOccurrences(of: ".", with: "_").lowercased()
        return abi.isEmpty || !WheelTag.isValidComponent(abi) ? nil : abi
    }

    /// The platform tags, most preferred first.
    static func platformTags(_ facts: InterpreterTagFacts) -> [String] {
        let normalized = facts.platform.lowercased().map { $0 == "-" || $0 == "." ? "_" : $0 }
        let platform = String(normalized)
        guard platform.hasPrefix("linux_") else { return WheelTag.isValidComponent(platform) ? [platform] : [] }
        var arch = String(platform.dropFirst("linux_".count))
        if facts.pointerBits == 32 {
            if arch == "x86_64" { arch = "i686" } else if arch == "aarch64" { arch = "armv8l" }
        }
        let archs = arch == "armv8l" ? ["armv8l", "armv7l"] : [arch]
        var tags: [String] = []
        if let glibc = glibcVersion(facts.libc), glibc.major == 2 {
            let oldest = archs.contains("x86_64") || archs.contains("i686") ? 5 : 17
            let legacy = [17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"]
            for arch in archs {
                for minor in stride(from: glibc.minor, through: oldest, by: -1) {
                    tags.append("manylinux_2_\(minor)_\(arch)")
                    if let alias = legacy[minor] { tags.append("\(alias)_\(arch)") }
                }
            }
        }
        for arch in archs { tags.append("linux_\(arch)") }
        return tags.filter(WheelTag.isValidComponent)
    }

    /// `glibc 2.36` → (2, 36).
    static func glibcVersion(_ libc: String) -> (major: Int, minor: Int)? {
        let words = libc.split(separator: " ")
        guard words.count == 2, words[0] == "glibc" else { return nil }
        let numbers = words[1].split(separator: ".").map { Int($0) }
        guard numbers.count >= 2, let major = numbers[0], let minor = numbers[1], minor >= 0, minor < 1000 else { return nil }
        return (major, minor)
    }
}
