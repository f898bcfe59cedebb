import Foundation
import PythonPackaging

/// Refuses a requirements file that would make `pip download` run code before anything verified.
///
/// `pip download --only-binary :all:` takes only wheels for requirements it finds on an index,
/// but a local directory, an archive path or URL, a VCS link or an editable requirement is
/// prepared by running its build backend whatever `--only-binary` says (measured with pip 23.2:
/// an in-tree backend of a `./proj` line ran). So before pip runs, the file (and every file it
/// includes with `-r`/`-c`) is read lexically and only named requirements are accepted.
///
/// Guarantees: each logical line (backslash continuations joined, comments removed as pip removes
/// them: `#` at the start or after whitespace) is either empty, a requirement `NAME[extras]
/// specifiers ; marker` whose NAME is a PEP 508 name, with no `@` direct reference, no path or
/// URL and no option but `--hash`, or one of the options that only choose indexes or versions
/// (`-i/--index-url`, `--extra-index-url`, `--no-index`, `-f/--find-links`, `--pre`,
/// `--prefer-binary`, `--only-binary`, `--require-hashes`, `--trusted-host`), or `-r`/`-c` naming
/// a file that passes the same check (a path relative to the including file; a URL is refused,
/// an include cycle or a depth over 16 is refused). Anything else (`-e`, `--no-binary`,
/// `--config-settings`, unknown options, `${VAR}` in a requirement) is refused with
/// ``LockError/Code/notApplicable`` naming file, line and the problem: fail closed.
public enum RequirementsFileCheck {
    /// Options that take a value and only choose where distributions come from.
    static let valueOptions: Set<String> = [
        "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--only-binary", "--trusted-host",
    ]
    /// Options without a value that only choose versions or files.
    static let flagOptions: Set<String> = ["--no-index", "--pre", "--prefer-binary", "--require-hashes"]
    /// Options that include another file.
    static let includeOptions: Set<String> = ["-r", "--requirement", "-c", "--constraint"]
    /// Endings pip treats as archive files (a requirement spelled so may be read as a path).
    static let archiveEndings = [
        ".zip", ".whl", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
    ]
    static let maxDepth = 16
    static let maxBytes = 4 << 20

    /// Checks `path` and every file it includes; the requirement names found (for messages).
    public static func check(_ path: String) throws(LockError) -> [String] {
        var seen: Set<String> = []
        var names: [String] = []
        try check(path, depth: 0, seen: &seen, names: &names)
        return names
    }

