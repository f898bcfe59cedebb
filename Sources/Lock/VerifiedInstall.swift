import Foundation
import PackageIndex
import PythonPackaging
import Verification

/// `install`: installs exactly the files a verification verified, and nothing else.
///
/// Guarantees: only reports that are `verified` are staged, and only when every report is (one
/// failure installs nothing); each verified file is copied from the content-addressed cache into
/// a fresh private folder (mode 0700, created here) under its index file name, and the COPY is
/// hashed: it must equal the sha256 that verified, so a cache changed after verification is
/// caught and nothing is installed; the installer is then given those copies by path, with
/// `--no-index --no-deps` (it can fetch nothing else and resolves nothing). Sdists are refused
/// (building one runs its code; build them from their verified bytes first).
public enum VerifiedInstall {
    /// Which installer installs the staged files.
    public enum Installer: Sendable, Equatable {
        /// `<python> -m pip install --no-index --no-deps <files>` (the environment's own pip).
        case pip
        /// `<uv> pip install --python <python> --no-index --no-deps <files>`.
        case uv(String)
    }

    /// Copies the verified files into a new private folder; returns the folder and the copies.
    public static func stage(_ reports: [PackageReport], cache: ContentCache) throws(LockError) -> (folder: String, files: [String]) {
        if let failed = reports.first(where: { $0.status != .verified }) {
            throw LockError(.operational, "\(failed.name) did not verify; nothing is installed")
        }
        var wanted: [(filename: String, sha256: String)] = []
        for report in reports {
            guard let filename = report.wheel, let sha256 = report.sha256 else {
                throw LockError(.operational, "\(report.name) has no verified file; nothing is installed")
            }
            guard (try? WheelFilename(parsing: filename)) != nil else {
                throw LockError(
                    .notApplicable,
                    "\(filename) is an sdist: install takes verified wheels only (building an sdist runs its code); nothing is installed")
            }
            wanted.append((filename, sha256))
        }
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("wheeltrust-install-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LockError(.operational, "cannot create a staging folder in \(NSTemporaryDirectory())")
        }
        var files: [String] = []
        for (filename, sha256) in wanted {
            let copy = (folder as NSString).appendingPathComponent(filename)
            guard let key = SHA256Hex(normalizing: sha256) else {
                remove(folder)
                throw LockError(.operational, "the verified sha256 of \(filename) is not 64 hex digits")
            }
            do {
                try FileManager.default.copyItem(atPath: cache.path(sha256Hex: key), toPath: copy)
            } catch {
                remove(folder)
                throw LockError(.operational, "cannot copy the verified \(filename) out of the cache")
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
                    "the cached \(filename) changed after it verified (sha256 \(sha256), now \(actual)); nothing is installed")
            }
            files.append(copy)
        }
        return (folder, files)
    }

    /// Runs the installer on the staged copies; its output when it fails.
    public static func install(
        _ files: [String], python: String, installer: Installer, environment: [String: String]
    ) throws(LockError) {
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
        arguments += files
        var childEnvironment: [String: String] = [:]
        for name in ["HOME", "PATH", "TMPDIR", "UV_CACHE_DIR", "XDG_CACHE_HOME"] { childEnvironment[name] = environment[name] }
        let output: InterpreterProcess.Output
        do {
            output = try InterpreterProcess.run(
                executable, arguments: arguments, environment: childEnvironment, timeoutSeconds: 600, maxOutputBytes: 4 << 20)
        } catch {
            throw LockError(.operational, "cannot run the installer: \(error.message)")
        }
        guard output.status == 0 else {
            let tail =
                String(decoding: output.stderr.suffix(2000), as: UTF8.self)
                .split(separator: "\n").last.map(String.init) ?? ""
            throw LockError(.operational, "the installer failed (exit \(output.status)): \(tail)")
        }
    }

    public static func remove(_ folder: String) {
        try? FileManager.default.removeItem(atPath: folder)
    }
}
