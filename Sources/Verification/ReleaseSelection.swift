import Foundation
import PackageIndex
import PythonPackaging

/// What a single-step command names when the project is not installed: `PKG` (its newest release)
/// or `PKG==VERSION` (that release).
///
/// Guarantees: `name` is a valid project name and `version`, when given, a valid PEP 440 version;
/// anything else is not a request (nil).
public struct ReleaseRequest: Sendable, Hashable, CustomStringConvertible {
    public var name: ProjectName
    public var version: PythonVersion?

    public init?(_ text: String) {
        let parts = text.components(separatedBy: "==")
        guard parts.count <= 2 else { return nil }
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard ProjectName.isValidName(name) else { return nil }
        self.name = ProjectName(name)
        if parts.count == 2 {
            let version = PythonVersion(parts[1].trimmingCharacters(in: .whitespaces))
            guard version.isValid else { return nil }
            self.version = version
        }
    }

    public init(name: ProjectName, version: PythonVersion?) {
        self.name = name
        self.version = version
    }

    public var description: String { name.raw + (version.map { "==\($0)" } ?? "") }
}

/// Chooses, among a project's index files, the release and file(s) a single step works on when
/// the project is not installed: as an installer would choose them.
///
/// Guarantees: only files whose parsed name is the project's count; the release is the requested
/// version (yanked files included only then, as PEP 592 allows for an exact pin), else the newest
/// final release (no pre-release or development version) that has a file that is not yanked; the
/// file is the wheel whose best tag comes first among the interpreter's supported tags
/// (``CompatibleTags``), else the release's sdist; a release with neither is a failure that says
/// what the index offers. Never a file of another version or project.
public enum ReleaseSelection {
    /// The files of the chosen release, or why there is none.
    public static func release(
        in files: [IndexFile], request: ReleaseRequest
    ) -> Result<(version: PythonVersion, files: [IndexFile]), Failure> {
        let parsed = files.compactMap { file -> (IndexFile, DistributionFilename)? in
            guard let name = try? DistributionFilename(parsing: file.filename), name.name == request.name else { return nil }
            return (file, name)
        }
        if let wanted = request.version {
            let chosen = parsed.filter { $0.1.version == wanted }.map(\.0)
            guard !chosen.isEmpty else { return .failure(Failure("\(request.name.raw) \(wanted) is not on the index: " + offer(parsed))) }
            return .success((wanted, chosen))
        }
        let finals = parsed.filter { !$0.0.yanked && $0.1.version.isValid && !$0.1.version.isPrerelease }
        guard let newest = finals.map(\.1.version).max() else {
            return .failure(Failure("the index has no final, non-yanked release of \(request.name.raw): " + offer(parsed)))
        }
        return .success((newest, parsed.filter { $0.1.version == newest && !$0.0.yanked }.map(\.0)))
    }

    /// The one file of a release an installer would take for an interpreter supporting `tags`
    /// (most preferred first): the best-ranked compatible wheel, else an sdist; nil when neither.
    public static func bestFile(in files: [IndexFile], tags: [WheelTag]) -> IndexFile? {
        var rank: [WheelTag: Int] = [:]
        for (index, tag) in tags.enumerated() where rank[tag] == nil { rank[tag] = index }
        let wheels = files.compactMap { file -> (IndexFile, Int)? in
            guard let wheel = try? WheelFilename(parsing: file.filename),
                let best = wheel.tags.compactMap({ rank[$0] }).min()
            else { return nil }
            return (file, best)
        }
        if let best = wheels.min(by: { ($0.1, $0.0.filename) < ($1.1, $1.0.filename) }) { return best.0 }
        return files.filter { (try? SdistFilename(parsing: $0.filename)) != nil }.min { $0.filename < $1.filename }
    }

    /// The versions a project's page offers, for messages.
    static func offer(_ parsed: [(IndexFile, DistributionFilename)]) -> String {
        let versions = Set(parsed.map { $0.1.version.description })
        return versions.isEmpty ? "no distribution files" : "versions " + versions.sorted().joined(separator: ", ")
    }

    /// Why no release or file could be chosen, in one line.
    public struct Failure: Error, Sendable, Equatable {
        public var message: String
        init(_ message: String) { self.message = message }
    }
}
