import Foundation

/// One installed distribution: a `<name>-<version>.dist-info` directory in a site-packages dir.
///
/// Guarantees: loading never throws and never stops a whole listing. A dist-info whose files
/// are missing, unreadable, too large or malformed is still returned: the affected fields are
/// nil (or empty for `coreMetadataBytes`) and `problems` says what could not be read and why.
/// When `METADATA` cannot be read, `name` and `version` come from the directory name.
/// Files are read with size caps (see `Limits`).
public struct InstalledDistribution: Sendable {
    public let name: ProjectName
    public let version: PythonVersion
    /// The version as written in `METADATA` (or the directory name when METADATA is unreadable).
    public let rawVersion: String
    /// Absolute path of the `.dist-info` directory.
    public let distInfoPath: String
    /// The site-packages directory holding it (RECORD paths are relative to this).
    public let root: String
    /// Parsed `METADATA` header block, nil if missing or malformed.
    public let coreMetadata: CoreMetadata?
    /// Parsed `WHEEL`, nil if missing or malformed.
    public let wheelMetadata: WheelMetadata?
    /// Parsed `RECORD`, nil if missing or malformed, or released (see ``releasingInstalledRecord()``).
    public let installedRecord: Record?
    /// The trimmed contents of `INSTALLER` (e.g. `pip`, `uv`), nil if missing.
    public let installer: String?
    /// The exact bytes of `METADATA` (empty when it could not be read).
    public let coreMetadataBytes: [UInt8]
    /// One line per file that could not be read or parsed; empty when everything loaded.
    public let problems: [String]
    /// The ``problems`` of members that are there but could not be read as a regular file within
    /// their cap (a FIFO, a device, a directory, a dangling link, an oversized file): not what an
    /// installer writes, so the distribution is not as installed; empty when every present member
    /// read.
    public private(set) var unreadableMembers: [String] = []
    /// Set by ``releasingInstalledRecord()``: the RECORD parsed at load is read again on demand.
    private var recordReleased = false
    /// What the installed RECORD says the distribution weighs: the sizes it lists plus 4 KiB per
    /// entry (the per-file cost). Only a scheduling hint (largest first); 0 without a RECORD.
    public private(set) var recordedWeight: Int64 = 0

    /// Size caps for the files read from a dist-info directory.
    public enum Limits {
        public static let metadataBytes = 4 << 20
        public static let wheelBytes = 1 << 20
        public static let recordBytes = 16 << 20
        public static let installerBytes = 4096
    }

    public init(
        name: ProjectName, version: PythonVersion, rawVersion: String, distInfoPath: String, root: String,
        coreMetadata: CoreMetadata?, wheelMetadata: WheelMetadata?, installedRecord: Record?,
        installer: String?, coreMetadataBytes: [UInt8], problems: [String]
    ) {
        self.name = name
        self.version = version
        self.rawVersion = rawVersion
        self.distInfoPath = distInfoPath
        self.root = root
        self.coreMetadata = coreMetadata
        self.wheelMetadata = wheelMetadata
        self.installedRecord = installedRecord
        self.installer = installer
        self.coreMetadataBytes = coreMetadataBytes
        self.problems = problems
    }

