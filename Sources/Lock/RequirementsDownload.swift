import Foundation
import PythonPackaging

/// `install -r requirements.txt`: the requirements resolved by the environment's own pip, which
/// downloads the files it chose into a private folder; nothing is installed or built here.
///
/// Why `pip download` and not `pip lock`: `pip lock` exists only from pip 25.1 on, while
/// `pip download` is in every pip an environment may hold, and both resolve alike (the same
/// resolver, the same index settings). Guarantees: the file is first checked by
/// ``RequirementsFileCheck`` (named requirements only: nothing in it can make pip run a build
/// backend); pip then runs as a child process (`<python> -m pip download --only-binary :all:`: no
/// sdist is taken, so no build backend runs before verification; a requirement with no suitable
/// wheel fails resolution with pip's own message) in an empty private folder (mode 0700) that it
/// downloads into; its environment is the caller's without `PYTHON*` variables and without the
/// `PIP_*` variables that add requirements, constraints or sdists (``ignoredPipVariables``),
/// so pip's own configuration (index, credentials, certificates) applies, and
/// `indexURL`, when given, is passed as `PIP_INDEX_URL` (never on the command line, where other
/// users could read credentials). pip's output is never shown except the error lines of a
/// failure, as untrusted text. The files are those ``WheelhouseVerifier/files(in:)`` lists.
public enum RequirementsDownload {
    /// pip settings from the environment that would add requirements or constraints the check did
    /// not see (pip reads `PIP_REQUIREMENT` as one more `-r`), or take sdists: left out of pip's
    /// environment.
    static let ignoredPipVariables: Set<String> = ["PIP_NO_BINARY", "PIP_REQUIREMENT", "PIP_CONSTRAINT"]

    /// Downloads what `requirements` resolves to; the private folder and the files in it.
    public static func download(
        requirements: String, python: String, indexURL: String?, environment: [String: String],
        timeoutSeconds: Int = 3600
    ) async throws(LockError) -> (folder: String, files: [String]) {
        _ = try RequirementsFileCheck.check(requirements)
        let absolute = URL(fileURLWithPath: requirements).standardizedFileURL.path
        let folder = try VerifiedInstall.privateFolder("wheeltrust-download", purpose: "a download folder")
        var child = environment.filter { !$0.key.hasPrefix("PYTHON") && !ignoredPipVariables.contains($0.key) }
        if let indexURL { child["PIP_INDEX_URL"] = indexURL }
        let arguments = [
            "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-input", "--only-binary", ":all:",
            "--dest", folder, "--requirement", absolute,
        ]
        let output: InterpreterProcess.Output
        do {
            output = try await InterpreterProcess.run(
                python, arguments: arguments, environment: child, currentDirectory: folder, timeoutSeconds: timeoutSeconds,
                maxOutputBytes: 4 << 20)
        } catch {
            VerifiedInstall.remove(folder)
            throw LockError(.operational, "cannot run the environment's pip: \(error.message)")
        }
        guard output.status == 0 else {
            VerifiedInstall.remove(folder)
            let said = ChildOutput.errorLines(output.stderr)
            if said.contains("No module named pip") {
                throw LockError(.notApplicable, "the environment has no pip to resolve \(requirements) with (\(said))")
            }
            throw LockError(
                .operational,
                "pip download of \(requirements) failed (exit \(output.status); wheels only, so nothing is built before it verified): \(said)"
            )
        }
        let files: [String]
        do {
            files = try WheelhouseVerifier.files(in: [folder])
        } catch {
            VerifiedInstall.remove(folder)
            throw error
        }
        return (folder, files)
    }
}

/// What a child process (pip, uv) said when it failed, in one line for a message.
enum ChildOutput {
    /// Its `ERROR:`/`error:` lines (else its last line), joined, at most 600 characters; still
    /// untrusted text, escaped wherever it is shown.
    static func errorLines(_ stderr: [UInt8]) -> String {
        let lines = String(decoding: stderr.suffix(16 << 10), as: UTF8.self).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let errors = lines.filter { $0.lowercased().hasPrefix("error") }
        let chosen = errors.isEmpty ? Array(lines.suffix(1)) : errors
        let text = chosen.joined(separator: " / ")
        return text.count > 600 ? String(text.prefix(600)) + "…" : text
    }
}
