import Foundation
import PythonPackaging

/// The tree a requirements file names, resolved once against the sdists of one folder
/// (``TreeResolverScript``): one sdist per project, with its runtime and build requirements.
///
/// Guarantees: nothing from a package runs while resolving (sdists are read, not built); names
/// are normalized (PEP 503); what could not be resolved is listed in `problems`, never dropped.
public struct TreeResolution: Sendable, Codable, Hashable {
    public struct Package: Sendable, Codable, Hashable {
        public var name: String
        public var version: String
        public var sdist: String
        public var requires: [String]
        public var buildRequires: [String]
        /// The extras asked of this project in the tree (their requirements are in `requires`).
        public var extras: [String] = []
    }

    public struct Problem: Sendable, Codable, Hashable {
        public var name: String
        public var problem: String
    }

    /// A version chosen from the index listing that is not in a folder yet.
    public struct Wanted: Sendable, Codable, Hashable {
        public var name: String
        public var version: String
    }

    public var roots: [String]
    public var packages: [Package]
    public var problems: [Problem]
    /// With an index listing: versions to fetch before the tree is whole.
    public var wanted: [Wanted] = []
    /// With an index listing: projects to list on the index before the tree is whole.
    public var unlisted: [String] = []

    /// Resolves `requirementsFile` against the sdists in `folders` with `python` (its `pip`
    /// supplies `packaging`), and the sdists `listing` (a JSON file of project → versions) says
    /// the index offers; the resolver's output goes to `logPath`.
    public static func resolve(
        requirementsFile: String, folders: [String], listing: String? = nil, python: String, environment: [String: String],
        logPath: String, timeoutSeconds: Int
    ) async throws(BuildError) -> TreeResolution {
        guard FileManager.default.fileExists(atPath: requirementsFile) else {
            throw BuildError(.usage, "\(requirementsFile): no such requirements file")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-resolve-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try TreeResolverScript.source.write(toFile: work + "/resolve.py", atomically: true, encoding: .utf8)
        } catch {
            throw BuildError(.operational, "cannot prepare the resolver in \(work): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(atPath: work) }
        let log = try BuildLog(path: logPath)
        defer { log.close() }
        let output = work + "/resolution.json"
        let childEnvironment = ["PATH": environment["PATH"] ?? "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"]
        let outcome = try await BuildProcess(log: log).run(
            "/usr/bin/env",
            [python, "-I", work + "/resolve.py", requirementsFile, folders.joined(separator: ":"), output] + (listing.map { [$0] } ?? []),
            environment: childEnvironment, currentDirectory: work, timeoutSeconds: timeoutSeconds)
        guard outcome.status == 0, let data = FileManager.default.contents(atPath: output) else {
            throw BuildError(.operational, "resolving \(requirementsFile) failed (exit status \(outcome.status)); see \(logPath)")
        }
        do {
            return try JSONDecoder().decode(TreeResolution.self, from: data)
        } catch {
            throw BuildError(.operational, "the resolver's answer could not be read; see \(logPath)")
        }
    }
}
