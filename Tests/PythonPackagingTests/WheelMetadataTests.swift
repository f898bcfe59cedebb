import Testing

@testable import PythonPackaging

@Suite struct WheelMetadataTests {
    @Test func parsesRealWheelFiles() throws {
        let flit = try WheelMetadata(parsing: try MetadataFixtures.bytes("rfc8785-0.1.2.WHEEL"))
        #expect(flit.wheelVersion == "1.0")
        #expect(flit.generator == "flit 3.9.0")
        #expect(flit.rootIsPurelib)
        #expect(flit.tags == [WheelTag(python: "py3", abi: "none", platform: "any")])
        #expect(flit.build == nil)

        let old = try WheelMetadata(parsing: try MetadataFixtures.bytes("shelf_reader-0.1.WHEEL"))
        #expect(old.generator == "bdist_wheel (0.29.0)")
        #expect(old.tags.map(\.description) == ["py2-none-any"])
    }

    @Test func repeatedTagsCRLFAndContinuations() throws {
        let text =
            "Wheel-Version: 1.0\r\nGenerator: some\r\n  tool\r\nroot-is-purelib: False\r\n"
            + "Tag: cp312-cp312-manylinux_2_17_x86_64\r\nTag: cp312-cp312-manylinux2014_x86_64\r\n"
            + "Tag: py2.py3-none-any\r\nBuild: 0\r\n"
        let m = try WheelMetadata(parsing: Array(text.utf8))
        #expect(!m.rootIsPurelib)
        #expect(m.generator == "some\n  tool")
        #expect(m.build == "0")
        #expect(m.tags.count == 4)
        #expect(m.tags.first == WheelTag(python: "cp312", abi: "cp312", platform: "manylinux_2_17_x86_64"))
        #expect(Set(m.tags).contains(WheelTag(python: "py2", abi: "none", platform: "any")))
    }

    @Test func stopsAtTheFirstBlankLine() throws {
        let m = try WheelMetadata(parsing: Array("Wheel-Version: 1.0\n\nTag: bogus\n".utf8))
        #expect(m.tags.isEmpty)
    }

    @Test func missingWheelVersionThrows() {
        #expect(
            (#expect(throws: PackagingError.self) { try WheelMetadata(parsing: Array("Generator: x\nTag: py3-none-any\n".utf8)) })?.code
                == .invalidMetadata)
        #expect((#expect(throws: PackagingError.self) { try WheelMetadata(parsing: [UInt8]()) })?.code == .invalidMetadata)
        do {
            _ = try WheelMetadata(parsing: Array("Generator: x\n".utf8), origin: "foo-1.0.dist-info/WHEEL")
        } catch {
            #expect(error.code == .invalidMetadata)
            #expect(error.message.contains("foo-1.0.dist-info/WHEEL"))
        }
    }

    @Test(arguments: ["py3-none", "py3-none-any-extra", "py3--any", "py3-no ne-any", "py3..py2-none-any"])
    func malformedTagThrows(tag: String) {
        let text = "Wheel-Version: 1.0\nTag: \(tag)\n"
        #expect((#expect(throws: PackagingError.self) { try WheelMetadata(parsing: Array(text.utf8)) })?.code == .invalidMetadata)
    }

    @Test func nonUTF8HeaderThrows() {
        let bytes: [UInt8] = Array("Wheel-Version: 1.0\nGenerator: ".utf8) + [0xFF, 0xFE, 0x0A]
        #expect((#expect(throws: PackagingError.self) { try WheelMetadata(parsing: bytes) })?.code == .invalidMetadata)
    }

    @Test func explosiveCompressedTagIsRejected() {
        let many = (0..<40).map { "t\($0)" }.joined(separator: ".")
        let text = "Wheel-Version: 1.0\nTag: \(many)-\(many)-\(many)\n"
        #expect((#expect(throws: PackagingError.self) { try WheelMetadata(parsing: Array(text.utf8)) })?.code == .invalidMetadata)
    }
}
