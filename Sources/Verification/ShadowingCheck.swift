import Foundation

/// Finds entries of the site-packages directories that Python could import under a name a
/// verified distribution provides, and that its verified RECORD does not list.
///
/// Python's path finder looks in each site-packages directory for, in order, a package directory
/// (`name/` with an `__init__`), an extension module (`name.*.so`), a source module (`name.py`),
/// a sourceless `name.pyc`, and last a namespace portion (`name/` without `__init__`); a `.pth`
/// file named after a module runs or redirects at start-up. Which of two same-named entries wins
/// depends on that order and on the interpreter, so any second entry under a provided name is a
/// finding, whatever it is and whoever claims it: `site-packages/topmod/__init__.py` beside the
/// verified `topmod.py` makes `import topmod` load the attacker's package.
///
/// Names are compared after NFKC normalisation (how Python normalises identifiers), so a Unicode
/// twin of a provided name is a finding too. Entries are compared by their bytes otherwise.
public enum ShadowingCheck {
    /// One entry that shadows a provided name.
    public struct Finding: Sendable, Equatable {
        public var path: String
        public var note: String
    }

    /// Suffixes of files Python imports or processes under their stem.
    static let importableSuffixes = [".py", ".pyc", ".pyw", ".pyd", ".so", ".pth"]

    /// The importable name an entry of a site-packages directory stands for, if any: a directory
    /// whose name has no dot (a package or namespace portion), or a file with one of
    /// ``importableSuffixes`` (its name up to the first dot).
    static func importableName(of entry: String, isDirectory: Bool) -> String? {
        guard !entry.isEmpty, entry != "__pycache__" else { return nil }
        if isDirectory { return entry.contains(".") ? nil : entry }
        guard importableSuffixes.contains(where: { entry.hasSuffix($0) }), let dot = entry.firstIndex(of: "."),
            dot != entry.startIndex
        else { return nil }
        return String(entry[..<dot])
    }

    /// NFKC, as Python normalises identifiers.
    static func normalized(_ name: String) -> String {
        name.precomposedStringWithCompatibilityMapping
    }

    /// The first path component below `root` of each expected path, by root.
    static func topEntries(roots: [String], expected: PathSet) -> [String: Set<PathKey>] {
        var result: [String: Set<PathKey>] = [:]
        for path in expected {
            for root in roots
            where path.utf8.count > root.utf8.count + 1 && path.utf8.starts(with: root.utf8)
                && path.utf8.dropFirst(root.utf8.count).first == UInt8(ascii: "/")
            {
                let relative = path.utf8.dropFirst(root.utf8.count + 1)
                let first = relative.prefix { $0 != UInt8(ascii: "/") }
                let isDirectory = first.count < relative.count
                let name = String(decoding: first, as: UTF8.self)
                result[root, default: []].insert(PathKey(isDirectory ? name + "/" : name))
            }
        }
        return result
    }

    /// The names (NFKC) a distribution makes importable from the site-packages roots: its
    /// top-level package directories and modules.
    public static func providedNames(roots: [String], expected: PathSet) -> Set<String> {
        var names = Set<String>()
        for (_, entries) in topEntries(roots: roots, expected: expected) {
            for entry in entries {
                let isDirectory = entry.path.hasSuffix("/")
                let name = isDirectory ? String(entry.path.dropLast()) : entry.path
                if isDirectory, name.contains(".") { continue }  // `x.dist-info/`, `x.libs/`
                if !isDirectory, name.hasSuffix(".pth") { continue }  // a start-up hook is not a module
                if let importable = importableName(of: name, isDirectory: isDirectory) { names.insert(normalized(importable)) }
            }
        }
        return names
    }

    /// Every entry of `roots` (listed by `children`, kinds from `kind`) importable under one of the
    /// names the distribution's `expected` paths provide, that is not itself one of its entries.
    static func find(
        roots: [String], expected: PathSet, claims: PathClaims, distInfo: String,
        children: (String) -> [String] = FileSystem.children,
        kind: (String) -> FileSystem.Kind = FileSystem.kind
    ) -> [Finding] {
        let provided = providedNames(roots: roots, expected: expected)
        if provided.isEmpty { return [] }
        let own = topEntries(roots: roots, expected: expected)
        var findings: [Finding] = []
        var seen = Set<PathKey>()
        for root in roots where seen.insert(PathKey(root)).inserted {
            let mine = own[root] ?? []
            for entry in children(root).sorted() {
                // Only an entry whose stem is a provided name costs a look at what it is.
                let stem = entry.firstIndex(of: ".").map { String(entry[..<$0]) } ?? entry
                guard !stem.isEmpty, provided.contains(normalized(stem)) else { continue }
                if mine.contains(PathKey(entry + "/")) || mine.contains(PathKey(entry)) { continue }
                let path = root + "/" + entry
                let entryKind = kind(path)
                let directory = entryKind == .directory
                // Import follows links: a link stands for whatever it points to, a package
                // directory as well as a module file.
                let name =
                    entryKind == .symlink
                    ? (importableName(of: entry, isDirectory: true) ?? importableName(of: entry, isDirectory: false))
                    : importableName(of: entry, isDirectory: directory)
                guard let name, provided.contains(normalized(name)) else { continue }
                var note = "shadows the verified \(name): importable under the same name"
                let claimants =
                    claims.claimants(of: path, otherThan: distInfo)
                    + (directory ? claims.claimants(of: path + "/__init__.py", otherThan: distInfo) : [])
                if !claimants.isEmpty {
                    note +=
                        " (claimed by "
                        + Array(Set(claimants)).sorted()
                        .map(InstalledFilesVerifier.distributionLabel).joined(separator: ", ") + ")"
                }
                findings.append(Finding(path: path, note: note))
            }
        }
        return findings
    }

    /// The `shadowing` check of a distribution's findings.
    static func check(findings: FileFindings, names: Int) -> CheckResult {
        if findings.shadowing.isEmpty {
            return CheckResult(.shadowing, .pass, "no other importable entry under the package's \(names) top-level names")
        }
        return CheckResult(
            .shadowing, .fail,
            "\(findings.shadowing.count) shadowing: "
                + InstalledFilesVerifier.preview(findings.shadowing))
    }
}
