/// A virtual environment's `pyvenv.cfg` (PEP 405), read as Python's own start-up reads it.
///
/// The file belongs to the environment being checked, so nothing it says is believed here: this
/// type only parses it strictly; ``VirtualEnvironmentInterpreter`` checks what it names.
///
/// Guarantees: at most ``maxBytes`` of a regular file, UTF-8 without NUL and without a carriage
/// return that is not followed by a line feed (the two readers Python has of this file split
/// lines differently there, see `init(parsing:file:)`); lines are `key = value`
/// split at the first `=`, keys compared without surrounding blanks and case (as `site.py` and
/// `getpath` do), values without surrounding blanks; a line without `=` is ignored (as there). A key
/// this type uses that appears twice is refused: `getpath` takes the first `home` and `site.py`
/// the last `include-system-site-packages`, so a repeated key can mean two things at once.
public struct VirtualEnvironmentConfig: Sendable, Hashable {
    /// `home`: the directory of the base interpreter (not yet checked).
    public let home: String
    /// `version` (written by the standard library's `venv`), e.g. `3.11.7`.
    public let version: String?
    /// `version_info` (written by virtualenv and uv), e.g. `3.11.7.final.0` or `3.12.1`.
    public let versionInfo: String?
    /// `executable` (the standard library's `venv` since 3.11): the base interpreter's real path.
    public let executable: String?
    /// Whether the base's site-packages are importable too. `site.py` treats a missing key as
    /// `true` and any value other than `true` (in any case) as false; so does this.
    public let includesSystemSitePackages: Bool

    /// Largest `pyvenv.cfg` read (real ones are a few hundred bytes).
    public static let maxBytes = 64 << 10

    /// The version components the file states (`version_info` and `version` must agree where both
    /// are given), e.g. `["3", "11", "7"]`; nil when it states none.
    public var statedVersion: [String]? {
        let stated = [versionInfo, version].compactMap { $0 }.map { $0.split(separator: ".").map(String.init) }
        return stated.first
    }

    /// Parses the text of a `pyvenv.cfg`; `file` names it in errors.
    public init(parsing bytes: [UInt8], file: String) throws(PackagingError) {
        let shownFile = PathResolution.shown(file)
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw PackagingError(.interpreterNotTrusted, "\(shownFile): not UTF-8 text")
        }
        // Python reads this file twice, differently: `getpath` (which takes `home`) ends lines at LF
        // only and strips CRs before it, `site.py` also ends them at a lone CR. `home\r= /x` is a
        // home to the first and no line with a key to the second (or to a reader like this one):
        // one file, two readings. Only a CR that ends a line with LF means the same to all.
        for index in bytes.indices where bytes[index] == 0x0D {
            guard index + 1 < bytes.count, bytes[index + 1] == 0x0A else {
                throw PackagingError(
                    .interpreterNotTrusted,
                    "\(shownFile): a carriage return that does not end a line (Python's start-up reads such a line "
                        + "as part of the next key, site.py as its end): refused")
            }
        }
        var values: [String: String] = [:]
        let used: Set<String> = ["home", "version", "version_info", "executable", "include-system-site-packages"]
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            // `=` and the blanks are found among the Unicode scalars, as Python's `partition` and
            // `strip` find them: a combining mark after `=` (one Character with it) must not hide it.
            let scalars = line.unicodeScalars
            guard let equals = scalars.firstIndex(of: "=") else { continue }
            let key = scalars[..<equals].trimmingBlanks().lowercased()
            let value = scalars[scalars.index(after: equals)...].trimmingBlanks()
            guard used.contains(key) else { continue }
            guard values[key] == nil else {
                throw PackagingError(.interpreterNotTrusted, "\(shownFile): '\(key)' is given twice")
            }
            values[key] = value
        }
        guard let home = values["home"], !home.isEmpty else {
            throw PackagingError(.interpreterNotTrusted, "\(shownFile): no 'home' (the base interpreter's directory)")
        }
        self.home = home
        version = values["version"].flatMap { $0.isEmpty ? nil : $0 }
        versionInfo = values["version_info"].flatMap { $0.isEmpty ? nil : $0 }
        executable = values["executable"].flatMap { $0.isEmpty ? nil : $0 }
        includesSystemSitePackages = (values["include-system-site-packages"] ?? "true").lowercased() == "true"
        // The version a venv states: at least major.minor, numbers, and the two keys agreeing.
        let stated = [versionInfo, version].compactMap { $0 }
        guard !stated.isEmpty else {
            throw PackagingError(.interpreterNotTrusted, "\(shownFile): states no 'version' or 'version_info'")
        }
        for value in stated {
            let parts = value.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.prefix(2).allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
            else {
                throw PackagingError(
                    .interpreterNotTrusted, "\(shownFile): version '\(ProjectName.excerpt(value))' is not a Python version")
            }
        }
        if let version, let versionInfo {
            let a = version.split(separator: "."), b = versionInfo.split(separator: ".")
            guard zip(a, b).allSatisfy({ $0 == $1 }) else {
                throw PackagingError(
                    .interpreterNotTrusted,
                    "\(shownFile): 'version' \(ProjectName.excerpt(version)) and 'version_info' \(ProjectName.excerpt(versionInfo)) disagree"
                )
            }
        }
    }
}

private extension Substring.UnicodeScalarView {
    /// Without leading and trailing whitespace (Python's `str.strip()`: Unicode White_Space and
    /// the separators U+001C–U+001F), scalar by scalar.
    func trimmingBlanks() -> String {
        func blank(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value) }
        var slice = self[...]
        while let first = slice.first, blank(first) { slice = slice.dropFirst() }
        while let last = slice.last, blank(last) { slice = slice.dropLast() }
        return String(Substring(slice))
    }
}
