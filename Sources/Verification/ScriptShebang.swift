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

    /// Most bytes of an installed script's head looked at to recognise a rewritten first line
    /// (pip's `/bin/sh` trampoline is three lines); the body is compared by hash, streamed.
    public static let maxHeadBytes = 8192

    /// When `installedHead` (the first bytes of an installed script) begins with a line that an
    /// installer writes for `wheelFirstLine` (the wheel's `#!python[w] [args]` line, without its
    /// newline) naming one of ``interpreters`` with the same arguments, directly or through pip's
    /// `/bin/sh` trampoline, the length of that rewritten head including its newline(s); else nil.
    /// The rest of the installed file must then equal the rest of the wheel's script.
    public func rewrittenHeadLength(wheelFirstLine: ArraySlice<UInt8>, installedHead: [UInt8]) -> Int? {
        guard wheelFirstLine.starts(with: Array("#!python".utf8)) else { return nil }
        var arguments = String(decoding: wheelFirstLine.dropFirst(2), as: UTF8.self)  // "python[w] args"
        arguments = String(arguments.drop(while: { $0 != " " }))  // " args" or ""
        guard let firstEnd = installedHead.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: installedHead[..<firstEnd], as: UTF8.self)

        if line.hasPrefix("#!"), !line.hasPrefix("#!/bin/sh") {
            let target = String(line.dropFirst(2))
            return interpreters.contains { target == $0 + arguments } ? firstEnd + 1 : nil
        }
        // pip's trampoline: #!/bin/sh\n'''exec' "<python>" "$0" "$@"\n' '''\n<rest>
        if line == "#!/bin/sh" {
            let afterFirst = installedHead[(firstEnd + 1)...]
            guard let secondEnd = afterFirst.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            let afterSecond = installedHead[(secondEnd + 1)...]
            guard let thirdEnd = afterSecond.firstIndex(of: UInt8(ascii: "\n")),
                String(decoding: afterSecond[..<thirdEnd], as: UTF8.self) == "' '''"
            else { return nil }
            let exec = String(decoding: afterFirst[..<secondEnd], as: UTF8.self)
            return interpreters.contains { exec == "'''exec' \"\($0)\"\(arguments) \"$0\" \"$@\"" } ? thirdEnd + 1 : nil
        }
        return nil
    }

    /// True when `installed` equals `wheel` except for a first line that an installer rewrote to
    /// one of ``interpreters`` (see ``rewrittenHeadLength(wheelFirstLine:installedHead:)``).
    public func matchesRewrite(wheel: [UInt8], installed: [UInt8]) -> Bool {
        guard Self.isRewritable(wheel) else { return false }
        let (wheelFirst, wheelRest) = Self.splitFirstLine(wheel)
        guard
            let head = rewrittenHeadLength(
                wheelFirstLine: wheelFirst,
                installedHead: Array(installed.prefix(Self.maxHeadBytes)))
        else { return false }
        return installed[head...].elementsEqual(wheelRest)
    }
}
