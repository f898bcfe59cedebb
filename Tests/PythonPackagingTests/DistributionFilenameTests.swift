import Testing

@testable import PythonPackaging

@Suite struct DistributionFilenameTests {
    @Test func sdistNameMayContainDashes() throws {
        let s = try SdistFilename(parsing: "hatch-fancy-pypi-readme-25.1.0.tar.gz")
        #expect(s.name.normalized == "hatch-fancy-pypi-readme")
        #expect(s.version == PythonVersion("25.1.0"))
        #expect(s.extension == "tar.gz")
        let z = try SdistFilename(parsing: "Foo_Bar-1.0.zip")
        #expect(z.extension == "zip")
        #expect(z.name.normalized == "foo-bar")
    }

    @Test func sdistEqualityIsParsed() throws {
        #expect(try SdistFilename(parsing: "Foo_Bar-1.0.tar.gz") == (try SdistFilename(parsing: "foo-bar-1.0.0.tar.gz")))
        #expect(try SdistFilename(parsing: "foo-1.0.tar.gz") != (try SdistFilename(parsing: "foo-1.0.zip")))
        #expect(try SdistFilename(parsing: "foo-1.0.tar.gz") != (try SdistFilename(parsing: "foo-1.1.tar.gz")))
    }

    @Test(arguments: [
        "foo.tar.gz", "foo-bar.tar.gz", "-1.0.tar.gz", "foo-1.0.tar.bz2", "foo-1.0.tgz",
        "foo-1.0", "fo o-1.0.tar.gz", "foo-1.0.whl", "README", "",
    ])
    func invalidDistributionNamesThrow(name: String) {
        #expect((#expect(throws: PackagingError.self) { try DistributionFilename(parsing: name) })?.code == .invalidFilename)
        do {
            _ = try DistributionFilename(parsing: name)
        } catch {
            #expect(error.code == .invalidFilename)
        }
    }

    @Test func wheelOrSdist() throws {
        let w = try DistributionFilename(parsing: "amqp-5.3.1-0-py3-none-any.whl")
        let s = try DistributionFilename(parsing: "amqp-5.3.1.tar.gz")
        guard case .wheel = w, case .sdist = s else {
            Issue.record("wrong kinds")
            return
        }
        #expect(w.name == s.name)
        #expect(w.version == s.version)
        #expect(w != s)
        #expect(w.filename == "amqp-5.3.1-0-py3-none-any.whl")
        #expect(
            try DistributionFilename(parsing: "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
                == (try DistributionFilename(parsing: "spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl")))
    }

    /// Every file name the Red Hat Trusted Libraries index listed parses, with the listed name and version.
    @Test func everyRedHatIndexFilenameParses() throws {
        let lines = try MetadataFixtures.text("redhat-distribution-filenames.csv")
            .split(separator: "\n").dropFirst()
        #expect(lines.count > 200)
        var wheels = 0
        for line in lines {
            let cols = line.split(separator: ",").map(String.init)
            try #require(cols.count == 3)
            let parsed = try DistributionFilename(parsing: cols[1])
            #expect(parsed.name == ProjectName(cols[0]), "\(cols[1])")
            #expect(parsed.version == PythonVersion(cols[2]), "\(cols[1])")
            if case .wheel(let w) = parsed {
                wheels += 1
                #expect(w.buildTag?.number == 0, "\(cols[1])")
            }
        }
        #expect(wheels > 100)
    }
}
