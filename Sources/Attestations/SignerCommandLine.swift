import Foundation

/// Splits a signer command line (`--signer-command 'CMD ARGS'`) into the argument vector it is
/// run with, without a shell (internal).
///
/// Words are separated by spaces or tabs; `'…'` keeps everything literally, `"…"` keeps
/// everything but `\"` and `\\`, a backslash outside quotes keeps the next character. Nothing is
/// expanded: shell syntax outside quotes (`| & ; < > ( ) $ `` ` `` and line breaks) is refused
/// rather than passed on as a word, so `cmd | other` cannot silently become one program with
/// the arguments `|` and `other`.
package enum SignerCommandLine {
    package static func split(_ text: String) throws(AttestationError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(text.unicodeScalars).makeIterator()
        func fail(_ what: String) -> AttestationError {
            AttestationError(.externalSigner, "signer command: \(what)")
        }
        while let scalar = iterator.next() {
            switch scalar {
            case " ", "\t":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" { closed = true; break }
                    current.unicodeScalars.append(next)
                }
                if !closed { throw fail("unbalanced single quote") }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { break }
                        if escaped != "\"" && escaped != "\\" { current.unicodeScalars.append(next) }
                        current.unicodeScalars.append(escaped)
                        continue
                    }
                    current.unicodeScalars.append(next)
                }
                if !closed { throw fail("unbalanced double quote") }
            case "\\":
                guard let escaped = iterator.next() else { throw fail("a trailing backslash escapes nothing") }
                inWord = true
                current.unicodeScalars.append(escaped)
            case "|", "&", ";", "<", ">", "(", ")", "$", "`", "\n", "\r":
                throw fail(
                    "shell syntax (\(scalar == "\n" || scalar == "\r" ? "a line break" : String(scalar))) is not interpreted: the command runs without a shell; put a pipeline in a script, or quote the character")
            default:
                inWord = true
                current.unicodeScalars.append(scalar)
            }
        }
        if inWord { words.append(current) }
        guard !words.isEmpty else { throw fail("is empty") }
        return words
    }

    /// The executable `name` names: a path (with a `/`, relative to `directory`) as it is, a bare
    /// name looked up in `path` (the `PATH` value). Must be an executable regular file.
    package static func resolve(_ name: String, path: String?, directory: String) throws(AttestationError) -> String {
        var candidates: [String]
        if name.contains("/") {
            candidates = [name.hasPrefix("/") ? name : directory + "/" + name]
        } else {
            candidates = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map { entry in
                let folder = entry.isEmpty ? "." : String(entry)
                return (folder.hasPrefix("/") ? folder : directory + "/" + folder) + "/" + name
            }
        }
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        throw AttestationError(
            .externalSigner,
            name.contains("/") ? "signer command \(name): no such executable file" : "signer command \(name): not found on PATH")
    }
}
