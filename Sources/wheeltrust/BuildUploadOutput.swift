import ArgumentParser
import Building
import Foundation
import PackageIndex

/// `build --upload URL`: where the wheels go (resolved before anything is built, so a missing
/// token fails at once), and how each upload's outcome is shown and turned into the exit code:
/// 1 when the index refused a wheel, 3 when one could not be sent.
extension BuildCommand {
    func uploadDestination() throws -> UploadDestination? {
        guard let upload else { return nil }
        let environment = ProcessInfo.processInfo.environment
        do {
            return try UploadDestination.resolve(
                upload, tokenVariable: uploadTokenEnv, environment: environment, homeDirectory: environment["HOME"] ?? NSHomeDirectory())
        } catch {
            throw fail("--upload: \(error.message)", code: Exit.usage)
        }
    }

    func uploadBuilt(_ wheels: [String], to destination: UploadDestination?) async -> [BuildUpload.Outcome] {
        guard let destination else { return [] }
        return await BuildUpload.upload(wheels, to: destination, certificateBundle: uploadCert)
    }

    static func uploadJSON(_ outcome: BuildUpload.Outcome) -> [String: Any] {
        var object: [String: Any] = ["wheel": outcome.wheel, "uploaded": outcome.uploaded]
        if let failure = outcome.failure { object["error"] = ["code": failure.code.rawValue, "message": failure.message] }
        return object
    }

    func emitUploads(_ outcomes: [BuildUpload.Outcome]) {
        for outcome in outcomes {
            if let failure = outcome.failure {
                emit("upload failed \((outcome.wheel as NSString).lastPathComponent): \(failure.code.rawValue): \(failure.message)\n")
            } else {
                emit("uploaded \((outcome.wheel as NSString).lastPathComponent) to \(URLMasking.redact(upload ?? ""))\n")
            }
        }
    }

    func exitAfter(_ outcomes: [BuildUpload.Outcome]) throws {
        let failures = outcomes.compactMap(\.failure)
        guard !failures.isEmpty else { return }
        for failure in failures { emitError("wheeltrust: error: \(failure.code.rawValue): \(failure.message)\n") }
        throw ExitCode(failures.contains { $0.code == .refused || $0.code == .authentication } ? Exit.failed : Exit.incomplete)
    }
}
