import PythonPackaging
import Testing

@testable import Building

/// `[build-system]` as PEP 517/518 define it, and what is refused.
struct BuildSystemTableTests {
    @Test func aFullTableIsReadAsWritten() throws {
        let table = try BuildSystemTable.parse(
            """
            [build-system]
            requires = ["flit_core >=3.2,<4", "other"]
            build-backend = "flit_core.buildapi"
            """)
        #expect(table == BuildSystemTable(requires: ["flit_core >=3.2,<4", "other"], backend: "flit_core.buildapi"))
    }

    @Test func noTableOrNoBackendIsThePEP517Fallback() throws {
        let none = try BuildSystemTable.parse("[project]\nname = \"x\"\n")
        #expect(none.isFallback && none.backend == "setuptools.build_meta:__legacy__" && none.requires == ["setuptools>=40.8.0", "wheel"])
        let noBackend = try BuildSystemTable.parse("[build-system]\nrequires = [\"setuptools\"]\n")
        #expect(noBackend.isFallback && noBackend.requires == ["setuptools"])
    }

    @Test(arguments: [
        ("[build-system]\nbuild-backend = \"x\"\n", "has no `requires`"),
        ("[build-system]\nrequires = \"setuptools\"\n", "build-system.requires is not an array"),
        ("[build-system]\nrequires = [1]\n", "not a string"),
        ("[build-system]\nrequires = []\nbuild-backend = \"os; rm -rf /\"\n", "not a `module:object` reference"),
        ("[build-system]\nrequires = []\nbuild-backend = \"b\"\nbackend-path = [\"../outside\"]\n", "leaves the source tree"),
        ("[build-system]\nrequires = []\nbuild-backend = \"b\"\nbackend-path = [\"/abs\"]\n", "leaves the source tree"),
        ("[build-system\n", "not valid TOML"),
    ])
    func malformedTablesAreRefusedNamingTheField(text: String, expected: String) {
        let error = #expect(throws: BuildError.self) { try BuildSystemTable.parse(text) }
        #expect(error?.code == .usage)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test func aBuildTagRenamesOnlyTheTagPart() throws {
        let name = try PythonPackagingName.wheel("pkg_name-1.0-py2.py3-none-any.whl")
        #expect(WheelRetag.filename(name, tag: .init(number: 0)) == "pkg_name-1.0-0-py2.py3-none-any.whl")
        let tagged = try PythonPackagingName.wheel("pkg-1.0-7-py3-none-any.whl")
        #expect(WheelRetag.filename(tagged, tag: .init(number: 1, suffix: "a")) == "pkg-1.0-1a-py3-none-any.whl")
    }
}

enum PythonPackagingName {
    static func wheel(_ filename: String) throws -> WheelFilename { try WheelFilename(parsing: filename) }
}
