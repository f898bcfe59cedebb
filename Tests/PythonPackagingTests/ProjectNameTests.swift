import Testing

@testable import PythonPackaging

@Suite struct ProjectNameTests {
    @Test(arguments: [
        ("Foo.Bar_baz", "foo-bar-baz"),
        ("FOO__bar..baz", "foo-bar-baz"),
        ("hatch_fancy_pypi_readme", "hatch-fancy-pypi-readme"),
        ("zope.interface", "zope-interface"),
        ("a-_-.b", "a-b"),
        ("Django", "django"),
    ])
    func normalizesPerPEP503(raw: String, normalized: String) {
        let name = ProjectName(raw)
        #expect(name.normalized == normalized)
        #expect(name.raw == raw)
        #expect(name.description == raw)
    }

    @Test func equalityAndHashUseTheNormalizedForm() {
        let a = ProjectName("Foo.Bar_baz"), b = ProjectName("foo-bar-baz")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(ProjectName("foo") != ProjectName("foo2"))
        #expect(ProjectName("Alpha") < ProjectName("beta"))
    }

    @Test func underscoredIsTheWheelFilenameSpelling() {
        #expect(ProjectName("Foo.Bar-baz").underscored == "foo_bar_baz")
    }

    @Test func validatesPEP508Names() throws {
        #expect(try ProjectName(validating: "foo.bar_baz-1").normalized == "foo-bar-baz-1")
        for bad in ["", "-foo", "foo-", "foo bar", "föö", "foo/bar", ".foo", "foo_"] {
            #expect(!ProjectName(bad).isValid, "\(bad)")
            #expect((#expect(throws: PackagingError.self) { try ProjectName(validating: bad) })?.code == .invalidName)
        }
        do {
            _ = try ProjectName(validating: "bad name")
        } catch {
            #expect(error.code == .invalidName)
            #expect(error.message.contains("bad name"))
        }
    }
}
