import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What an attacker who controls the files of a scenario's environment does to it: write, replace,
/// link, append to installed RECORDs, plant fake `.dist-info` directories, and make names that are
/// not UTF-8. Test support for the adversarial suites (docs/THREAT-MODEL.md, "site-packages").
extension Scenario {
    var site: String { sitePackages }

    /// Writes `text` at `relative` below site-packages, making the directories on the way.
    func plant(_ relative: String, _ text: String = "raise SystemExit('attacker code ran')\n") throws {
        let path = site + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// Flips one byte in the middle of an installed file (absolute path).
    func tamper(_ path: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    /// The `.dist-info` directory of an installed project (by its directory name's prefix).
    func distInfo(_ prefix: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: site)
        guard let name = names.first(where: { $0.hasPrefix(prefix) && $0.hasSuffix(".dist-info") }) else {
            throw CocoaError(.fileNoSuchFile)
        }
        return site + "/" + name
    }

    /// Appends rows to an installed distribution's RECORD.
    func appendToInstalledRecord(of prefix: String, _ rows: String) throws {
        let path = try distInfo(prefix) + "/RECORD"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(rows.utf8))
        try handle.close()
    }

    /// Rewrites an installed distribution's RECORD with `edit`.
    func editInstalledRecord(of prefix: String, _ edit: (String) -> String) throws {
        let path = try distInfo(prefix) + "/RECORD"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A `.dist-info` of a distribution that is on no index, whose RECORD claims `paths`.
    func plantFakeDistribution(_ name: String, version: String = "1.0", claiming paths: [String]) throws {
        let directory = "\(site)/\(name)-\(version).dist-info"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\n\n".write(
            toFile: directory + "/METADATA", atomically: true, encoding: .utf8)
        try "pip\n".write(toFile: directory + "/INSTALLER", atomically: true, encoding: .utf8)
        let rows = paths.map { "\($0),," } + ["\(name)-\(version).dist-info/METADATA,,", "\(name)-\(version).dist-info/RECORD,,"]
        try (rows.joined(separator: "\n") + "\n").write(toFile: directory + "/RECORD", atomically: true, encoding: .utf8)
    }

    /// Makes a directory whose last component is the raw bytes `name` (not necessarily UTF-8)
    /// below `parent` (absolute), with a file `file` inside.
    func makeRawDirectory(in parent: String, name: [UInt8], file: String, contents: String) throws {
        let directory = Array(parent.utf8) + [UInt8(ascii: "/")] + name
        guard Self.withCPath(directory, { mkdir($0, 0o755) }) == 0 else { throw POSIXError(.EIO) }
        let fd = Self.withCPath(directory + [UInt8(ascii: "/")] + Array(file.utf8)) { open($0, O_WRONLY | O_CREAT, 0o644) }
        guard fd >= 0 else { throw POSIXError(.EIO) }
        _ = Array(contents.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func withCPath<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    /// Runs `wheeltrust verify ARGS --format json` and decodes the report.
    func verifyJSON(_ arguments: [String]) async throws -> ReportJSON {
        try ReportJSON(try await wheeltrust(["verify"] + arguments + ["--format", "json"]))
    }
}
