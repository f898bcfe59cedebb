/// The one change installers make to a wheel's scripts: `#!python` becomes the interpreter's path.
///
/// The binary distribution format says a script in `.data/scripts/` whose first line is exactly
/// `#!python` (or `#!pythonw`, optionally followed by arguments) has that line rewritten to name the
/// target interpreter. This type decides whether an installed script differs from the wheel's ONLY
/// by that rewrite, and only when the new line names an interpreter of the environment being
/// checked: a rewrite that points elsewhere (another interpreter, a shell command) is a modification.
public struct ScriptShebang: Sendable {
    /// Interpreter paths acceptable in a rewritten first line (the environment's executable,
    /// its resolved path, and `python*` entries in its scripts directory).
    public let interpreters: Set<String>

    public init(interpreters: Set<String>) {
        self.interpreters = interpreters
    }

    /// Splits bytes into the first line (without its newline) and the rest (after the newline).
    static func splitFirstLine(_ bytes: [UInt8]) -> (first: ArraySlice<UInt8>, rest: ArraySlice<UInt8>) {
        if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
            return (bytes[..<newline], bytes[(newline + 1)...])
        }
        return (bytes[...], [])
    }

    /// True when `wheelBytes` starts with a `#!python` line that installers rewrite.
    public static func isRewritable(_ wheelBytes: [UInt8]) -> Bool {
        let first = splitFirstLine(wheelBytes).first
        return first.starts(with: Array("#!python".utf8))
    }

    /// True when `installed` equals `wheel` except for a first line that an installer rewrote to
    /// one of ``interpreters`` (with the same arguments), either directly or through pip's
    /// `/bin/sh` trampoline for long interpreter paths.
    public func matchesRewrite(wheel: [UInt8], installed: [UInt8]) -> Bool {
        guard Self.isRewritable(wheel) else { return false }
        let (wheelFirst, wheelRest) = Self.splitFirstLine(wheel)
        var arguments = String(decoding: wheelFirst.dropFirst(2), as: UTF8.self)  // "python[w] args"
        arguments = String(arguments.drop(while: { $0 != " " }))  // " args" or ""
        let (installedFirst, installedRest) = Self.splitFirstLine(installed)
        let line = String(decoding: installedFirst, as: UTF8.self)

        if line.hasPrefix("#!"), !line.hasPrefix("#!/bin/sh") {
            let target = String(line.dropFirst(2))
            guard Array(installedRest) == Array(wheelRest) else { return false }
            return interpreters.contains { target == $0 + arguments }
        }
        // pip's trampoline: #!/bin/sh\n'''exec' "<python>" "$0" "$@"\n' '''\n<rest>
        if line == "#!/bin/sh" {
            let (second, afterSecond) = Self.splitFirstLine(Array(installedRest))
            let (third, body) = Self.splitFirstLine(Array(afterSecond))
            guard String(decoding: third, as: UTF8.self) == "' '''", Array(body) == Array(wheelRest) else { return false }
            let exec = String(decoding: second, as: UTF8.self)
            return interpreters.contains { exec == "'''exec' \"\($0)\"\(arguments) \"$0\" \"$@\"" }
        }
        return false
    }
}
