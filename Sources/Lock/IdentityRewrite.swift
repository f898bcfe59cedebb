import Policy
import TOMLKit

/// Writes `attestation-identities` into a lock's text, keeping every other byte as it was.
///
/// Guarantees: only packages whose entry has no `attestation-identities` yet are edited (an
/// existing list is the team's reviewed decision: it is enforced, never replaced); each gets one
/// `attestation-identities = [...]` key inserted right after the last key/value line of its own
/// `[[packages]]` section (before any sub-table), with the file's own line ending; every string is a
/// TOML basic string with characters outside printable ASCII written as `\u` escapes (what a
/// review sees is what is there). The result is parsed again (TOMLKit and ``PylockParser``) and
/// accepted only if it is the original document plus exactly the new identities: any other
/// outcome is ``LockError/Code/cannotEdit`` and nothing is written.
public enum IdentityRewrite {
    public static func rewrite(_ lock: PylockFile, adding identities: [Int: [LockedIdentity]]) throws(LockError) -> String {
        let layout = TOMLLayout(lock.text)
        let elements = layout.arrayElements("packages")
        guard elements.count == lock.packages.count else {
            throw LockError(
                .cannotEdit, file: lock.path, line: nil,
                "the packages are not all written as [[packages]] tables; cannot edit the file in place")
        }
        let newline = lock.text.contains("\r\n") ? "\r\n" : "\n"
        var bytes = Array(lock.text.utf8)
        // From the end, so earlier offsets stay valid.
        for position in identities.keys.sorted(by: >) {
            guard let list = identities[position], position < elements.count else { continue }
            let package = lock.packages[position]
            guard package.identities == nil, !elements[position].keys.contains("attestation-identities") else {
                throw LockError(
                    .cannotEdit, file: lock.path, line: package.line,
                    "package \(package.name.raw) already has attestation-identities; they are enforced, not replaced")
            }
            var offset = elements[position].contentEnd
            var text = render(list, newline: newline)
            if offset > 0, bytes[offset - 1] != UInt8(ascii: "\n") { text = newline + text }
            offset = min(offset, bytes.count)
            bytes.insert(contentsOf: Array(text.utf8), at: offset)
        }
        let result = String(decoding: bytes, as: UTF8.self)
        try check(result, original: lock, added: identities)
        return result
    }

    /// The key and its value: one inline table per identity, `kind` first, then fields by name.
    static func render(_ identities: [LockedIdentity], newline: String) -> String {
        var text = "attestation-identities = [" + newline
        for identity in identities {
            var parts = ["kind = \(quoted(identity.kind))"]
            for name in identity.fields.keys.sorted() {
                parts.append("\(key(name)) = \(quoted(identity.fields[name] ?? ""))")
            }
            text += "    { " + parts.joined(separator: ", ") + " }," + newline
        }
        return text + "]" + newline
    }

    static func key(_ name: String) -> String {
        let bare =
            !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-")
            }
        return bare ? name : quoted(name)
    }

    /// A TOML basic string (``TOMLString/basic(_:)``).
    static func quoted(_ value: String) -> String { TOMLString.basic(value) }

    /// The rewritten text must be the original document plus exactly the added identities.
    static func check(_ text: String, original: PylockFile, added: [Int: [LockedIdentity]]) throws(LockError) {
        func refuse(_ why: String) -> LockError {
            LockError(
                .cannotEdit, file: original.path, line: nil,
                "the edited lock would not be the same document plus the identities (\(why)); nothing written")
        }
        let reread: PylockFile
        do {
            reread = try PylockParser.parse(text, file: original.path)
        } catch {
            throw refuse(error.message)
        }
        guard reread.packages.count == original.packages.count else { throw refuse("the number of packages changed") }
        for (position, package) in reread.packages.enumerated() {
            let wanted = added[position] ?? original.packages[position].identities
            guard package.identities == wanted else { throw refuse("package \(package.name.raw)'s identities differ") }
        }
        guard let before = try? TOMLTable(string: original.text), let after = try? TOMLTable(string: text),
            let packages = after["packages"]?.array
        else { throw refuse("not TOML") }
        for position in added.keys where position < packages.count {
            packages[position].table?.remove(at: "attestation-identities")
        }
        guard before == after else { throw refuse("other values changed") }
    }
}
