import Foundation
import PackageIndex
import PythonPackaging
import Verification

/// Finds an sdist on the index and anchors it, with the steps `verify` runs on a wheel: the file
/// located, downloaded into the content-addressed cache, its sha256 compared with the one the
/// index publishes, and its own provenance fetched and verified when the index has one.
///
/// Guarantees: the returned source's `path` is the cache entry whose bytes were hashed; a digest
/// that differs from the index's, an index that publishes none, or a provenance that exists but
/// does not verify is `.sourceRejected` naming the check (`index-hash`, `provenance`, `signature`,
/// ...) and what it found; only an index that answers "no provenance" lets the build go on
/// anchored by the digest alone (and the provenance says so).
public enum SourceLocator {
    public static func locate(_ request: ReleaseRequest, pipeline: Pipeline) async throws(BuildError) -> SourceDistribution {
        guard let version = request.version else {
            throw BuildError(.usage, "\(request.name.raw): name the version to build (NAME==VERSION)")
        }
        let located = await pipeline.locate(request, tags: [], allFiles: true)
        let sdists = located.compactMap { entry -> IndexFile? in
            guard let file = entry.file, let name = try? SdistFilename(parsing: file.filename), name.extension == "tar.gz" else {
                return nil
            }
            return file
        }
        guard let file = sdists.first else {
            if let failed = located.first?.report.checks.first(where: { $0.status != .pass }) {
                throw BuildError(failed.status == .error ? .operational : .sourceRejected, "\(failed.name.rawValue): \(failed.detail)")
            }
            throw BuildError(.sourceRejected, "index-file: \(request.name.raw) \(version) has no .tar.gz sdist on the index")
        }
        let fetched: FetchedWheel
        switch await pipeline.fetchWheel(file) {
        case .failed(let checks):
            let check = checks.first { $0.status != .pass }
            throw BuildError(.operational, "\(check?.name.rawValue ?? "download"): \(check?.detail ?? "the sdist could not be downloaded")")
        case .fetched(let wheel):
            fetched = wheel
        }
        if let hash = fetched.checks.first(where: { $0.name == .indexHash }), hash.status != .pass {
            throw BuildError(.sourceRejected, "index-hash: \(hash.detail); the sdist is not built")
        }
        let outcome = await pipeline.provenanceWithDocument(for: fetched, project: request.name, version: version.description)
        let index = file.servedBy?.absoluteString ?? "the index"
        let anchor: SourceDistribution.Anchor
        if outcome.checks.count == 1, outcome.checks[0].isNoProvenanceOnIndex {
            anchor = .indexDigest(indexURL: index)
        } else if outcome.isVerified, let signer = outcome.signer {
            anchor = .verifiedProvenance(indexURL: index, signer: signer.summary)
        } else {
            let failed = outcome.checks.first { $0.status == .fail } ?? outcome.checks.first { $0.status != .pass }
            throw BuildError(
                failed?.status == .error ? .operational : .sourceRejected,
                "\(failed?.name.rawValue ?? "provenance"): \(failed?.detail ?? "the sdist's provenance did not verify"); the sdist is not built"
            )
        }
        let filename: SdistFilename
        do {
            filename = try SdistFilename(parsing: file.filename)
        } catch {
            throw BuildError(.sourceRejected, "index-file: \(error.message)")
        }
        return SourceDistribution(
            path: fetched.path, filename: filename, sha256: fetched.sha256, uri: file.url.removingUserInfo.absoluteString,
            anchor: anchor)
    }
}

extension SourceLocator {
    /// The sdist a command line names: `NAME==VERSION` on the index `setup` describes (pip's
    /// configuration, or its `indexURL`; its trust rules verify the sdist's own provenance), else
    /// a local `.tar.gz` file (no anchor).
    public static func resolve(_ argument: String, setup: VerificationSetup) async throws(BuildError) -> SourceDistribution {
        guard argument.contains("==") else { return try SourceDistribution.local(path: argument) }
        guard let request = ReleaseRequest(argument) else {
            throw BuildError(.usage, "\(argument) is neither an sdist file nor NAME==VERSION")
        }
        return try await locate(request, pipeline: await pipeline(setup))
    }

    /// The verification pipeline over the index `setup` describes (pip's configuration, or its
    /// `indexURL`), with its trust rules for the sdists' own provenance.
    public static func pipeline(_ setup: VerificationSetup) async throws(BuildError) -> Pipeline {
        let context: VerificationContext
        do {
            // The interpreter's own default index is read only when nothing names an index; an
            // environment that cannot be inspected then simply has none to offer.
            var environment: PythonEnvironment?
            if setup.indexURL == nil { environment = try? await setup.inspectEnvironment() }
            let configuration = try setup.indexConfiguration(for: environment)
            context = try setup.context(configuration: configuration)
        } catch {
            throw BuildError(setupProblem: .verification(error))
        }
        return Pipeline(context: context)
    }
}
