import Attestations
import Foundation
import PythonPackaging
import Verification

/// What `wheeltrust build -r` is asked to do: a requirements file, the folder of its sdists (and
/// of the wheels `allowPrebuilt` names) and/or the index the rest come from, the output folder, the
/// signer; each build as ``BuildRequest``.
public struct TreeBuildRequest: Sendable {
    public var requirementsFile: String
    /// The sdists the tree is built from, and the wheels of `allowPrebuilt` projects.
    public var sourceFolder: String?
    /// The index the sdists not in `sourceFolder` are taken from (``TreeIndexSources``), anchored
    /// as `build NAME==VERSION` anchors one; nil: the folder alone.
    public var index: Pipeline?
    public var outputDirectory: String
    /// Projects whose wheels may come from `sourceFolder` as they are, not built here.
    public var allowPrebuilt: Set<String>
    /// Build only this project of the graph (its build needs must already be in the output folder).
    public var only: String?
    /// Resolve and write the graph; build nothing (the plan a CI fan-out starts from).
    public var planOnly = false
    public var builderID: String
    public var python: String
    public var signer: PrivateKey
    public var timeoutSeconds: Int

    public init(
        requirementsFile: String, sourceFolder: String?, index: Pipeline? = nil, outputDirectory: String, allowPrebuilt: [String],
        only: String?, builderID: String, python: String, signer: PrivateKey, timeoutSeconds: Int
    ) {
        // Absolute: the builds run in other working folders.
        self.requirementsFile = PathResolution.absolute(requirementsFile)
        self.sourceFolder = sourceFolder.map { PathResolution.absolute($0) }
        self.index = index
        self.outputDirectory = PathResolution.absolute(outputDirectory)
        self.allowPrebuilt = Set(allowPrebuilt.map { ProjectName($0).normalized })
        self.only = only.map { ProjectName($0).normalized }
        self.builderID = builderID
        self.python = python
        self.signer = signer
        self.timeoutSeconds = timeoutSeconds
    }
}

/// What happened to one package of the tree.
public struct TreePackageOutcome: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable {
        /// Built and signed in this run.
        case built
        /// Its wheel and attestation were already in the output folder and verified (resumed).
        case done
        /// Allowed prebuilt: its wheel is taken from the source folder, not built.
        case prebuilt
        /// Its build failed (the detail names the stage and the log).
        case failed
        /// On a dependency cycle of build needs.
        case cycle
        /// Waits for a package that failed, is on a cycle, or is missing.
        case blocked
        /// Not built: only a plan was asked for, or another package was the one asked for (the
        /// detail says which: `planned, not built` or `not selected`).
        case skipped
    }
    public var name: String
    public var state: State
    public var detail: String
    public var wheel: String?
}

/// Builds a resolved tree from source in dependency order (``BuildGraph``), each build's
/// requirements taken only from wheels built (or verified as done) in the output folder and the
/// wheels of `--allow-prebuilt` projects (``RequirementSource/findLinks(_:)`` on a folder holding
/// just those).
///
/// Guarantees: a package is built only after every package it needs is `built`, `done` or
/// `prebuilt`; otherwise it is `blocked`, naming what it waits for, and the rest go on; a package
/// is `done` (not rebuilt) only when a wheel of its name and version in the output folder verifies
/// against the build key AND its verified provenance names this sdist's sha256 as its source; the
/// graph and each outcome are written to `build-graph.json` in the output folder.
public enum TreeBuilder {
    public static let graphFilename = "build-graph.json"
    static let wheelhouseFolder = ".build-requirements"
    /// Where sdists taken from the index are put for the resolver (emptied at each start, so a
    /// resumed run fetches and anchors them again).
    public static let fetchedSdistsFolder = "sdists"

    public struct Result: Sendable {
        public let resolution: TreeResolution
        public let graph: BuildGraph
        public let outcomes: [TreePackageOutcome]
        public let graphPath: String
    }

