import PackageIndex
import PythonPackaging

/// Chooses, among an index project's files, the wheels that could be the one that was installed.
///
/// The installed `.dist-info/WHEEL` names the exact tags the installed wheel carried, and its
/// `Build` line the build tag when the installer kept it. A file qualifies only when its parsed
/// name and PEP 440 version equal the installed ones, its tag set equals the installed tag set
/// (not the interpreter's best guess), and, when the installed WHEEL names a build tag, its build
/// tag is that one. When the installed WHEEL lacks a build tag, any build tag qualifies (Red Hat's
/// index files carry `-0-` that installers do not record).
public enum WheelSelection {
    public static func candidates(in files: [IndexFile], for installed: InstalledDistribution) -> [IndexFile] {
        let installedTags = installed.wheelMetadata.map { Set($0.tags) } ?? []
        let installedBuild = installed.wheelMetadata?.build
        return files.filter { file in
            guard let parsed = try? WheelFilename(parsing: file.filename),
                parsed.name == installed.name,
                parsed.version == installed.version
            else { return false }
            if !installedTags.isEmpty, parsed.tags != installedTags { return false }
            if let installedBuild, !installedBuild.isEmpty {
                guard let build = parsed.buildTag, build.description == installedBuild else { return false }
            }
            return true
        }
        .sorted { $0.filename < $1.filename }
    }

    /// A short description of what the index offers for a project, for "not on the index" messages.
    public static func describeOffer(_ files: [IndexFile], for installed: InstalledDistribution) -> String {
        let sameVersion = files.compactMap { try? WheelFilename(parsing: $0.filename) }
            .filter { $0.name == installed.name && $0.version == installed.version }
        if !sameVersion.isEmpty {
            return "the index has \(installed.version) only as " + sameVersion.map(\.filename).sorted().joined(separator: ", ")
        }
        let versions = Set(files.compactMap { try? DistributionFilename(parsing: $0.filename) }.map { $0.version.description })
        if versions.isEmpty { return "the index lists no distribution files for it" }
        return "the index has versions " + versions.sorted().joined(separator: ", ")
    }
}
