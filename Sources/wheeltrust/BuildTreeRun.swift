import ArgumentParser
import Attestations
import Building
import Foundation
import PackageIndex
import PythonPackaging
import Verification

/// `wheeltrust build -r FILE --find-links DIR --out OUT`: a whole tree (``TreeBuilder``), one line
/// per package, the graph in OUT/build-graph.json; exit 0 only when every package of the tree was
/// built, done, prebuilt (or not selected by --only) and nothing was left unresolved.
extension BuildCommand {
    func runTree(signer: PrivateKey, upload destination: UploadDestination?) async throws {
        guard let requirementsFile else { throw fail("-r needs a requirements file", code: Exit.usage) }
        // Sdists come from --find-links; from the index (--index-url, else pip's configuration) too when
        // --index-url is given, and from the index alone without --find-links.
        var index: Pipeline?
        if indexURL != nil || findLinks == nil {
            var setup = VerificationSetup(indexURL: indexURL, keyFiles: sourceKeys, cacheDirectory: cacheDir)
            setup.indexURLOrigin = FlagNames.indexURLOrigin
            setup.python = python.contains("/") ? python : nil
            do {
                index = try await SourceLocator.pipeline(setup)
            } catch {
                throw fail("\(FlagNames.message(error))", code: Self.exitCode(error.code))
            }
        }
        var request = TreeBuildRequest(
            requirementsFile: requirementsFile, sourceFolder: findLinks, index: index, outputDirectory: out,
            allowPrebuilt: allowPrebuilt, only: only, builderID: builderID, python: python, signer: signer,
            timeoutSeconds: buildTimeout)
        request.planOnly = plan
        let isolation = await NetworkIsolation.probe()
        if !isolation.isIsolated { emitError("wheeltrust: warning: \(isolation.summary)\n") }
        let result: TreeBuilder.Result
        do {
            result = try await TreeBuilder.build(request)
        } catch {
            throw fail("\(FlagNames.message(error))", code: Self.exitCode(error.code))
        }
        // The wheels of this run's builds (and of resumed ones): each job of a CI fan-out publishes its own.
        let uploads = await uploadBuilt(
            result.outcomes.filter { $0.state == .built || $0.state == .done }.compactMap(\.wheel), to: destination)
        let prebuilt = Set(allowPrebuilt.map { ProjectName($0).normalized })
        let problems = result.resolution.problems.filter { !prebuilt.contains(ProjectName($0.name).normalized) }
        switch format {
        case .json:
            guard let data = FileManager.default.contents(atPath: result.graphPath) else {
                throw fail("cannot read \(result.graphPath)", code: Exit.incomplete)
            }
            if uploads.isEmpty {
                emitJSON(data)
            } else {
                let graph = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
                var document = graph
                document["uploads"] = uploads.map(Self.uploadJSON)
                guard let combined = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else {
                    throw fail("cannot encode the result", code: Exit.incomplete)
                }
                emitJSON(combined)
            }
        default:
            emit("build order: \(result.graph.order.joined(separator: ", "))\n")
            for outcome in result.outcomes {
                emit("  \(outcome.state.rawValue) \(outcome.name): \(FlagNames.detail(outcome, plan: plan))\n")
            }
            for problem in problems { emit("  unresolved \(problem.name): \(problem.problem)\n") }
            emit("graph \(result.graphPath)\n")
            emitUploads(uploads)
        }
        try exitAfter(uploads)
        let good: Set<TreePackageOutcome.State> = [.built, .done, .prebuilt, .skipped]
        if !problems.isEmpty || !result.outcomes.allSatisfy({ good.contains($0.state) }) { throw ExitCode(Exit.failed) }
    }
}
