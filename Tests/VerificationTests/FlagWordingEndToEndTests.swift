import Foundation
import Testing

/// The library states facts and carries remedies as values; the command line words them with its
/// option names, in its one-line errors as in its reports (the other remedies are asserted where
/// their runs are: `KeylessEndToEndTests`, `BytecodeEndToEndTests`, `ReleaseStepTests`,
/// `VerificationSummaryTests`, `ServeStoreCommandTests`, `TreeBuildCommandTests`).
@Suite("option names in the command line's words")
struct FlagWordingEndToEndTests {
    @Test("no index to verify against: the one-line error names --index-url (exit 2)")
    func noIndexNamesTheOption() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-noindex-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let venv = root + "/venv"
        let made = try await TestProcess.run(TestProcess.python3, ["-m", "venv", "--without-pip", venv])
        #expect(made.status == 0, "\(made.output)")
        // One distribution installed by uv: uv's configuration is the one that applies to it.
        let purelib = try await TestProcess.run(venv + "/bin/python", ["-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
        let distInfo = purelib.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/sample-1.0.dist-info"
        try FileManager.default.createDirectory(atPath: distInfo, withIntermediateDirectories: true)
        try "Metadata-Version: 2.1\nName: sample\nVersion: 1.0\n".write(toFile: distInfo + "/METADATA", atomically: true, encoding: .utf8)
        try "uv\n".write(toFile: distInfo + "/INSTALLER", atomically: true, encoding: .utf8)
        try "sample-1.0.dist-info/METADATA,,\n".write(toFile: distInfo + "/RECORD", atomically: true, encoding: .utf8)
        let result = try await TestProcess.run(
            TestProcess.wheeltrust, ["verify", "sample", "--python", venv + "/bin/python"],
            environment: ["UV_NO_INDEX": "1", "HOME": root, "XDG_CONFIG_HOME": root + "/config"])
        result.expectError(2, "uv's configuration sets no-index (UV_NO_INDEX): no index to verify against; name one with --index-url")
    }
}
