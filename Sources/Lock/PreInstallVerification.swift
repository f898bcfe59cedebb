import Foundation
import PackageIndex
import PythonPackaging
import Verification

/// Verifies the files an install would take, before anything is installed: every applicable file
/// of a PEP 751 lock (``LockVerifier``), files a user holds (``WheelhouseVerifier``), or what a
/// requirements file resolves to (``RequirementsDownload``, then as files held).
///
/// Guarantees: the interpreter is inspected (never run for anything else) before any file is
/// fetched; every index is set up before the first file, so a bad setting stops the run
/// (`.setup`) before anything is fetched; the returned ``Report`` names the interpreter, the
/// default index (credentials removed) and the policy that judged. Tamper findings are failed
/// checks in that report, never thrown; thrown ``LockError``s are operational or configuration
/// failures (a verification setup failure keeps its cause in `verificationProblem`).
public struct PreInstallVerification: Sendable {
    public var setup: VerificationSetup
    /// Packages (files) worked on at once.
    public var jobs: Int = 4
    /// Also read every wheel's members against its RECORD (`wheel-contents`).
    public var checkWheelContents = false
    /// Called as each file finishes; for progress lines only.
    public var progress: (@Sendable (FileProgress) -> Void)?

    public init(setup: VerificationSetup) {
        self.setup = setup
    }

    /// Every file `lockFile` would install on the interpreter, for the entries `selection`
    /// chooses; the parsed lock too (``LockIdentityRecording`` edits it).
    public func lock(
        _ lockFile: String, selection: LockSelection.Request = LockSelection.Request()
    ) async throws(LockError) -> (lock: PylockFile, report: Report) {
        let lock = try PylockParser.read(lockFile)
        let python = try await inspect()
        let (pipelines, configuration) = try Self.verifying { () throws(VerificationError) in
            try IndexPipelines.make(setup: setup, python: python, indexes: LockVerifier.indexes(of: lock))
        }
        var verifier = LockVerifier(pipelines: pipelines, facts: python.tagFacts)
        verifier.jobs = jobs
        verifier.checkWheelContents = checkWheelContents
        verifier.request = selection
        verifier.progress = progress
        let reports = try await verifier.verify(lock)
        return (lock, Self.report(reports, python: python, index: configuration, policy: pipelines.defaultPipeline))
    }

    /// The distribution files in `paths` (files, or folders holding them), each located on the
    /// default index by name and sha256 and its provenance verified for the local bytes. No
    /// distribution file among them is a `.notApplicable` error.
    public func files(in paths: [String]) async throws(LockError) -> Report {
        let files = try WheelhouseVerifier.files(in: paths)
        if files.isEmpty { throw LockError(.notApplicable, "no .whl, .tar.gz or .zip files in \(paths.joined(separator: ", "))") }
        return try await self.files(files, python: try await inspect())
    }

    /// What `requirements` resolves to, downloaded by the environment's own pip (wheels only)
    /// into a new private folder, each file then verified as ``files(in:)`` does. The caller
    /// removes `folder` (``VerifiedInstall/remove(_:)``) when done; on a throw nothing is left.
    public func requirements(_ requirements: String) async throws(LockError) -> (report: Report, folder: String) {
        let python = try await inspect()
        let (folder, files) = try await RequirementsDownload.download(
            requirements: requirements, python: python.executable, indexURL: setup.indexURL, environment: setup.environment)
        do throws(LockError) {
            guard !files.isEmpty else {
                throw LockError(.notApplicable, "\(requirements) resolves to no files: nothing to install")
            }
            return (try await self.files(files, python: python), folder)
        } catch {
            VerifiedInstall.remove(folder)
            throw error
        }
    }

    /// `files` verified against the default index of `python`'s configuration.
    func files(_ files: [String], python: PythonEnvironment) async throws(LockError) -> Report {
        let (pipelines, configuration) = try Self.verifying { () throws(VerificationError) in
            try IndexPipelines.make(setup: setup, python: python, indexes: [])
        }
        var verifier = WheelhouseVerifier(pipeline: pipelines.defaultPipeline)
        verifier.jobs = jobs
        verifier.checkWheelContents = checkWheelContents
        verifier.progress = progress
        let reports = await verifier.verify(files)
        return Self.report(reports, python: python, index: configuration, policy: pipelines.defaultPipeline)
    }

    func inspect() async throws(LockError) -> PythonEnvironment {
        let setup = self.setup
        return try await Self.verifying { () async throws(VerificationError) in try await setup.inspectEnvironment() }
    }

    static func report(_ packages: [PackageReport], python: PythonEnvironment, index: IndexConfiguration, policy: Pipeline) -> Report {
        var report = Report(python: python.executable, index: index.indexURL.redacted, packages: packages)
        report.interpreter = python.trustedInterpreter
        report.policy = policy.context.policy?.summary
        return report
    }

    /// Runs a step of the verification setup, keeping its error as the cause.
    static func verifying<T>(_ body: () throws(VerificationError) -> T) throws(LockError) -> T {
        do { return try body() } catch { throw LockError(verification: error) }
    }

    static func verifying<T>(_ body: () async throws(VerificationError) -> T) async throws(LockError) -> T {
        do { return try await body() } catch { throw LockError(verification: error) }
    }
}
