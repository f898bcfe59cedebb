import Testing

@testable import PythonPackaging

@Suite struct WheelFilenameTests {
    @Test func parsesRedHatBuildTaggedName() throws {
        let w = try WheelFilename(parsing: "amqp-5.3.1-0-py3-none-any.whl")
        #expect(w.filename == "amqp-5.3.1-0-py3-none-any.whl")
        #expect(w.name == ProjectName("amqp"))
        #expect(w.version == PythonVersion("5.3.1"))
        #expect(w.buildTag == BuildTag(number: 0, suffix: ""))
        #expect(w.pythonTags == ["py3"])
        #expect(w.abiTags == ["none"])
        #expect(w.platformTags == ["any"])
        #expect(w.tags == [WheelTag(python: "py3", abi: "none", platform: "any")])
    }

    @Test func parsesCompressedPlatformTagSet() throws {
        let w = try WheelFilename(
            parsing: "pyyaml-6.0.3-0-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl")
        #expect(w.name.normalized == "pyyaml")
        #expect(w.buildTag?.number == 0)
        #expect(w.pythonTags == ["cp312"])
        #expect(w.abiTags == ["cp312"])
        #expect(w.platformTags == ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"])
        #expect(w.tags.count == 3)
        #expect(w.tags.contains(WheelTag(python: "cp312", abi: "cp312", platform: "manylinux_2_28_x86_64")))
    }

    @Test func parsesNameWithoutBuildTag() throws {
        let w = try WheelFilename(parsing: "shelf_reader-0.1-py2.py3-none-any.whl")
        #expect(w.buildTag == nil)
        #expect(w.name.normalized == "shelf-reader")
        #expect(w.pythonTags == ["py2", "py3"])
        #expect(w.tags.count == 2)
    }

    /// The spt3g vector: the attestation names one tag order, the file the other.
    @Test func tagReorderedNamesAreEqual() throws {
        let a = try WheelFilename(parsing: "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        let b = try WheelFilename(parsing: "spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a.filename != b.filename)
    }

    @Test func capitalisedAndDottedNames() throws {
        let w = try WheelFilename(parsing: "Foo.Bar_baz-1.0-py3-none-any.whl")
        #expect(w.name.normalized == "foo-bar-baz")
        #expect(w.name.raw == "Foo.Bar_baz")
        #expect(w == (try WheelFilename(parsing: "foo_bar_baz-1.0.0-py3-none-any.whl")))
    }

    @Test func differencesThatMatter() throws {
        let base = try WheelFilename(parsing: "foo-1.0-py3-none-any.whl")
        for other in [
            "foo-1.1-py3-none-any.whl", "bar-1.0-py3-none-any.whl", "foo-1.0-1-py3-none-any.whl",
            "foo-1.0-py2.py3-none-any.whl", "foo-1.0-py3-abi3-any.whl", "foo-1.0-py3-none-linux_x86_64.whl",
        ] {
            #expect(base != (try WheelFilename(parsing: other)), "\(other)")
        }
        #expect(try WheelFilename(parsing: "foo-1.0-0-py3-none-any.whl") != (try WheelFilename(parsing: "foo-1.0-00a-py3-none-any.whl")))
    }

    @Test func buildTagsOrderNumerically() throws {
        let two = try BuildTag(parsing: "2")
        let ten = try BuildTag(parsing: "10")
        let tenB = try BuildTag(parsing: "10b")
        #expect(two < ten)
        #expect(ten < tenB)
        #expect(tenB.suffix == "b")
        #expect(tenB.description == "10b")
    }

    @Test(arguments: [
        "foo-1.0-py3-none.whl",  // too few parts
        "foo-1.0-1-2-py3-none-any.whl",  // too many parts
        "foo-1.0-py3-none-any.zip",  // wrong extension
        "foo-1.0-py3-none-any",  // no extension
        "foo-1.0-x1-py3-none-any.whl",  // build tag must start with a digit
        "foo-1.0--py3-none-any.whl",  // empty build tag
        "-1.0-py3-none-any.whl",  // empty name
        "fo!o-1.0-py3-none-any.whl",  // bad character in name
        "foo_-1.0-py3-none-any.whl",  // name ends in separator
        "foo-notaversion-py3-none-any.whl",  // version not PEP 440
        "foo-1.0-py3..py2-none-any.whl",  // empty member in tag set
        "foo-1.0-py3-none-.whl",  // empty platform
        "foo-1.0-py3-no ne-any.whl",  // space in tag
        ".whl",
        "",
    ])
    func invalidNamesThrow(name: String) {
        #expect((#expect(throws: PackagingError.self) { try WheelFilename(parsing: name) })?.code == .invalidFilename)
        do {
            _ = try WheelFilename(parsing: name)
        } catch {
            #expect(error.code == .invalidFilename)
        }
    }

    @Test func overlongNameThrows() {
        let name = "foo-1.0-py3-none-" + String(repeating: "a.", count: 2000) + "any.whl"
        #expect((#expect(throws: PackagingError.self) { try WheelFilename(parsing: name) })?.code == .invalidFilename)
    }

    @Test func explosiveTagSetsThrow() {
        let many = (0..<20).map { "t\($0)" }.joined(separator: ".")
        let name = "foo-1.0-\(many)-\(many)-\(many).whl"
        #expect((#expect(throws: PackagingError.self) { try WheelFilename(parsing: name) })?.code == .invalidFilename)
    }

    @Test func errorMessageNamesTheFile() {
        do {
            _ = try WheelFilename(parsing: "foo-1.0-x1-py3-none-any.whl")
            Issue.record("expected a throw")
        } catch {
            #expect(error.message.contains("foo-1.0-x1-py3-none-any.whl"))
            #expect(error.description.hasPrefix("invalidFilename:"))
        }
    }
}
