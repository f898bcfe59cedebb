/// An opened wheel file: its parsed filename, zip archive, `.dist-info` directory, RECORD,
/// WHEEL and METADATA.
///
/// Guarantees after `open`: the archive passed every `ZipArchive` check; there is exactly one
/// top-level `<name>-<version>.dist-info/` directory and its name and version equal the
/// filename's (compared normalized / PEP 440); `RECORD`, `WHEEL` and `METADATA` are the members
/// exactly at `<distinfo>/RECORD`, `<distinfo>/WHEEL`, `<distinfo>/METADATA` and parsed; the
/// METADATA name and version match the filename too. Member contents are only checked by
/// `checkMembers()`.
public struct Wheel: Sendable {
    public let filename: WheelFilename
    public let archive: ZipArchive
    /// The `.dist-info` directory name, without a trailing slash (e.g. `pkg-1.0.dist-info`).
    public let distInfoDirectory: String
    /// The `.data` directory name, without a trailing slash (e.g. `pkg-1.0.data`); it may be absent.
    public let dataDirectory: String
    public let record: Record
    public let metadata: WheelMetadata
    public let coreMetadata: CoreMetadata
    public let coreMetadataBytes: [UInt8]

    /// Caps on the metadata members read into memory, fitted to their kind (the largest real
    /// METADATA seen is ~110 KiB, the largest RECORD ~1 MiB): a wheel declaring more is refused
    /// before anything is inflated.
    static let maxRecordSize: Int64 = 64 << 20
    static let maxMetadataSize: Int64 = 4 << 20
    static let maxWheelFileSize: Int64 = 64 << 10

    /// Opens and parses the wheel at `path`; `filename` (default: the last path component, which
    /// then must be a valid wheel filename) is the name the wheel is known by, e.g. on the index
    /// when the file itself sits in a content-addressed cache.
    public static func open(path: String, filename knownAs: String? = nil, limits: ZipLimits = .default) throws(PackagingError) -> Wheel {
        let basename = knownAs ?? path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        let filename = try WheelFilename(parsing: basename)
        let archive = try ZipArchive(path: path, limits: limits)
        let distInfo = try findDistInfo(in: archive, filename: filename)

        func member(_ leaf: String, maxSize: Int64) throws(PackagingError) -> [UInt8] {
            let name = distInfo + "/" + leaf
            guard let entry = archive.entry(named: name), !entry.isDirectory else {
                throw PackagingError(.invalidMetadata, "\(basename): missing \(name)")
            }
            return try archive.data(of: entry, maxSize: maxSize)
        }

        let record = try Record(
            parsing: try member("RECORD", maxSize: maxRecordSize),
            origin: "\(basename): \(distInfo)/RECORD")
        let metadata = try WheelMetadata(
            parsing: try member("WHEEL", maxSize: maxWheelFileSize),
            origin: "\(basename): \(distInfo)/WHEEL")
        let coreBytes = try member("METADATA", maxSize: maxMetadataSize)
        let core = try CoreMetadata(parsing: coreBytes, origin: "\(basename): \(distInfo)/METADATA")
        guard core.name == filename.name, core.version == filename.version else {
            throw PackagingError(
                .invalidMetadata,
                "\(basename): METADATA says \(core.rawName) \(core.rawVersion), the filename says \(filename.name.raw) \(filename.version)")
        }
        let stem = String(distInfo.dropLast(".dist-info".count))
        return Wheel(
            filename: filename, archive: archive, distInfoDirectory: distInfo, dataDirectory: stem + ".data",
            record: record, metadata: metadata, coreMetadata: core, coreMetadataBytes: coreBytes)
    }

    /// Finds the single top-level `*.dist-info` directory and checks it names the wheel's project.
    private static func findDistInfo(in archive: ZipArchive, filename: WheelFilename) throws(PackagingError) -> String {
        var directories = Set<String>()
        for entry in archive.entries {
            guard let slash = entry.name.firstIndex(of: "/") else { continue }
            let top = entry.name[..<slash]
            if top.hasSuffix(".dist-info") { directories.insert(String(top)) }
        }
        guard directories.count == 1, let directory = directories.first else {
            let found = directories.isEmpty ? "none" : directories.sorted().joined(separator: ", ")
            throw PackagingError(
                .invalidMetadata,
                "\(filename.filename): expected exactly one top-level .dist-info directory, found \(found)")
        }
        let stem = directory.dropLast(".dist-info".count)
        // Accept any split at a '-' whose halves match the filename's name and version.
        let matches = stem.indices.contains { index in
            guard stem[index] == "-" else { return false }
            let name = ProjectName(String(stem[..<index]))
            let version = PythonVersion(String(stem[stem.index(after: index)...]))
            return name == filename.name && version == filename.version
        }
        guard matches else {
            throw PackagingError(
                .invalidMetadata,
                "\(filename.filename): .dist-info directory \(directory) does not match the filename's name and version")
        }
        return directory
    }

    /// Streams every member through the hash RECORD names for it and compares digest and size.
    ///
    /// Directories are ignored. `RECORD` itself and `RECORD.jws` / `RECORD.p7s` signature files
    /// must have an empty hash (the signature files may also be absent from RECORD); any other
    /// member listed without a hash is reported as `mismatched`, since it cannot be verified.
    /// Throws only when the archive cannot be read (corrupt data, CRC mismatch, limits).
    public func checkMembers() throws(PackagingError) -> WheelMemberReport {
        let recordPath = distInfoDirectory + "/RECORD"
        let unhashedAllowed: Set<String> = [recordPath, recordPath + ".jws", recordPath + ".p7s"]
        var report = WheelMemberReport()
        var seen = Set<String>()
        for entry in archive.entries where !entry.isDirectory {
            seen.insert(entry.name)
            guard let recorded = record.entry(for: entry.name) else {
                if !unhashedAllowed.contains(entry.name) || entry.name == recordPath {
                    report.unrecorded.append(entry.name)
                }
                continue
            }
            switch recorded.hash {
            case .none:
                if !unhashedAllowed.contains(entry.name) { report.mismatched.append(entry.name) }
            case .unsupported:
                report.unsupportedHash.append(entry.name)
            case .digest(let expected):
                var hasher = StreamingHasher(algorithm: expected.algorithm)
                var size: Int64 = 0
                try archive.read(entry) { buffer in
                    hasher.update(buffer)
                    size += Int64(buffer.count)
                }
                if hasher.finalize() != expected || (recorded.size.map { $0 != size } ?? false) {
                    report.mismatched.append(entry.name)
                }
            }
        }
        for recorded in record.entries where !recorded.path.hasSuffix("/") && !seen.contains(recorded.path) {
            report.missing.append(recorded.path)
        }
        report.unrecorded.sort()
        report.missing.sort()
        report.mismatched.sort()
        report.unsupportedHash.sort()
        return report
    }
}

/// The result of comparing a wheel's members with its RECORD. Each list holds member paths,
/// sorted; the report is clean only when all are empty.
public struct WheelMemberReport: Sendable, Hashable {
    /// In the zip but not listed in RECORD (e.g. an injected file or an SBOM).
    public var unrecorded: [String] = []
    /// Listed in RECORD but not in the zip.
    public var missing: [String] = []
    /// Hash or size differs from RECORD, or RECORD gives no hash for a member that needs one.
    public var mismatched: [String] = []
    /// RECORD names a hash algorithm we do not accept (md5, sha1, unknown).
    public var unsupportedHash: [String] = []

    public init() {}

    public var isClean: Bool {
        unrecorded.isEmpty && missing.isEmpty && mismatched.isEmpty && unsupportedHash.isEmpty
    }
}
