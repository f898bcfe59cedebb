import Foundation
import Testing

@testable import IndexServer

@Suite struct IndexCatalogTests {
    @Test func listsDistributionsWithRealHashesAndSkipsEverythingElse() throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel, TestSupport.datatoolWheel])
        defer { TestSupport.remove(directory) }
        try TestSupport.write("not a wheel", to: directory, name: "README.txt")
        try TestSupport.write("x", to: directory, name: "not-a-valid-name.whl")
        try FileManager.default.createDirectory(atPath: directory + "/sub-1.0-py3-none-any.whl", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/linked-1.0-py3-none-any.whl",
            withDestinationPath: TestSupport.fixtureWheels.appendingPathComponent(TestSupport.dottedWheel).path)

        let entries = try IndexCatalog(directory: directory).scan()
        #expect(entries.map(\.filename) == [TestSupport.datatoolWheel, TestSupport.dottedWheel])
        let dotted = try #require(entries.last)
        #expect(dotted.sha256Hex.text == TestSupport.dottedSHA256)
        #expect(dotted.advertisedSHA256Hex.text == TestSupport.dottedSHA256)
        #expect(dotted.project.normalized == "dotted-pkg")
        #expect(dotted.version == "1.2.0")
        #expect(dotted.provenance == .none)
        #expect(dotted.isWheel)
    }

    @Test func attestationFilesAreGroupedByTheirDistributionInOnePass() {
        let wheel = "a-1.0-py3-none-any.whl"
        let grouped = IndexCatalog.attestationNames(in: [
            wheel, wheel + ".slsa.attestation", wheel + ".publish.attestation", wheel + ".attestation", wheel + "..attestation",
            "b-1.0.tar.gz.publish.attestation", "README.attestation", wheel + ".provenance",
        ])
        #expect(grouped[wheel]?.sorted() == [wheel + ".publish.attestation", wheel + ".slsa.attestation"])
        #expect(grouped["b-1.0.tar.gz"] == ["b-1.0.tar.gz.publish.attestation"])
        #expect(grouped.count == 2)
    }

    @Test func rehashesAFileThatChanged() throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel])
        defer { TestSupport.remove(directory) }
        let catalog = IndexCatalog(directory: directory)
        #expect(try catalog.scan().first?.sha256Hex.text == TestSupport.dottedSHA256)
        let path = directory + "/" + TestSupport.dottedWheel
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        #expect(try catalog.scan().first?.sha256Hex.text != TestSupport.dottedSHA256)
    }

    @Test func findsProvenanceSourcesAndTheHashOverride() throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel, TestSupport.datatoolWheel])
        defer { TestSupport.remove(directory) }
        let dotted = TestSupport.dottedWheel
        try TestSupport.write("{}", to: directory, name: dotted + ".b.attestation")
        try TestSupport.write("{}", to: directory, name: dotted + ".a.attestation")
        try TestSupport.write("{}", to: directory, name: dotted + ".publisher.json")
        try TestSupport.write(String(repeating: "AB", count: 32) + "\n", to: directory, name: dotted + ".sha256")
        try TestSupport.write("{}", to: directory, name: TestSupport.datatoolWheel + ".provenance")
        try TestSupport.write("{}", to: directory, name: TestSupport.datatoolWheel + ".x.attestation")  // ignored: .provenance wins

        let entries = try IndexCatalog(directory: directory).scan()
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.filename, $0) })
        let dottedEntry = try #require(byName[dotted])
        #expect(dottedEntry.advertisedSHA256Hex.text == String(repeating: "ab", count: 32))
        #expect(dottedEntry.sha256Hex.text == TestSupport.dottedSHA256)
        #expect(
            dottedEntry.provenance
                == .attestations(
                    paths: [directory + "/" + dotted + ".a.attestation", directory + "/" + dotted + ".b.attestation"],
                    publisherPath: directory + "/" + dotted + ".publisher.json"))
        #expect(byName[TestSupport.datatoolWheel]?.provenance == .file(path: directory + "/" + TestSupport.datatoolWheel + ".provenance"))
    }

    @Test(arguments: ["not hex", "abc", String(repeating: "g", count: 64), String(repeating: "a", count: 65)])
    func ignoresAnInvalidHashOverride(_ content: String) throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel])
        defer { TestSupport.remove(directory) }
        try TestSupport.write(content, to: directory, name: TestSupport.dottedWheel + ".sha256")
        #expect(try IndexCatalog(directory: directory).scan().first?.advertisedSHA256Hex.text == TestSupport.dottedSHA256)
    }

    @Test func aMissingFolderIsAnIOError() {
        #expect(throws: ServerError(.io, "cannot list the served folder /nonexistent/wheeltrust")) {
            try IndexCatalog(directory: "/nonexistent/wheeltrust").scan()
        }
    }

    @Test func readsCoreMetadataHashOnlyForReadableWheels() throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel])
        defer { TestSupport.remove(directory) }
        try TestSupport.write("not a zip", to: directory, name: "broken-1.0-py3-none-any.whl")
        let catalog = IndexCatalog(directory: directory)
        let entries = try catalog.scan()
        let broken = try #require(entries.first { $0.filename.hasPrefix("broken") })
        let dotted = try #require(entries.first { $0.filename == TestSupport.dottedWheel })
        #expect(catalog.coreMetadataSHA256(of: broken) == nil)
        let hash = try #require(catalog.coreMetadataSHA256(of: dotted))
        #expect(hash.text.count == 64)
        #expect(catalog.coreMetadataSHA256(of: dotted) == hash)  // cached, same answer
    }
}