    public static func build(_ request: TreeBuildRequest) async throws(BuildError) -> Result {
        let output = (request.outputDirectory as NSString).standardizingPath
        try FileManager.default.createDirectoryOrFail(output)
        let resolution: TreeResolution
        var sources: [String: SourceDistribution] = [:]
        let environment = ProcessInfo.processInfo.environment
        let folders = request.sourceFolder.map { [$0] } ?? []
        if let index = request.index {
            let fetched = output + "/" + fetchedSdistsFolder
            try? FileManager.default.removeItem(atPath: fetched)
            try FileManager.default.createDirectoryOrFail(fetched)
            let result = try await TreeIndexSources.resolve(
                requirementsFile: request.requirementsFile, folders: folders, fetchInto: fetched, pipeline: index, python: request.python,
                environment: environment, logPath: output + "/resolve.log", timeoutSeconds: request.timeoutSeconds)
            resolution = result.resolution
            sources = result.sources
        } else {
            resolution = try await TreeResolution.resolve(
                requirementsFile: request.requirementsFile, folders: folders, python: request.python, environment: environment,
                logPath: output + "/resolve.log", timeoutSeconds: request.timeoutSeconds)
        }
        let graph = BuildGraph(resolution.packages)
        if let only = request.only, !resolution.packages.contains(where: { $0.name == only }) {
            throw BuildError(setupProblem: .onlyNotInTree(only))
        }
        let wheelhouse = output + "/" + wheelhouseFolder
        try? FileManager.default.removeItem(atPath: wheelhouse)
        try FileManager.default.createDirectoryOrFail(wheelhouse)
        if let folder = request.sourceFolder { try copyPrebuilt(request.allowPrebuilt, from: folder, to: wheelhouse) }
        let byName = Dictionary(resolution.packages.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var outcomes: [String: TreePackageOutcome] = [:]
        for (name, component) in graph.cycles.flatMap({ cycle in cycle.map { ($0, cycle) } }) {
            outcomes[name] = TreePackageOutcome(
                name: name, state: .cycle, detail: "on a cycle of build needs: \(component.joined(separator: " -> "))")
        }
        for (name, waits) in graph.blocked {
            outcomes[name] = TreePackageOutcome(name: name, state: .blocked, detail: "waits for \(waits), which is on a cycle")
        }
        let verifier = ProvenanceVerifier(
            verifiers: [KeySignatureVerifier(trustedKeys: [TrustedKey(name: "build key", key: request.signer.publicKey)])])
        for name in graph.order {
            guard let package = byName[name] else { continue }
            if request.allowPrebuilt.contains(name) {
                outcomes[name] = TreePackageOutcome(
                    name: name, state: .prebuilt, detail: "allowed prebuilt: taken from \(request.sourceFolder ?? "nowhere")")
                continue
            }
            if request.planOnly || request.only.map({ $0 != name }) == true {
                // Not built here, but a package `--only` builds may need it: done when it verifies.
                if let done = await doneWheel(package, in: output, verifier: verifier) {
                    try copy(done, into: wheelhouse)
                    outcomes[name] = TreePackageOutcome(name: name, state: .done, detail: "verified in the output folder", wheel: done)
                } else {
                    outcomes[name] = TreePackageOutcome(
                        name: name, state: .skipped, detail: request.planOnly ? "planned, not built" : "not selected")
                }
                continue
            }
            let unmet = (graph.needs[name] ?? []).filter { need in
                guard let state = outcomes[need]?.state else { return !request.allowPrebuilt.contains(need) && byName[need] != nil }
                return ![.built, .done, .prebuilt].contains(state)
            }
            if let first = unmet.first {
                let state = outcomes[first].map { "\($0.state.rawValue)" } ?? "not built"
                outcomes[name] = TreePackageOutcome(name: name, state: .blocked, detail: "needs \(first) (\(state))")
                continue
            }
            if let done = await doneWheel(package, in: output, verifier: verifier) {
                try copy(done, into: wheelhouse)
                outcomes[name] = TreePackageOutcome(
                    name: name, state: .done, detail: "already built and verified; not rebuilt", wheel: done)
                continue
            }
            do {
                let source: SourceDistribution
                if let anchored = sources[package.sdist] { source = anchored } else { source = try .local(path: package.sdist) }
                let result = try await SourceBuilder.build(
                    BuildRequest(
                        source: source, outputDirectory: output, requirements: .findLinks(wheelhouse), builderID: request.builderID,
                        python: request.python, signer: request.signer, timeoutSeconds: request.timeoutSeconds))
                try copy(result.wheelPath, into: wheelhouse)
                outcomes[name] = TreePackageOutcome(
                    name: name, state: .built, detail: "sha256 \(result.wheelSHA256)", wheel: result.wheelPath)
            } catch {
                outcomes[name] = TreePackageOutcome(name: name, state: .failed, detail: "\(error.code.rawValue): \(error.message)")
            }
        }
        let ordered = (graph.order + graph.cycles.flatMap { $0 } + graph.blocked.keys.sorted()).compactMap { outcomes[$0] }
        let graphPath = output + "/" + graphFilename
        try writeGraph(resolution: resolution, graph: graph, outcomes: ordered, allowPrebuilt: request.allowPrebuilt, to: graphPath)
        try? FileManager.default.removeItem(atPath: wheelhouse)
        return Result(resolution: resolution, graph: graph, outcomes: ordered, graphPath: graphPath)
    }

    /// The wheel of `package` in `output` whose attestation verifies against the build key and
    /// whose verified provenance was built from this very sdist; nil when there is none.
    static func doneWheel(_ package: TreeResolution.Package, in output: String, verifier: ProvenanceVerifier) async -> String? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: output),
            let sdistSHA = try? FileHashing.digest(ofFileAt: package.sdist, algorithm: .sha256).digest.hex
        else { return nil }
        for entry in entries.sorted() where entry.hasSuffix(".whl") {
            guard let filename = try? WheelFilename(parsing: entry), filename.name.normalized == package.name,
                filename.version == PythonVersion(package.version)
            else { continue }
            let path = output + "/" + entry
            guard let provenance = try? ProvenanceFile.read(path: path + ".slsa.attestation") else { continue }
            let report = await Pipeline.verifyLocalWheel(at: path, provenance: provenance, verifier: verifier)
            if report.status == .verified, report.build?.source.sha256 == sdistSHA { return path }
        }
        return nil
    }

    static func copyPrebuilt(_ names: Set<String>, from folder: String, to wheelhouse: String) throws(BuildError) {
        guard !names.isEmpty, let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for entry in entries.sorted() where entry.hasSuffix(".whl") {
            guard let filename = try? WheelFilename(parsing: entry), names.contains(filename.name.normalized) else { continue }
            try copy(folder + "/" + entry, into: wheelhouse)
        }
    }

    static func copy(_ path: String, into folder: String) throws(BuildError) {
        let target = folder + "/" + (path as NSString).lastPathComponent
        try? FileManager.default.removeItem(atPath: target)
        do {
            try FileManager.default.copyItem(atPath: path, toPath: target)
        } catch {
            throw BuildError(.operational, "cannot copy \(path) to \(folder): \(error.localizedDescription)")
        }
    }

    static func writeGraph(
        resolution: TreeResolution, graph: BuildGraph, outcomes: [TreePackageOutcome], allowPrebuilt: Set<String>, to path: String
    ) throws(BuildError) {
        let packages: [[String: Any]] = resolution.packages.map { package in
            [
                "name": package.name, "version": package.version, "sdist": (package.sdist as NSString).lastPathComponent,
                "requires": package.requires, "buildRequires": package.buildRequires, "needs": graph.needs[package.name] ?? [],
                "extras": package.extras,
            ]
        }
        let document: [String: Any] = [
            "schemaVersion": 1,
            "roots": resolution.roots,
            "packages": packages,
            "order": graph.order,
            "cycles": graph.cycles,
            "allowPrebuilt": allowPrebuilt.sorted(),
            "problems": resolution.problems.filter { !allowPrebuilt.contains(ProjectName($0.name).normalized) }
                .map { ["name": $0.name, "problem": $0.problem] },
            "outcomes": outcomes.map { outcome -> [String: Any] in
                var entry: [String: Any] = ["name": outcome.name, "state": outcome.state.rawValue, "detail": outcome.detail]
                if let wheel = outcome.wheel { entry["wheel"] = (wheel as NSString).lastPathComponent }
                return entry
            },
        ]
        do {
            let data = try JSONSerialization.data(
                withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw BuildError(.operational, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
