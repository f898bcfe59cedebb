import Testing

/// For commands without `--format json` (and usage errors of those with it): what a negative test
/// asserts is the exact one-line error and the exit code, never only the exit code.
extension ProcessResult {
    /// Expects exit `status` and stderr to be exactly the one line `wheeltrust: error: <message>`.
    func expectError(_ status: Int32, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "exit \(self.status): \(output)", sourceLocation: sourceLocation)
        #expect(stderr == "wheeltrust: error: \(message)\n", "stderr: \(stderr)", sourceLocation: sourceLocation)
    }

    /// Expects exit `status` and stderr to be one line `wheeltrust: error: <prefix>…` (for a
    /// message whose tail depends on the machine, e.g. how many attempts a network error took).
    func expectError(_ status: Int32, prefix: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(self.status == status, "exit \(self.status): \(output)", sourceLocation: sourceLocation)
        #expect(
            stderr.hasPrefix("wheeltrust: error: \(prefix)") && stderr.hasSuffix("\n")
                && stderr.dropLast().contains("\n") == false, "stderr: \(stderr)", sourceLocation: sourceLocation)
    }

    /// The first line of stderr (an argument parser's usage error is followed by the usage text).
    var firstErrorLine: String {
        String(stderr.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
