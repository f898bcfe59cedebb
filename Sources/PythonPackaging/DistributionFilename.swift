/// A parsed source distribution filename: `{name}-{version}.tar.gz` or `{name}-{version}.zip`.
///
/// Guarantees: the name matches the PEP 508 name rule (it may contain `-`, as legacy sdists do;
/// the split is at the last `-` whose remainder is a valid PEP 440 version) and the version is
/// valid PEP 440. Equality and hashing are parsed: normalized name, PEP 440 version, extension.
public struct SdistFilename: Hashable, Sendable, CustomStringConvertible {
    /// The filename exactly as given.
    public let filename: String
    public let name: ProjectName
    public let version: PythonVersion
    /// `"tar.gz"` or `"zip"`.
    public let `extension`: String

    public init(parsing filename: String) throws(PackagingError) {
        func fail(_ why: String) -> PackagingError {
            PackagingError(.invalidFilename, "invalid sdist filename '\(ProjectName.excerpt(filename))': \(why)")
        }
        guard filename.utf8.count <= WheelFilename.maxLength else { throw fail("longer than \(WheelFilename.maxLength) bytes") }
        let ext: String
        if filename.hasSuffix(".tar.gz") {
            ext = "tar.gz"
        } else if filename.hasSuffix(".zip") {
            ext = "zip"
        } else {
            throw fail("does not end in .tar.gz or .zip")
        }
        let stem = String(filename.dropLast(ext.count + 1))
        var searchEnd = stem.endIndex
        while let dash = stem[..<searchEnd].lastIndex(of: "-") {
            let namePart = String(stem[..<dash])
            let version = PythonVersion(String(stem[stem.index(after: dash)...]))
            if version.isValid, ProjectName.isValidName(namePart) {
                self.filename = filename
                self.name = ProjectName(namePart)
                self.version = version
                self.extension = ext
                return
            }
            searchEnd = dash
        }
        throw fail("no '-' followed by a PEP 440 version after a valid project name")
    }

    public var description: String { filename }

    public static func == (l: SdistFilename, r: SdistFilename) -> Bool {
        l.name == r.name && l.version == r.version && l.extension == r.extension
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(version)
        hasher.combine(`extension`)
    }
}

/// The filename of a distribution file, wheel or sdist, as an attestation subject names it.
///
/// Guarantees: equality is parsed (see `WheelFilename` and `SdistFilename`); a wheel never
/// equals an sdist. Anything that is neither is rejected with `invalidFilename`.
public enum DistributionFilename: Hashable, Sendable, CustomStringConvertible {
    case wheel(WheelFilename)
    case sdist(SdistFilename)

    public init(parsing filename: String) throws(PackagingError) {
        if filename.hasSuffix(".whl") {
            self = .wheel(try WheelFilename(parsing: filename))
        } else if filename.hasSuffix(".tar.gz") || filename.hasSuffix(".zip") {
            self = .sdist(try SdistFilename(parsing: filename))
        } else {
            throw PackagingError(
                .invalidFilename, "'\(ProjectName.excerpt(filename))' is neither a wheel (.whl) nor an sdist (.tar.gz, .zip)")
        }
    }

    /// The filename exactly as given.
    public var filename: String {
        switch self {
        case .wheel(let w): return w.filename
        case .sdist(let s): return s.filename
        }
    }

    public var name: ProjectName {
        switch self {
        case .wheel(let w): return w.name
        case .sdist(let s): return s.name
        }
    }

    public var version: PythonVersion {
        switch self {
        case .wheel(let w): return w.version
        case .sdist(let s): return s.version
        }
    }

    public var description: String { filename }
}
