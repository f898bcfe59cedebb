import Foundation
import PackageIndex
import PythonPackaging
import Verification

/// A tree's sdists taken from an index: the tree resolver runs against the sdists already in the
/// folders and the versions the index lists; each version it chooses is fetched as
/// `build NAME==VERSION` fetches one (``SourceLocator``: downloaded into the cache, its sha256
/// equal to the index's, its own provenance verified when the index has one) and copied into the
/// fetch folder for the resolver to read; then it runs again, until the tree is whole.
///
/// Guarantees: no package code runs (the index's pages are read, sdists are read as bytes); every
/// sdist fetched is anchored, and its anchored source is returned for the build to record; a
/// version that fails its checks is a problem naming the check, and its project is offered
/// nothing more — never an older version instead (a tampered release cannot downgrade the tree);
/// yanked files are not offered; a project the index does not have is offered nothing. Each round
/// lists or fetches at least one project, so the loop ends.
public enum TreeIndexSources {
    public struct Result: Sendable {
        public let resolution: TreeResolution
        /// The anchored source of each sdist fetched, by its path in the fetch folder.
        public let sources: [String: SourceDistribution]
    }

    static let maxRounds = 10_000

    public static func resolve(
        requirementsFile: String, folders: [String], fetchInto folder: String, pipeline: Pipeline, python: String,
        environment: [String: String], logPath: String, timeoutSeconds: Int
    ) async throws(BuildError) -> Result {
        let listingPath = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-listing-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: listingPath) }
        var listing: [String: [[String: String]]] = [:]
        var sources: [String: SourceDistribution] = [:]
        var refused: [TreeResolution.Problem] = []
        for _ in 0..<maxRounds {
            do {
                try JSONSerialization.data(withJSONObject: listing, options: [.sortedKeys]).write(to: URL(fileURLWithPath: listingPath))
            } catch {
                throw BuildError(.operational, "cannot write \(listingPath): \(error.localizedDescription)")
            }
            var resolution = try await TreeResolution.resolve(
                requirementsFile: requirementsFile, folders: folders + [folder], listing: listingPath, python: python,
                environment: environment, logPath: logPath, timeoutSeconds: timeoutSeconds)
            if resolution.wanted.isEmpty && resolution.unlisted.isEmpty {
                resolution.problems = refused + resolution.problems
                return Result(resolution: resolution, sources: sources)
            }
            for name in resolution.unlisted {
                listing[name] = try await offered(ProjectName(name), index: pipeline.context.indexForProjects).map { ["version": $0] }
            }
            for wanted in resolution.wanted {
                do throws(BuildError) {
                    guard let request = ReleaseRequest("\(wanted.name)==\(wanted.version)") else {
                        throw BuildError(.sourceRejected, "not a valid release name")
                    }
                    let source = try await SourceLocator.locate(request, pipeline: pipeline)
                    let target = folder + "/" + source.filename.filename
                    try? FileManager.default.removeItem(atPath: target)
                    do {
                        try FileManager.default.copyItem(atPath: source.path, toPath: target)
                    } catch {
                        throw BuildError(.operational, "cannot copy \(source.path) to \(target): \(error.localizedDescription)")
                    }
                    sources[target] = source
                } catch {
                    if error.code == .operational { throw error }
                    // Nothing else of this project is offered: a refused release is not replaced by another.
                    listing[wanted.name] = []
                    refused.append(
                        TreeResolution.Problem(
                            name: wanted.name,
                            problem: "\(wanted.name) \(wanted.version) from the index: \(error.code.rawValue): \(error.message)"))
                }
            }
        }
        throw BuildError(.operational, "resolving \(requirementsFile) against the index did not settle after \(maxRounds) rounds")
    }

    /// The versions of `project`'s `.tar.gz` sdists the index lists, yanked ones left out; none
    /// when the index does not have the project.
    static func offered(_ project: ProjectName, index: IndexClient) async throws(BuildError) -> [String] {
        let page: ProjectPage
        do {
            page = try await index.project(project)
        } catch {
            if error.code == .notFound { return [] }
            throw BuildError(.operational, "listing \(project.normalized) on the index: \(error.message)")
        }
        var versions: [String] = []
        for file in page.files where !file.yanked {
            guard let filename = try? SdistFilename(parsing: file.filename), filename.extension == "tar.gz", filename.name == project
            else { continue }
            if !versions.contains(filename.version.string) { versions.append(filename.version.string) }
        }
        return versions
    }
}