@Suite struct ProvenanceDocumentTests {
    let publisher = Array(#"{"kind":"Pulp User","prn":"prn:auth.user:1"}"#.utf8)

    @Test func wrapsAttestationsVerbatimWithTheDefaultPublisher() throws {
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        let first = "{ \"version\" : 1, \"odd\":\"spacing kept\" }\n"
        try TestSupport.write(first, to: directory, name: "a.attestation")
        try TestSupport.write("{\"version\":1}", to: directory, name: "b.attestation")
        let bytes = try #require(
            try ProvenanceDocument.bytes(
                for: .attestations(paths: [directory + "/a.attestation", directory + "/b.attestation"], publisherPath: nil),
                defaultPublisherJSON: publisher))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(
            text
                == #"{"version":1,"attestation_bundles":[{"publisher":{"kind":"Pulp User","prn":"prn:auth.user:1"},"attestations":[{ "version" : 1, "odd":"spacing kept" },{"version":1}]}]}"#
        )
        #expect((try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any])
    }

    @Test func usesThePublisherFileAndServesProvenanceFilesVerbatim() throws {
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        try TestSupport.write(#"{"kind":"Konflux CI"}"#, to: directory, name: "p.json")
        try TestSupport.write("{}", to: directory, name: "a.attestation")
        try TestSupport.write("anything at all", to: directory, name: "x.provenance")
        let wrapped = try #require(
            try ProvenanceDocument.bytes(
                for: .attestations(paths: [directory + "/a.attestation"], publisherPath: directory + "/p.json"),
                defaultPublisherJSON: publisher))
        #expect(String(decoding: wrapped, as: UTF8.self).contains(#""publisher":{"kind":"Konflux CI"}"#))
        let verbatim = try ProvenanceDocument.bytes(for: .file(path: directory + "/x.provenance"), defaultPublisherJSON: publisher)
        #expect(verbatim == Array("anything at all".utf8))
        #expect(try ProvenanceDocument.bytes(for: .none, defaultPublisherJSON: publisher) == nil)
    }

    @Test(arguments: ["[1,2]", "not json", "", "\"string\""])
    func refusesAnAttestationThatIsNotAJSONObject(_ content: String) throws {
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        try TestSupport.write(content, to: directory, name: "bad.attestation")
        #expect(throws: ServerError(.malformedInput, "attestation file bad.attestation is not a JSON object")) {
            try ProvenanceDocument.bytes(
                for: .attestations(paths: [directory + "/bad.attestation"], publisherPath: nil),
                defaultPublisherJSON: publisher)
        }
    }

    @Test func refusesAPublisherThatIsNotAnObjectAndAMissingFile() throws {
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        try TestSupport.write("{}", to: directory, name: "a.attestation")
        try TestSupport.write("[]", to: directory, name: "p.json")
        #expect(throws: ServerError(.malformedInput, "publisher file p.json is not a JSON object")) {
            try ProvenanceDocument.bytes(
                for: .attestations(paths: [directory + "/a.attestation"], publisherPath: directory + "/p.json"),
                defaultPublisherJSON: publisher)
        }
        #expect(throws: ServerError(.io, "cannot read provenance file gone.provenance")) {
            try ProvenanceDocument.bytes(for: .file(path: directory + "/gone.provenance"), defaultPublisherJSON: publisher)
        }
    }
}
