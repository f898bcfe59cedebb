import Attestations
import Foundation
import PythonPackaging
import TUF

/// The pins file: per project, the identity that verified it when it was pinned (trust on first
/// use), a JSON document users commit beside their lock file.
///
/// ```json
/// {
///   "version": 1,
///   "packages": {
///     "attrs": {
///       "publisher": {"kind": "GitHub", "repository": "python-attrs/attrs", "workflow": "pypi-package.yml"},
///       "recorded": "2026-05-01T12:00:00Z",
///       "recordedVersion": "25.3.0"
///     },
///     "corp-lib": {"key": "sha256:<64 hex>", "recorded": "2026-05-01T12:00:00Z"}
///   }
/// }
/// ```
///
/// Guarantees: ``decode(_:path:)`` accepts only this shape, read strictly: strict JSON with no
/// duplicate member name (`TUFJSON`), `version` exactly 1, no member it does not know, project
/// names in their PEP 503 normalised form, each entry exactly one of `key` (`sha256:` and 64
/// lowercase hex digits) or `publisher` (a `kind` and non-empty string fields; for a kind in
/// ``PinnedIdentity/identifyingFields`` exactly its fields, the required ones present), `recorded`
/// an RFC 3339 time, `recordedVersion` (the version pinned, for people) optional; anything else is
/// a usage error naming the file, the member and the problem. ``read(_:)`` reads at most
/// ``maxBytes`` from a regular file. ``write(to:)`` replaces the file atomically (``AtomicFile``)
/// with the same document in a stable form (sorted members, one per line; characters a terminal
/// would hide or reorder written as `\u` escapes), so that a change of pins is a small, honest diff.
public struct PinsFile: Sendable, Equatable {
    /// The one version of the document this reader knows.
    public static let currentVersion = 1
    /// The largest pins file read (about 15,000 pins).
    public static let maxBytes = 4 << 20

    /// One project's pin.
    public struct Pin: Sendable, Equatable {
        /// Who must sign the project.
        public var identity: PinnedIdentity
        /// When it was recorded (RFC 3339, as written).
        public var recorded: String
        /// The version that verified when it was recorded (for people; not compared).
        public var recordedVersion: String?

        public init(identity: PinnedIdentity, recorded: String, recordedVersion: String? = nil) {
            self.identity = identity
            self.recorded = recorded
            self.recordedVersion = recordedVersion
        }
    }

    /// The pins by PEP 503 normalised project name.
    public private(set) var pins: [String: Pin]

    public init() {
        pins = [:]
    }

    /// The pin of `name`, if any; setting nil removes it.
    public subscript(name: ProjectName) -> Pin? {
        get { pins[name.normalized] }
        set { pins[name.normalized] = newValue }
    }

    /// The pins file at `path`, which must exist.
    public static func read(_ path: String) throws(VerificationError) -> PinsFile {
        let bytes = try NamedFile.read(path, cap: maxBytes, what: "pins file")
        return try decode(Array(bytes), path: path)
    }

    /// The pins file at `path`, or no pins when nothing is there yet (a file that is there but
    /// cannot be read or decoded is still an error: it is never silently replaced).
    public static func readIfPresent(_ path: String) throws(VerificationError) -> PinsFile {
        var status = stat()
        if lstat(path, &status) != 0 && errno == ENOENT { return PinsFile() }
        return try read(path)
    }