    /// Reads the dist-info directory at `distInfoPath` inside `root`. Never throws; see `problems`.
    public static func load(distInfoPath: String, root: String) -> InstalledDistribution {
        var problems: [String] = []
        var unreadable: [String] = []
        let dirName = (distInfoPath as NSString).lastPathComponent
        /// A member's bytes; a member that is there (as a link too) and still not read is unreadable.
        func readMember(_ member: String, in dir: String, limit: Int, required: Bool, problems: inout [String]) -> [UInt8]? {
            let before = problems.count
            let bytes = Self.readMember(member, in: dir, limit: limit, required: required, problems: &problems)
            if bytes == nil, problems.count > before, PathResolution.linkStatus(dir + "/" + member) != nil, let last = problems.last {
                unreadable.append(last)
            }
            return bytes
        }

        var metadataBytes: [UInt8] = []
        var core: CoreMetadata?
        if let bytes = readMember("METADATA", in: distInfoPath, limit: Limits.metadataBytes, required: true, problems: &problems) {
            metadataBytes = bytes
            do { core = try CoreMetadata(parsing: bytes, origin: "\(dirName)/METADATA") } catch { problems.append(error.message) }
        }

        var wheel: WheelMetadata?
        if let bytes = readMember("WHEEL", in: distInfoPath, limit: Limits.wheelBytes, required: false, problems: &problems) {
            do { wheel = try WheelMetadata(parsing: bytes, origin: "\(dirName)/WHEEL") } catch { problems.append(error.message) }
        }

        var record: Record?
        if let bytes = readMember("RECORD", in: distInfoPath, limit: Limits.recordBytes, required: true, problems: &problems) {
            do { record = try Record(parsing: bytes, origin: "\(dirName)/RECORD") } catch { problems.append(error.message) }
        }

        var installer: String?
        if let bytes = readMember("INSTALLER", in: distInfoPath, limit: Limits.installerBytes, required: false, problems: &problems) {
            if let text = String(validating: bytes, as: UTF8.self) {
                installer = text.trimmedOfASCIIWhitespace()
            } else {
                problems.append("\(dirName)/INSTALLER: not valid UTF-8")
            }
        }

        let fallback = nameAndVersion(fromDirectoryName: dirName)
        let rawVersion = core?.rawVersion ?? fallback.version
        var loaded = InstalledDistribution(
            name: core?.name ?? ProjectName(fallback.name),
            version: PythonVersion(rawVersion),
            rawVersion: rawVersion,
            distInfoPath: distInfoPath,
            root: root,
            coreMetadata: core,
            wheelMetadata: wheel,
            installedRecord: record,
            installer: installer,
            coreMetadataBytes: metadataBytes,
            problems: problems)
        // Saturating: the sizes are the environment's to write, each up to 18 digits, and a sum
        // past Int64 would trap (a crash, not a finding); the weight only orders the work.
        loaded.recordedWeight =
            record?.entries.reduce(Int64(0)) { total, entry in
                let (sum, overflow) = total.addingReportingOverflow(min(max(0, entry.size ?? 0), Int64.max - 4096) + 4096)
                return overflow ? Int64.max : sum
            } ?? 0
        loaded.unreadableMembers = unreadable
        return loaded
    }

    /// This distribution without its parsed installed RECORD, which a whole-environment run would
    /// otherwise hold for tens of thousands of files; ``installedRecordPaths()`` then reads
    /// the RECORD again when it is needed (it is only ever a hint of what the installer wrote).
    public func releasingInstalledRecord() -> InstalledDistribution {
        guard installedRecord != nil else { return self }
        var released = InstalledDistribution(
            name: name, version: version, rawVersion: rawVersion, distInfoPath: distInfoPath, root: root,
            coreMetadata: coreMetadata, wheelMetadata: wheelMetadata, installedRecord: nil,
            installer: installer, coreMetadataBytes: coreMetadataBytes, problems: problems)
        released.recordReleased = true
        released.recordedWeight = recordedWeight
        released.unreadableMembers = unreadableMembers
        return released
    }

    /// The paths the installed RECORD lists: those of the parsed RECORD when held, else (after
    /// ``releasingInstalledRecord()``) `RECORD` read again with the same cap, its paths checked
    /// as at load but its hashes not decoded; empty when it is missing or malformed.
    public func installedRecordPaths() -> [String] {
        if let installedRecord { return installedRecord.entries.map(\.path) }
        guard recordReleased else { return [] }
        var ignored: [String] = []
        let dirName = (distInfoPath as NSString).lastPathComponent
        guard
            let bytes = Self.readMember(
                "RECORD", in: distInfoPath, limit: Limits.recordBytes, required: true,
                problems: &ignored),
            let paths = try? Record.listedPaths(parsing: bytes, origin: "\(dirName)/RECORD")
        else { return [] }
        return paths
    }

    /// Splits `<name>-<version>.dist-info` at the first `-` (dist-info names escape `-` in both parts).
    static func nameAndVersion(fromDirectoryName dirName: String) -> (name: String, version: String) {
        let stem = dirName.hasSuffix(".dist-info") ? String(dirName.dropLast(".dist-info".count)) : dirName
        guard let dash = stem.firstIndex(of: "-") else { return (stem, "") }
        return (String(stem[..<dash]), String(stem[stem.index(after: dash)...]))
    }

    /// Reads `<dir>/<member>` up to `limit` bytes; nil (with a problem line) when it can't.
    private static func readMember(
        _ member: String, in dir: String, limit: Int, required: Bool,
        problems: inout [String]
    ) -> [UInt8]? {
        let dirName = (dir as NSString).lastPathComponent
        let path = (dir as NSString).appendingPathComponent(member)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            if required { problems.append("\(dirName)/\(member): missing") }
            return nil
        }
        guard !isDirectory.boolValue else {
            problems.append("\(dirName)/\(member): is a directory")
            return nil
        }
        // Non-blocking and regular files only: a FIFO planted here would block a plain open
        // forever, a link to a device would never end.
        do {
            return try BoundedFile.read(path, cap: limit)
        } catch {
            if error.code == .limitExceeded {
                problems.append("\(dirName)/\(member): larger than \(limit) bytes")
            } else {
                problems.append("\(dirName)/\(member): cannot read: \(error.message)")
            }
            return nil
        }
    }
}
