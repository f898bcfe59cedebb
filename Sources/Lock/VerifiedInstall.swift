import Foundation
import PackageIndex
import PythonPackaging
import Verification

/// `install`: installs exactly the files a verification verified, and nothing else.
///
/// Guarantees: only reports that are `verified` are staged, and only when every report is (one
/// failure installs nothing); each verified file is copied from where it verified (the
/// content-addressed cache, or the private folder a requirements file was downloaded into) into a
/// fresh private folder (mode 0700, created here) under its index file name, and the COPY is
/// hashed: it must equal the sha256 that verified, so a file changed after verification is caught
/// and nothing is installed; the installer is then given those copies by path, with
/// `--no-index --no-deps` (it can fetch nothing else and resolves nothing). An sdist is staged
/// only when building was allowed and its report holds a passing `sdist-build` check
/// (``SdistBuildGate``); it is then built by the installer from the staged copy with
/// `--no-build-isolation` (its build requirements are the environment's, never fetched).
public enum VerifiedInstall {
    /// Which installer installs the staged files.
    public enum Installer: Sendable, Equatable {
        /// `<python> -m pip install --no-index --no-deps <files>` (the environment's own pip).
        case pip
        /// `<uv> pip install --python <python> --no-index --no-deps <files>`.
        case uv(String)
    }

    /// Copies the verified files out of the cache into a new private folder; returns the folder and the copies.
    public static func stage(
        _ reports: [PackageReport], cache: ContentCache, buildSdists: Bool = false
    ) throws(LockError) -> (folder: String, files: [String]) {
        try stage(reports, buildSdists: buildSdists) { cachedCopy(of: $0, in: cache) }
    }

    /// Where the file a report verified lies in the content cache ("" when the report has no
    /// valid digest: copying it then fails and nothing is installed).
    public static func cachedCopy(of report: PackageReport, in cache: ContentCache) -> String {
        report.sha256.flatMap { SHA256Hex(normalizing: $0) }.map { cache.path(sha256Hex: $0) } ?? ""
    }

    /// Copies the verified files from where `source` says each verified into a new private
    /// folder; returns the folder and the copies.
    public static func stage(
        _ reports: [PackageReport], buildSdists: Bool = false, source: (PackageReport) -> String
    ) throws(LockError) -> (folder: String, files: [String]) {
        if let failed = reports.first(where: { $0.status != .verified }) {
            throw LockError(.operational, "\(failed.name) did not verify; nothing is installed")
        }
        var wanted: [(filename: String, sha256: String, source: String)] = []
        for report in reports {
            guard let filename = report.wheel, let sha256 = report.sha256 else {
                throw LockError(.operational, "\(report.name) has no verified file; nothing is installed")
            }
            if (try? WheelFilename(parsing: filename)) == nil {
                let allowed = report.checks.contains { $0.name == .sdistBuild && $0.status == .pass }
                guard buildSdists, allowed else {
                    throw LockError(
                        .notApplicable,
                        "\(filename) is an sdist and building it (which runs its code) was not allowed; nothing is installed")
                }
            }
            wanted.append((filename, sha256, source(report)))
        }
        let folder = try privateFolder("wheeltrust-install", purpose: "a staging folder")
        var files: [String] = []
        for (filename, sha256, source) in wanted {
            let copy = (folder as NSString).appendingPathComponent(filename)
            do {
                try FileManager.default.copyItem(atPath: source, toPath: copy)
            } catch {
                remove(folder)
                throw LockError(.operational, "cannot copy the verified \(filename) from where it verified")
            }
            let actual: String
            do {
                actual = try FileHashing.digest(ofFileAt: copy, algorithm: .sha256).digest.hex
            } catch {
                remove(folder)
                throw LockError(.operational, "cannot hash the staged \(filename): \(error.message)")
            }
            guard actual == sha256 else {
                remove(folder)
                throw LockError(
                    .operational,
                    "the verified \(filename) changed after it verified (sha256 \(sha256), now \(actual)); nothing is installed")
            }
            files.append(copy)
        }
        return (folder, files)
    }

    /// Runs the installer on the staged copies; its output when it fails. Sdists among them are
    /// built only with `buildSdists`, without build isolation (build requirements are the
    /// environment's: nothing is fetched).
    public static func install(
        _ files: [String], python: String, installer: Installer, environment: [String: String], buildSdists: Bool = false
    ) async throws(LockError) {
        let sdists = files.filter { SdistBuildGate.isSdist(($0 as NSString).lastPathComponent) }
        if !sdists.isEmpty && !buildSdists {
            throw LockError(.notApplicable, "building sdists was not allowed; nothing is installed")
        }
        let executable: String
        var arguments: [String]
        switch installer {
        case .pip:
            executable = python
            arguments = ["-m", "pip", "install", "--no-index", "--no-deps", "--disable-pip-version-check", "--no-input"]
        case .uv(let uv):
            executable = uv
            arguments = ["pip", "install", "--python", python, "--no-index", "--no-deps", "--offline"]
        }
        if !sdists.isEmpty { arguments.append("--no-build-isolation") }
        arguments += files
        var childEnvironment: [String: String] = [:]
        for name in ["HOME", "PATH", "TMPDIR", "UV_CACHE_DIR", "XDG_CACHE_HOME"] { childEnvironment[name] = environment[name] }
        let output: InterpreterProcess.Output
        do {
            output = try await InterpreterProcess.run(
                executable, arguments: arguments, environment: childEnvironment, timeoutSeconds: 600, maxOutputBytes: 4 << 20)
        } catch {
            throw LockError(.operational, "cannot run the installer: \(error.message)")
        }
        guard output.status == 0 else {
            throw LockError(.operational, "the installer failed (exit \(output.status)): \(ChildOutput.errorLines(output.stderr))")
        }
    }

    /// A new folder only this user can enter (mode 0700), created here under the temporary
    /// directory with a random name (never one that existed: creation fails if it does).
    static func privateFolder(_ prefix: String, purpose: String) throws(LockError) -> String {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LockError(.operational, "cannot create \(purpose) in \(NSTemporaryDirectory())")
        }
        return folder
    }

    public static func remove(_ folder: String) {
        try? FileManager.default.removeItem(atPath: folder)
    }
}
