import Foundation
import PackageIndex
import PythonPackaging
import Verification

/// `verify-files`: wheels and sdists a user holds (a wheelhouse from `pip download` or
/// `pip wheel`), each proven to be a file the index publishes and verified against its provenance.
///
/// Guarantees: each path is a distribution file or a folder whose regular files ending in `.whl`,
/// `.tar.gz` or `.zip` are taken (not recursively; a symbolic link is not followed); each file is
/// hashed once, locally, and everything after is checked against those local bytes: `index-file`
/// (the index lists a file of exactly this name in its release), `index-hash` (the index's
/// sha256 for it equals the local bytes'), then the provenance of that index file verified for
/// the local sha256, and a wheel's members against its RECORD. A file whose name is not a
/// distribution's gets a failed `index-file` check, never silence.
public struct WheelhouseVerifier: Sendable {
    public let pipeline: Pipeline
    /// Files worked on at once (reports stay in the order of the paths).
    public var jobs: Int = 4
    /// Whether a wheel's members are read against its RECORD (as ``LockVerifier/checkWheelContents``).
    public var checkWheelContents = false
    /// Called as each file finishes.
    public var progress: (@Sendable (FileProgress) -> Void)?

    public init(pipeline: Pipeline) {
        self.pipeline = pipeline
    }

    /// The files the paths name, sorted; a path that is neither a file nor a folder is a usage error.
    public static func files(in paths: [String]) throws(LockError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw LockError(.malformed, "no such file or folder: \(path)")
            }
            if isDirectory.boolValue {
                let names: [String]
                do {
                    names = try FileManager.default.contentsOfDirectory(atPath: path)
                } catch {
                    throw LockError(.malformed, "cannot list the folder \(path)")
                }
                for name in names.sorted() where name.hasSuffix(".whl") || name.hasSuffix(".tar.gz") || name.hasSuffix(".zip") {
                    let full = (path as NSString).appendingPathComponent(name)
                    let attributes = try? FileManager.default.attributesOfItem(atPath: full)
                    guard attributes?[.type] as? FileAttributeType == .typeRegular else { continue }
                    files.append(full)
                }
            } else {
                files.append(path)
            }
        }
        return files
    }

    public func verify(_ paths: [String]) async -> [PackageReport] {
        let counter = ProgressCounter()
        let progress = self.progress
        return await orderedConcurrentMap(count: paths.count, jobs: jobs) { [self] index in
            let report = await verify(paths[index])
            progress?(counter.finished(report.name, size: ProgressCounter.size(of: paths[index]), total: paths.count))
            return report
        }
    }

    public func verify(_ path: String) async -> PackageReport {
        let filename = (path as NSString).lastPathComponent
        guard let parsed = try? DistributionFilename(parsing: filename) else {
            return PackageReport(
                name: filename, version: "", wheel: filename,
                checks: [CheckResult(.indexFile, .fail, "\(filename) is not a wheel or sdist file name")])
        }
        var report = PackageReport(name: parsed.name.raw, version: parsed.version.description, wheel: filename)
        let sha256: SHA256Hex
        do {
            sha256 = try SHA256Hex(FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest)
        } catch {
            report.checks.append(CheckResult(.download, .error, "cannot read \(path): \(error.message)"))
            return report
        }
        report.sha256 = sha256.text
        let located = await FileLocation.find(filename, project: parsed.name, version: parsed.version, on: pipeline)
        report.checks.append(located.check)
        guard let file = located.file else { return report }
        let download = CheckResult(.download, .pass, "\(filename) sha256 \(sha256) (local file)")
        let indexHash = IndexHashComparison.check(published: file.sha256, actual: sha256)
        report.checks.append(contentsOf: [download, indexHash])
        let local = FetchedWheel.local(file: file, path: path, sha256: sha256, checks: [download, indexHash])
        return await FileLocation.provenanceAndContents(
            of: local, project: parsed.name, version: parsed.version.description, identities: nil,
            checkContents: checkWheelContents, on: pipeline, into: report)
    }
}

/// The index's sha256 for a file against the local bytes' (`index-hash`).
enum IndexHashComparison {
    static func check(published: SHA256Hex?, actual: SHA256Hex) -> CheckResult {
        guard let published else {
            // Without the index's digest the local file cannot be tied to the file it serves.
            return CheckResult(.indexHash, .fail, "the index publishes no sha256 for this file; the local file cannot be tied to it")
        }
        if published == actual { return CheckResult(.indexHash, .pass, "the local file matches the index's sha256") }
        return CheckResult(.indexHash, .fail, "the index publishes sha256 \(published) but the local file is \(actual)")
    }
}