    static func check(_ path: String, depth: Int, seen: inout Set<String>, names: inout [String]) throws(LockError) {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        guard depth <= maxDepth else { throw LockError(.notApplicable, file: path, line: nil, "requirements nested too deeply") }
        guard seen.insert(resolved).inserted else {
            throw LockError(.notApplicable, file: path, line: nil, "included twice (an include cycle?)")
        }
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, cap: maxBytes)
        } catch {
            throw LockError(.notApplicable, file: path, line: nil, "cannot read the requirements file: \(error.message)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw LockError(.notApplicable, file: path, line: nil, "not UTF-8 text")
        }
        let directory = (path as NSString).deletingLastPathComponent
        for (line, content) in logicalLines(text) {
            let words = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = words.first else { continue }
            func refuse(_ problem: String) -> LockError { LockError(.notApplicable, file: path, line: line, problem) }
            if first.hasPrefix("-") {
                let (option, inlineValue) = split(option: first)
                let value = inlineValue ?? (words.count > 1 ? words[1] : nil)
                let used = inlineValue == nil ? 2 : 1
                if includeOptions.contains(option) {
                    guard let value, words.count == used else { throw refuse("\(option) takes exactly one file") }
                    guard !value.contains("://") else {
                        throw refuse("\(option) \(value): a requirements file from a URL is not checked before pip reads it")
                    }
                    let included = value.hasPrefix("/") ? value : (directory.isEmpty ? value : directory + "/" + value)
                    try check(included, depth: depth + 1, seen: &seen, names: &names)
                } else if valueOptions.contains(option) {
                    guard value != nil, words.count == used else { throw refuse("\(option) takes exactly one value") }
                } else if flagOptions.contains(option) {
                    guard inlineValue == nil, words.count == 1 else { throw refuse("\(option) takes no value") }
                } else {
                    throw refuse(
                        "the option \(option) is not taken (only options that choose indexes and versions are: "
                            + "an editable, a build setting or --no-binary would run code before it verified)")
                }
                continue
            }
            try names.append(requirement(words, refuse: refuse))
        }
    }

    /// `NAME[extras] specifiers ; marker --hash=…`: the name, or why the line is refused.
    static func requirement(_ words: [String], refuse: (String) -> LockError) throws(LockError) -> String {
        var requirement: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("--hash") {
                // `--hash=alg:digest` or `--hash alg:digest`.
                index += word.contains("=") ? 1 : 2
                continue
            }
            if word.hasPrefix("-") { throw refuse("the option \(word) is not taken on a requirement line") }
            requirement.append(word)
            index += 1
        }
        let text = requirement.joined(separator: " ")
        if text.contains("${") { throw refuse("a variable in a requirement could name a path or URL; write the requirement out") }
        // The part before the marker holds the name, extras and versions; a path, URL or `@`
        // reference shows there as `/`, `:`, `@` or a leading `.`/`~`.
        let beforeMarker = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? text
        let nameEnd =
            beforeMarker.firstIndex { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") } ?? beforeMarker.endIndex
        let name = String(beforeMarker[..<nameEnd])
        let rest = beforeMarker[nameEnd...]
        guard ProjectName.isValidName(name) else {
            throw refuse("\"\(text)\" is not a requirement by name (a path, URL or editable would run code before it verified)")
        }
        // pip takes a line ending like an archive as a local file when one of that name exists.
        let lower = name.lowercased()
        if archiveEndings.contains(where: { lower.hasSuffix($0) }) {
            throw refuse("\"\(name)\" reads as an archive file name; pip would take a local file of that name")
        }
        if rest.contains("@") || rest.contains("/") || rest.contains(":") || rest.contains("\\") {
            throw refuse("\"\(text)\" is a direct reference (a URL or path), not a requirement by name")
        }
        for character in rest where !(character.isLetter || character.isNumber || " \t[],.-_*<>=!~+".contains(character)) {
            throw refuse("\"\(text)\" is not a requirement by name")
        }
        return name
    }

    /// `--opt=value` into its parts; `-rfile` (a short option glued to its value) too.
    static func split(option word: String) -> (String, String?) {
        if word.hasPrefix("--") {
            guard let equals = word.firstIndex(of: "=") else { return (word, nil) }
            return (String(word[..<equals]), String(word[word.index(after: equals)...]))
        }
        guard word.count > 2 else { return (word, nil) }
        let option = String(word.prefix(2))
        var value = String(word.dropFirst(2))
        if value.hasPrefix("=") { value.removeFirst() }
        return (option, value)
    }

    /// The file's logical lines with their first physical line numbers: continuations joined,
    /// comments (`#` at the start or after whitespace) removed, as pip reads them.
    static func logicalLines(_ text: String) -> [(Int, String)] {
        var result: [(Int, String)] = []
        var pending = ""
        var start = 0
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if line.hasSuffix("\r") { line.removeLast() }
            if pending.isEmpty { start = number + 1 }
            if line.hasSuffix("\\") {
                pending += String(line.dropLast())
                continue
            }
            pending += line
            result.append((start, stripComment(pending)))
            pending = ""
        }
        if !pending.isEmpty { result.append((start, stripComment(pending))) }
        return result
    }

    static func stripComment(_ line: String) -> String {
        var previous: Character = " "
        for index in line.indices {
            if line[index] == "#" && (previous == " " || previous == "\t") { return String(line[..<index]) }
            previous = line[index]
        }
        return line
    }
}