    /// The pins the document `bytes` holds; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws(VerificationError) -> PinsFile {
        func problem(_ text: String) -> VerificationError { VerificationError(.usage, "pins file \(path): \(text)") }
        let document: JSONValue
        do {
            document = try TUFJSON.parse(bytes)
        } catch {
            throw problem("not valid JSON: \(error.reason)")
        }
        guard let root = document.objectValue else { throw problem("not a JSON object") }
        try refuseUnknown(root, known: ["version", "packages"], at: "", problem)
        guard let versionValue = root["version"] else { throw problem("no version") }
        // TUFJSON admits integers only, within 2^53.
        guard let version = versionValue.numberValue else { throw problem("version: not an integer") }
        guard version == Double(currentVersion) else {
            throw problem("unknown version \(Int64(version)) (this wheeltrust reads version \(currentVersion))")
        }
        guard let packagesValue = root["packages"] else { throw problem("no packages") }
        guard let packages = packagesValue.objectValue else { throw problem("packages: not an object") }
        var file = PinsFile()
        for (name, value) in packages {
            let normalized = ProjectName.normalize(name)
            guard ProjectName.isValidName(name) else {
                throw problem("packages: \(quoted(name)) is not a project name")
            }
            guard normalized == name else {
                throw problem("packages: \(quoted(name)) is not in normalised form (write \(quoted(normalized)))")
            }
            file.pins[name] = try pin(value, at: "packages.\(name)", problem)
        }
        return file
    }

    private static func pin(
        _ value: JSONValue, at where: String, _ problem: (String) -> VerificationError
    ) throws(VerificationError) -> Pin {
        guard let entry = value.objectValue else { throw problem("\(`where`): not an object") }
        try refuseUnknown(entry, known: ["key", "publisher", "recorded", "recordedVersion"], at: `where` + ".", problem)
        let identity: PinnedIdentity
        switch (entry["key"], entry["publisher"]) {
        case (nil, nil):
            throw problem("\(`where`): neither key nor publisher")
        case (.some, .some):
            throw problem("\(`where`): both key and publisher (a pin names one signer)")
        case (let key?, nil):
            guard let text = key.stringValue, text.hasPrefix("sha256:"), SHA256Hex(text.dropFirst(7)) != nil else {
                throw problem("\(`where`).key: not sha256: followed by 64 lowercase hex digits")
            }
            identity = .key(fingerprint: text)
        case (nil, let publisher?):
            identity = try self.publisher(publisher, at: `where` + ".publisher", problem)
        }
        guard let recorded = entry["recorded"] else { throw problem("\(`where`): no recorded time") }
        guard let recordedText = recorded.stringValue, RFC3339.parse(recordedText) != nil else {
            throw problem("\(`where`).recorded: not an RFC 3339 time")
        }
        var recordedVersion: String?
        if let version = entry["recordedVersion"] {
            guard let text = version.stringValue, !text.isEmpty else {
                throw problem("\(`where`).recordedVersion: not a non-empty string")
            }
            recordedVersion = text
        }
        return Pin(identity: identity, recorded: recordedText, recordedVersion: recordedVersion)
    }

    private static func publisher(
        _ value: JSONValue, at where: String, _ problem: (String) -> VerificationError
    ) throws(VerificationError) -> PinnedIdentity {
        guard let members = value.objectValue else { throw problem("\(`where`): not an object") }
        guard let kind = members["kind"]?.stringValue, !kind.isEmpty else {
            throw problem("\(`where`).kind: missing or not a non-empty string")
        }
        var fields: [String: String] = [:]
        for (name, member) in members where name != "kind" {
            guard let text = member.stringValue, !text.isEmpty else {
                throw problem("\(`where`).\(name): not a non-empty string")
            }
            fields[name] = text
        }
        if let known = PinnedIdentity.identifyingFields[kind] {
            try refuseUnknown(members, known: Set(["kind"] + known.required + known.optional), at: `where` + ".", problem)
            for name in known.required where fields[name] == nil {
                throw problem("\(`where`): a \(kind) publisher needs \(name)")
            }
        } else if fields.isEmpty {
            throw problem("\(`where`): a publisher needs at least one field besides kind")
        }
        return .publisher(kind: kind, fields: fields)
    }

    private static func refuseUnknown(
        _ members: [String: JSONValue], known: Set<String>, at prefix: String, _ problem: (String) -> VerificationError
    ) throws(VerificationError) {
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw problem("unknown member \(prefix)\(quoted(unknown))")
        }
    }

    /// A name from the file for a message: quoted, at most 64 characters.
    private static func quoted(_ text: String) -> String {
        "\"\(text.count > 64 ? String(text.prefix(64)) + "…" : text)\""
    }

    /// The document in its stable form: sorted members, two-space indentation, a final newline.
    public func encoded() -> [UInt8] {
        var packages: [String: Entry] = [:]
        for (name, pin) in pins {
            var entry = Entry(recorded: pin.recorded, recordedVersion: pin.recordedVersion)
            switch pin.identity {
            case .key(let fingerprint): entry.key = fingerprint
            case .publisher(let kind, let fields): entry.publisher = fields.merging(["kind": kind]) { mine, _ in mine }
            }
            packages[name] = entry
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings and integers cannot fail.
        let data = (try? encoder.encode(Document(version: Self.currentVersion, packages: packages))) ?? Data()
        // Values come from the index (a publisher's environment is its word alone): characters a
        // terminal or a review would hide or reorder are written as \u escapes, values unchanged.
        return Array(TerminalEscaping.escapeJSON(String(decoding: data, as: UTF8.self)).utf8) + [0x0A]
    }

    /// Writes the document to `path` atomically.
    public func write(to path: String) throws(VerificationError) {
        do {
            try AtomicFile.write(encoded(), to: path)
        } catch {
            throw VerificationError(.operational, "cannot write the pins file \(path): \(error.message)")
        }
    }

    private struct Document: Encodable {
        var version: Int
        var packages: [String: Entry]
    }

    private struct Entry: Encodable {
        var key: String?
        var publisher: [String: String]?
        var recorded: String
        var recordedVersion: String?

        init(recorded: String, recordedVersion: String?) {
            self.recorded = recorded
            self.recordedVersion = recordedVersion
        }
    }
}
