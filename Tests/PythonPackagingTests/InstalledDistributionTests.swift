import Foundation
import Testing

@testable import PythonPackaging

@Suite struct InstalledDistributionTests {
    @Test func loadsEveryFile() throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        let name = "shelf_reader-0.1.dist-info"
        let dir = try EnvironmentTestSupport.makeDistInfo(
            name, in: tmp,
            files: [
                "METADATA": try MetadataFixtures.bytes("shelf_reader-0.1.METADATA"),
                "WHEEL": try MetadataFixtures.bytes("shelf_reader-0.1.WHEEL"),
                "RECORD": EnvironmentTestSupport.sampleRecord(name),
                "INSTALLER": Array("pip\n".utf8),
            ])
        let d = InstalledDistribution.load(distInfoPath: dir, root: tmp)
        #expect(d.problems.isEmpty)
        #expect(d.name.normalized == "shelf-reader")
        #expect(d.version == PythonVersion("0.1"))
        #expect(d.coreMetadataBytes == (try MetadataFixtures.bytes("shelf_reader-0.1.METADATA")))
        #expect(d.coreMetadata?.rawName == "shelf-reader")
        #expect(d.wheelMetadata?.tags.map(\.description) == ["py2-none-any"])
        #expect(d.installedRecord?.entries.count == 3)
        #expect(d.installer == "pip")
        #expect(d.root == tmp)
    }

    @Test func aReleasedRecordIsReadAgainOnDemand() throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        let name = "shelf_reader-0.1.dist-info"
        let dir = try EnvironmentTestSupport.makeDistInfo(
            name, in: tmp,
            files: [
                "METADATA": try MetadataFixtures.bytes("shelf_reader-0.1.METADATA"),
                "RECORD": EnvironmentTestSupport.sampleRecord(name),
            ])
        let loaded = InstalledDistribution.load(distInfoPath: dir, root: tmp)
        let released = loaded.releasingInstalledRecord()
        #expect(released.installedRecord == nil, "the parsed RECORD is not held")
        #expect(released.installedRecordPaths() == loaded.installedRecordPaths())
        #expect(released.installedRecordPaths().count == 3)
        #expect(released.name == loaded.name && released.distInfoPath == loaded.distInfoPath)
        // Read again means read again: a RECORD gone since gives no entries (never stale ones).
        try FileManager.default.removeItem(atPath: dir + "/RECORD")
        #expect(released.installedRecordPaths().isEmpty)
        #expect(loaded.installedRecordPaths().count == 3, "a held RECORD stays as loaded")
    }

    @Test func aDistributionWithoutARecordHasNoEntriesEvenWhenReleased() throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        let dir = try EnvironmentTestSupport.makeDistInfo(
            "a-1.dist-info", in: tmp,
            files: [
                "METADATA": Array("Metadata-Version: 2.1\nName: a\nVersion: 1\n".utf8)
            ])
        let loaded = InstalledDistribution.load(distInfoPath: dir, root: tmp)
        #expect(loaded.installedRecord == nil)
        // A RECORD that appears later is not picked up: only a released one is read again.
        _ = FileManager.default.createFile(atPath: dir + "/RECORD", contents: Data(EnvironmentTestSupport.sampleRecord("a-1.dist-info")))
        #expect(loaded.installedRecordPaths().isEmpty)
        #expect(loaded.releasingInstalledRecord().installedRecordPaths().isEmpty)
    }

    @Test func unreadableFilesBecomeNilFieldsAndProblems() throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        let dir = try EnvironmentTestSupport.makeDistInfo(
            "Weird_Name-2.0rc1.dist-info", in: tmp,
            files: [
                "WHEEL": Array("Generator: no version\n".utf8),
                "INSTALLER": Array(repeating: UInt8(ascii: "x"), count: InstalledDistribution.Limits.installerBytes + 1),
            ])
        try FileManager.default.createDirectory(atPath: dir + "/RECORD", withIntermediateDirectories: false)
        let d = InstalledDistribution.load(distInfoPath: dir, root: tmp)
        #expect(d.name.normalized == "weird-name")
        #expect(d.rawVersion == "2.0rc1")
        #expect(d.version == PythonVersion("2.0rc1"))
        #expect(d.coreMetadata == nil)
        #expect(d.coreMetadataBytes.isEmpty)
        #expect(d.wheelMetadata == nil)
        #expect(d.installedRecord == nil)
        #expect(d.installer == nil)
        #expect(d.problems.count == 4)
        #expect(d.problems.contains("Weird_Name-2.0rc1.dist-info/METADATA: missing"))
        #expect(d.problems.contains("Weird_Name-2.0rc1.dist-info/RECORD: is a directory"))
        #expect(d.problems.contains { $0.contains("WHEEL") && $0.contains("Wheel-Version") })
        #expect(d.problems.contains { $0.contains("INSTALLER") && $0.contains("larger than") })
    }

    @Test func metadataWithoutNameFallsBackToDirectoryName() throws {
        let tmp = try EnvironmentTestSupport.makeTemporaryDirectory()
        defer { EnvironmentTestSupport.remove(tmp) }
        let dir = try EnvironmentTestSupport.makeDistInfo(
            "pkg-3.dist-info", in: tmp,
            files: [
                "METADATA": Array("Summary: nothing else\n".utf8),
                "RECORD": [],
            ])
        let d = InstalledDistribution.load(distInfoPath: dir, root: tmp)
        #expect(d.name.raw == "pkg")
        #expect(d.rawVersion == "3")
        #expect(d.coreMetadata == nil)
        #expect(d.coreMetadataBytes.count > 0)
        #expect(d.installedRecord?.entries.isEmpty == true)
        #expect(d.problems.count == 1)
    }

    @Test(arguments: [
        ("foo_bar-1.0.dist-info", "foo_bar", "1.0"),
        ("foo-1.0+local.dist-info", "foo", "1.0+local"),
        ("noversion.dist-info", "noversion", ""),
    ])
    func directoryNameSplit(dir: String, name: String, version: String) {
        let parts = InstalledDistribution.nameAndVersion(fromDirectoryName: dir)
        #expect(parts.name == name)
        #expect(parts.version == version)
    }
}
