import Foundation
import Testing
import Verification

/// How `VerificationSetup.inspectEnvironment` turns an interpreter that cannot be trusted into an
/// error: a path the user must change is usage (exit 2), an environment that does not check out
/// could not be verified (exit 3).
@Suite struct InterpreterSetupTests {
    @Test func untrustedEnvironmentsAreOperationalAndMissingInterpretersUsage() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-setup-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let venv = root + "/venv"
        let created = try await TestProcess.run(TestProcess.python3, ["-m", "venv", "--without-pip", venv])
        try #require(created.status == 0, "\(created.output)")
        let clean = try await VerificationSetup(python: venv + "/bin/python").inspectEnvironment()
        #expect(clean.trustedInterpreter.basis == .virtualEnvironmentBase)

        // home pointing into the venv: the environment cannot be verified (exit 3), the file named.
        let config = venv + "/pyvenv.cfg"
        let text = try String(contentsOfFile: config, encoding: .utf8)
        let edited = text.split(separator: "\n").map { $0.hasPrefix("home") ? "home = \(venv)/bin" : String($0) }
        try (edited.joined(separator: "\n") + "\n").write(toFile: config, atomically: true, encoding: .utf8)
        do {
            _ = try await VerificationSetup(python: venv + "/bin/python").inspectEnvironment()
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .operational)
            #expect(error.message.contains("lies inside the environment"), "\(error.message)")
        }
        // The default interpreter of an active venv whose pyvenv.cfg is gone: not run as a system Python.
        try FileManager.default.removeItem(atPath: config)
        do {
            _ = try await VerificationSetup(environment: ["VIRTUAL_ENV": venv, "PATH": "/usr/bin:/bin"]).inspectEnvironment()
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .operational)
            #expect(error.message.contains("VIRTUAL_ENV=\(venv) has no pyvenv.cfg"), "\(error.message)")
        }
        // A path that names no interpreter is the user's to fix.
        do {
            _ = try await VerificationSetup(python: root + "/no-such/bin/python").inspectEnvironment()
            Issue.record("expected a throw")
        } catch {
            #expect(error.code == .usage)
            #expect(error.message.contains(root + "/no-such/bin/python"))
        }
    }
}
