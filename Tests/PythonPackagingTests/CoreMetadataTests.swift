import Testing

@testable import PythonPackaging

@Suite struct CoreMetadataTests {
    /// A real METADATA whose License text contains blank lines: the header block ends there.
    @Test func parsesRealMetadataHeaderBlock() throws {
        let m = try CoreMetadata(parsing: try MetadataFixtures.bytes("shelf_reader-0.1.METADATA"))
        #expect(m.rawName == "shelf-reader")
        #expect(m.name == ProjectName("shelf_reader"))
        #expect(m.rawVersion == "0.1")
        #expect(m.version == PythonVersion("0.1"))
        #expect(m.metadataVersion == "2.0")
        #expect(m.headers.first("license")?.hasPrefix("GNU GENERAL PUBLIC LICENSE\n") == true)
        #expect(m.headers.all("Classifier").isEmpty)
    }

    @Test func bodyIsNeverDecoded() throws {
        let bytes = Array("Metadata-Version: 2.1\r\nName: Foo.Bar\r\nVersion: 1.0RC1\r\n\r\n".utf8) + [0xFF, 0xC0, 0x00]
        let m = try CoreMetadata(parsing: bytes)
        #expect(m.name.normalized == "foo-bar")
        #expect(m.version.normalized == "1.0rc1")
        #expect(m.rawVersion == "1.0RC1")
    }

    @Test func headerNamesAreCaseInsensitiveAndRepeatable() throws {
        let text = "name: x\nVERSION: 2\nRequires-Dist: a\nRequires-Dist: b\n"
        let m = try CoreMetadata(parsing: Array(text.utf8))
        #expect(m.rawName == "x")
        #expect(m.headers.all("requires-dist") == ["a", "b"])
    }

    @Test(arguments: [
        "Version: 1.0\n", "Name: foo\n", "Name:\nVersion: 1\n", "Name: foo\nVersion:   \n",
        "\nName: foo\nVersion: 1\n", "",
    ])
    func missingNameOrVersionThrows(text: String) {
        #expect((#expect(throws: PackagingError.self) { try CoreMetadata(parsing: Array(text.utf8)) })?.code == .invalidMetadata)
        do {
            _ = try CoreMetadata(parsing: Array(text.utf8), origin: "x.dist-info/METADATA")
        } catch {
            #expect(error.code == .invalidMetadata)
            #expect(error.message.hasPrefix("x.dist-info/METADATA"))
        }
    }

    @Test func nonUTF8HeaderThrows() {
        let bytes = Array("Name: ".utf8) + [0xC3, 0x28] + Array("\nVersion: 1\n".utf8)
        #expect((#expect(throws: PackagingError.self) { try CoreMetadata(parsing: bytes) })?.code == .invalidMetadata)
    }

    @Test func nonHeaderLineEndsTheBlock() throws {
        let m = try CoreMetadata(parsing: Array("Name: foo\nVersion: 1\nthis is not a header\nSummary: x\n".utf8))
        #expect(m.headers.first("Summary") == nil)
    }
}
