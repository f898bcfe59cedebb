import PythonPackaging

extension Pipeline {
    /// The `installed` check: `pass` naming the `.dist-info` directory, or `fail` when one of its
    /// files is there but could not be read as a regular file within its cap (a FIFO, a device, a
    /// directory, a dangling link: ``InstalledDistribution/unreadableMembers``). No installer writes
    /// such a thing, and what it hides (the installed RECORD, the tags, the metadata) would
    /// otherwise just be missing from the judgement.
    static func installedCheck(_ installed: InstalledDistribution) -> CheckResult {
        guard installed.unreadableMembers.isEmpty else {
            return CheckResult(.installed, .fail, installed.unreadableMembers.joined(separator: "; "))
        }
        return CheckResult(.installed, .pass, installed.distInfoPath)
    }
}
