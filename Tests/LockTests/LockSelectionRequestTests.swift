import PythonPackaging
import Testing

@testable import Lock

@Suite("extras and dependency groups of a lock (PEP 751)")
struct LockSelectionRequestTests {
    static let lock = """
        lock-version = "1.0"
        created-by = "test"
        extras = ["fast"]
        dependency-groups = ["dev", "docs"]
        default-groups = ["default"]

        [[packages]]
        name = "base"
        version = "1.0"
        marker = "'default' in dependency_groups"
        wheels = [{ url = "http://127.0.0.1:8080/files/base-1.0-py3-none-any.whl", hashes = { sha256 = "\(String(repeating: "a", count: 64))" } }]

        [[packages]]
        name = "speedup"
        version = "1.0"
        marker = "'fast' in extras"
        wheels = [{ url = "http://127.0.0.1:8080/files/speedup-1.0-py3-none-any.whl", hashes = { sha256 = "\(String(repeating: "b", count: 64))" } }]

        [[packages]]
        name = "pytest-thing"
        version = "1.0"
        marker = "'dev' in dependency_groups or 'docs' in dependency_groups"
        wheels = [{ url = "http://127.0.0.1:8080/files/pytest_thing-1.0-py3-none-any.whl", hashes = { sha256 = "\(String(repeating: "c", count: 64))" } }]

        [[packages]]
        name = "always"
        version = "1.0"
        wheels = [{ url = "http://127.0.0.1:8080/files/always-1.0-py3-none-any.whl", hashes = { sha256 = "\(String(repeating: "d", count: 64))" } }]
        """

    static func chosen(_ request: LockSelection.Request) async throws -> [String] {
        let environment = try await PythonEnvironment.inspect(python: "python3", withPipDefaultIndex: false)
        let lock = try PylockParser.parse(Self.lock, file: "pylock.toml")
        return try LockSelection.choose(in: lock, facts: environment.tagFacts, request: request).map(\.package.name.raw)
    }

    @Test("by default: no extra, the default groups; --extra and --group add entries; without default groups they go")
    func selects() async throws {
        await #expect(try Self.chosen(.init()) == ["base", "always"])
        await #expect(try Self.chosen(.init(extras: ["fast"])) == ["base", "speedup", "always"])
        await #expect(try Self.chosen(.init(groups: ["Docs"])) == ["base", "pytest-thing", "always"])
        await #expect(
            try Self.chosen(.init(extras: ["FAST"], groups: ["dev"], defaultGroups: false)) == ["speedup", "pytest-thing", "always"])
        await #expect(try Self.chosen(.init(defaultGroups: false)) == ["always"])
    }

    @Test("an extra or group the lock does not offer is refused, naming what it offers")
    func refusesUnknown() async throws {
        do {
            _ = try await Self.chosen(.init(extras: ["slow"]))
            Issue.record("took an unknown extra")
        } catch let error as LockError {
            #expect(error.code == .notApplicable)
            #expect(error.message == "pylock.toml: the lock offers no extra \"slow\" (extras: it names fast)", "\(error.message)")
        }
        do {
            _ = try await Self.chosen(.init(groups: ["test"]))
            Issue.record("took an unknown group")
        } catch let error as LockError {
            #expect(
                error.message.contains("no dependency group \"test\" (dependency-groups and default-groups: it names default, dev, docs)"),
                "\(error.message)")
        }
    }
}
