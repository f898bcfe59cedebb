import PythonPackaging
import Testing

@testable import Lock

@Suite("PEP 508 markers and wheel choice")
struct MarkerTests {
    static let facts = InterpreterTagFacts(
        implementation: "cpython", version: "3.11.9", platform: "linux-x86_64", soabi: "cpython-311-x86_64-linux-gnu",
        libc: "glibc 2.36", pointerBits: 64, freeThreaded: false, extensionSuffix: ".cpython-311-x86_64-linux-gnu.so",
        markers: InterpreterMarkerFacts(
            osName: "posix", sysPlatform: "linux", system: "Linux", release: "6.1.0", systemVersion: "#1 SMP",
            machine: "x86_64", fullVersion: "3.11.9", implementationVersion: "3.11.9"))

    static let cases: [(String, Bool)] = [
        ("python_version >= '3.8'", true),
        ("python_version < '3.10'", false),
        ("python_full_version == '3.11.*'", true),
        ("python_full_version ~= '3.11.2'", true),
        ("python_version ~= '3.12'", false),
        ("sys_platform == 'linux' and platform_machine == 'x86_64'", true),
        ("sys_platform == 'win32' or (os_name == 'posix' and implementation_name == 'cpython')", true),
        ("platform_python_implementation != 'CPython'", false),
        ("'linux' in sys_platform", true),
        ("'dev' in dependency_groups", true),
        ("'docs' in extras", false),
        ("'docs' not in extras", true),
        ("python_version > \"3.9\" and platform_system == \"Darwin\"", false),
    ]

    @Test("markers evaluate as packaging does", arguments: cases.indices)
    func evaluates(_ index: Int) throws {
        let (marker, expected) = Self.cases[index]
        let environment = try #require(MarkerEnvironment(facts: Self.facts, dependencyGroups: ["dev"]))
        #expect(try MarkerExpression.parse(marker).evaluate(environment) == expected, "\(marker)")
    }

    @Test("undefined comparisons and bad syntax are errors, never a guess")
    func refuses() throws {
        let environment = try #require(MarkerEnvironment(facts: Self.facts))
        #expect(throws: MarkerExpression.Problem.self) { try MarkerExpression.parse("sys_platform < 'linux'").evaluate(environment) }
        #expect(throws: MarkerExpression.Problem.self) { try MarkerExpression.parse("extras == 'a'").evaluate(environment) }
        for bad in ["python_version >=", "(python_version > '3'", "unknown_var == '1'", "python_version > '3' and", "'a' = 'b'"] {
            #expect(throws: MarkerExpression.Problem.self, "\(bad)") { try MarkerExpression.parse(bad) }
        }
    }

    @Test("the wheel an installer takes: best tag first; sdist when no wheel suits; markers leave entries out")
    func choosesWheel() throws {
        let lock = try PylockParser.parse(sampleLock, file: "pylock.toml")
        let chosen = try LockSelection.choose(in: lock, facts: Self.facts)
        #expect(chosen.map(\.package.name.raw) == ["alpha", "gamma", "delta"], "beta's marker is false here")
        guard case .file(let gamma) = chosen[1].choice else { Issue.record("gamma has a file"); return }
        #expect(gamma.filename == "gamma-3.0-cp311-cp311-manylinux_2_17_x86_64.whl")
        guard case .notVerifiable(let kind, _) = chosen[2].choice else { Issue.record("delta is not verifiable"); return }
        #expect(kind == "vcs")
        var older = Self.facts
        older.version = "3.10.0"
        let olderChoice = try LockSelection.choose(in: lock, facts: older)
        guard case .file(let pure) = olderChoice[1].choice else { Issue.record("gamma has a file"); return }
        #expect(pure.filename == "gamma-3.0-py3-none-any.whl", "cp311 does not load on 3.10")
    }

    @Test("a lock whose requires-python excludes the interpreter is not applicable (exit 2)")
    func requiresPython() throws {
        let lock = try PylockParser.parse(
            "lock-version = \"1.0\"\ncreated-by = \"x\"\nrequires-python = \">=3.12\"\npackages = []\n", file: "p.toml")
        #expect(
            throws: LockError(.notApplicable, file: "p.toml", line: nil, "requires-python >=3.12 excludes this interpreter's Python 3.11.9")
        ) {
            try LockSelection.choose(in: lock, facts: Self.facts)
        }
    }
}
