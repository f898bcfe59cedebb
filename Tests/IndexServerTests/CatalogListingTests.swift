import Foundation
import PythonPackaging
import Testing

@testable import IndexServer

/// The cached listing of the served folder: reuse while the folder is unchanged and settled,
/// changes seen on the next request, per-project work only.
@Suite struct CatalogListingTests {
    static let dotted = TestSupport.dottedWheel
    static let datatool = TestSupport.datatoolWheel

    private func sha256Hex(_ data: Data) -> String {
        FileDigest.compute(Array(data), algorithm: .sha256).hex
    }

    /// Waits until the folder's last change is outside the racy window, so a listing is reused.
    private func settle() async throws {
        try await Task.sleep(nanoseconds: UInt64(DirectoryIdentity.racyWindowNanoseconds) + 200_000_000)
    }

    private func copyFixture(_ wheel: String, to directory: String, as name: String? = nil) throws {
        try FileManager.default.copyItem(
            atPath: TestSupport.fixtureWheels.appendingPathComponent(wheel).path,
            toPath: directory + "/" + (name ?? wheel))
    }

    @Test func aSettledListingIsReusedUntilTheFolderChanges() async throws {
        let directory = try TestSupport.folder(with: [Self.dotted])
        defer { TestSupport.remove(directory) }
        try await settle()
        let catalog = IndexCatalog(directory: directory)
        #expect(try catalog.entries(ofProject: "dotted-pkg").map(\.filename) == [Self.dotted])
        #expect(try catalog.entries(ofProject: "dotted-pkg").map(\.filename) == [Self.dotted])
        #expect(try catalog.entry(named: Self.dotted)?.sha256Hex.text == TestSupport.dottedSHA256)
        #expect(catalog.statistics.listingsTaken == 1)

        try copyFixture(Self.datatool, to: directory)
        #expect(try catalog.entries(ofProject: "datatool").map(\.filename) == [Self.datatool])
        #expect(catalog.statistics.listingsTaken == 2)
        // The folder changed just now: the new listing is racy, so the next request lists again.
        _ = try catalog.entry(named: Self.dotted)
        #expect(catalog.statistics.listingsTaken == 3)
    }

    @Test func aFileAddedWithinTheRacyWindowIsServedOnTheNextRequest() throws {
        let directory = try TestSupport.folder(with: [Self.dotted])
        defer { TestSupport.remove(directory) }
        let catalog = IndexCatalog(directory: directory)
        #expect(try catalog.scan().map(\.filename) == [Self.dotted])
        try copyFixture(Self.datatool, to: directory)
        #expect(try catalog.scan().map(\.filename) == [Self.datatool, Self.dotted])
        #expect(try catalog.entry(named: Self.datatool) != nil)
        #expect(try catalog.firstEntryPerProject().map(\.project.normalized) == ["datatool", "dotted-pkg"])
    }

    @Test func aListingIsNotTrustedWhileTheFolderChangedRecently() throws {
        let directory = try TestSupport.folder(with: [Self.dotted])
        defer { TestSupport.remove(directory) }
        let catalog = IndexCatalog(directory: directory)
        for _ in 0..<3 { _ = try catalog.entries(ofProject: "dotted-pkg") }
        // Nothing changed, but every listing was taken within the racy window of the last change.
        #expect(catalog.statistics.listingsTaken == 3)
    }

    @Test func theRacyRuleComparesTheLastChangeWithTheMomentOfListing() {
        let second: Int64 = 1_000_000_000
        let identity = DirectoryIdentity(device: 1, inode: 2, modifiedNanoseconds: 100 * second, changedNanoseconds: 100 * second)
        #expect(!identity.isSettled(listedAt: 100 * second))  // same tick
        #expect(!identity.isSettled(listedAt: 101 * second))  // within the window
        #expect(identity.isSettled(listedAt: 102 * second))
        #expect(!identity.isSettled(listedAt: 99 * second))  // a change in the future
        let recentStatusChange = DirectoryIdentity(device: 1, inode: 2, modifiedNanoseconds: 10 * second, changedNanoseconds: 100 * second)
        #expect(!recentStatusChange.isSettled(listedAt: 101 * second))
        #expect(identity != DirectoryIdentity(device: 1, inode: 2, modifiedNanoseconds: 100 * second + 1, changedNanoseconds: 100 * second))
    }

    @Test func aRemovedFileDisappears() async throws {
        let directory = try TestSupport.folder(with: [Self.dotted, Self.datatool])
        defer { TestSupport.remove(directory) }
        try await settle()
        let catalog = IndexCatalog(directory: directory)
        #expect(try catalog.scan().count == 2)
        try FileManager.default.removeItem(atPath: directory + "/" + Self.datatool)
        #expect(try catalog.entries(ofProject: "datatool").isEmpty)
        #expect(try catalog.entry(named: Self.datatool) == nil)
        #expect(try catalog.firstEntryPerProject().map(\.filename) == [Self.dotted])
        #expect(!catalog.hasCachedFacts(forFile: Self.datatool))  // the hash cache follows the folder
    }

    @Test func aFileRewrittenInPlaceGetsItsNewHash() async throws {
        let directory = try TestSupport.folder(with: [Self.dotted])
        defer { TestSupport.remove(directory) }
        try await settle()
        let catalog = IndexCatalog(directory: directory)
        let path = directory + "/" + Self.dotted
        let before = try #require(try catalog.entry(named: Self.dotted))
        #expect(before.sha256Hex.text == TestSupport.dottedSHA256)
        // Same name, same size, different bytes; the folder itself does not change.
        let garbage = Data(repeating: 0x5A, count: Int(before.size))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: garbage)
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: before.modified.addingTimeInterval(5)], ofItemAtPath: path)
        let after = try #require(try catalog.entries(ofProject: "dotted-pkg").first)
        #expect(after.sha256Hex.text == sha256Hex(garbage))
        #expect(after.sha256Hex.text != TestSupport.dottedSHA256)
        #expect(catalog.statistics.listingsTaken == 1)
    }

    @Test func aSameSizeRewriteWithinOneFileTimeTickIsNotServedWithTheOldHash() throws {
        // File times are coarse: a rewrite right after the first hashing may leave size and mtime
        // unchanged. A hash of a file modified that recently is never kept, so it is re-hashed.
        let directory = try TestSupport.folder(with: [Self.dotted])
        defer { TestSupport.remove(directory) }
        let path = directory + "/" + Self.dotted
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
        let catalog = IndexCatalog(directory: directory)
        let before = try #require(try catalog.entry(named: Self.dotted))
        #expect(before.sha256Hex.text == TestSupport.dottedSHA256)
        #expect(!catalog.hasCachedFacts(forFile: Self.dotted), "a hash keyed by an unsettled mtime is not kept")
        let garbage = Data(repeating: 0x5A, count: Int(before.size))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: garbage)
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: before.modified], ofItemAtPath: path)
        let after = try #require(try catalog.entry(named: Self.dotted))
        #expect(after.size == before.size && after.modified == before.modified)
        #expect(after.sha256Hex.text == sha256Hex(garbage))
    }

    @Test func aSymlinkIsNotServedEvenWhenAddedLater() async throws {
        let directory = try TestSupport.folder(with: [Self.dotted])
        defer { TestSupport.remove(directory) }
        try await settle()
        let catalog = IndexCatalog(directory: directory)
        #expect(try catalog.scan().count == 1)
        let linked = "linked-1.0-py3-none-any.whl"
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/" + linked,
            withDestinationPath: directory + "/" + Self.dotted)
        #expect(try catalog.entry(named: linked) == nil)
        #expect(try catalog.entries(ofProject: "linked").isEmpty)
        #expect(try catalog.firstEntryPerProject().map(\.filename) == [Self.dotted])
    }

    @Test func aRegularFileReplacedByASymlinkIsNoLongerServedFromAnOldListing() throws {
        // The listing's kind is only a hint: every served file is `lstat`ed by its request.
        let directory = try TestSupport.folder(with: [Self.dotted])
        defer { TestSupport.remove(directory) }
        let catalog = IndexCatalog(directory: directory)
        let listing = try CatalogListing.read(directory: directory, maxEntries: IndexCatalog.maxEntries)
        #expect(listing.byFilename[Self.dotted] != nil)
        try FileManager.default.removeItem(atPath: directory + "/" + Self.dotted)
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/" + Self.dotted,
            withDestinationPath: TestSupport.fixtureWheels.appendingPathComponent(Self.dotted).path)
        #expect(try catalog.entry(named: Self.dotted) == nil)
    }

    @Test func aProjectRequestExaminesOnlyThatProjectsFiles() async throws {
        let directory = try TestSupport.folder(with: [Self.dotted, Self.datatool])
        defer { TestSupport.remove(directory) }
        try TestSupport.write("{}", to: directory, name: Self.dotted + ".publish.attestation")
        for index in 0..<50 {  // many files of other projects
            try TestSupport.write("garbage", to: directory, name: "other\(index)-1.0-py3-none-any.whl")
        }
        try await settle()
        let catalog = IndexCatalog(directory: directory)
        let first = try catalog.entries(ofProject: "dotted-pkg")
        #expect(first.map(\.sha256Hex.text) == [TestSupport.dottedSHA256])
        #expect(catalog.statistics.filesExamined == 2)  // the wheel and its attestation
        #expect(catalog.hasCachedFacts(forFile: Self.dotted))
        #expect(!catalog.hasCachedFacts(forFile: Self.datatool))
        #expect(!catalog.hasCachedFacts(forFile: "other0-1.0-py3-none-any.whl"))

        // Replace the other project's wheel with garbage: the first project's answer is unchanged
        // and still costs only its own files.
        let datatoolPath = directory + "/" + Self.datatool
        let handle = try #require(FileHandle(forWritingAtPath: datatoolPath))
        try handle.write(contentsOf: Data("garbage".utf8))
        try handle.truncate(atOffset: 7)
        try handle.close()
        let again = try catalog.entries(ofProject: "dotted-pkg")
        #expect(again.map(\.sha256Hex.text) == [TestSupport.dottedSHA256])
        #expect(again.first?.provenance == first.first?.provenance)
        #expect(catalog.statistics.filesExamined == 4)
        #expect(!catalog.hasCachedFacts(forFile: Self.datatool))
        // A download looks up one file.
        #expect(try catalog.entry(named: Self.dotted)?.filename == Self.dotted)
        #expect(catalog.statistics.filesExamined == 6)
        #expect(try catalog.entries(ofProject: "datatool").first?.sha256Hex.text == sha256Hex(Data("garbage".utf8)))
    }

    @Test func theListingGroupsSideFilesByDistribution() {
        let wheel = "a-1.0-py3-none-any.whl"
        let sdist = "A-2.0.tar.gz"
        let listing = CatalogListing(names: [
            wheel, wheel + ".provenance", wheel + ".z.attestation", wheel + ".b.attestation", wheel + ".publisher.json",
            sdist, sdist + ".sha256", "README.txt", "bad name.whl", "b-1.0.zip",
        ])
        #expect(listing.filenames == [sdist, wheel])
        #expect(listing.projectNames == ["a"])
        #expect(listing.byProject["a"] == [sdist, wheel])
        let wheelItem = listing.byFilename[wheel]
        #expect(wheelItem?.hasProvenance == true)
        #expect(wheelItem?.attestations == [wheel + ".b.attestation", wheel + ".z.attestation"])
        #expect(wheelItem?.hasPublisher == true)
        #expect(wheelItem?.hasHashOverride == false)
        #expect(listing.byFilename[sdist]?.hasHashOverride == true)
        #expect(listing.byFilename[sdist]?.attestations == [])
    }

    /// The byte search gives the same groups as the former `NSString` backwards search.
    @Test func attestationGroupingMatchesTheFormerSearch() {
        let names = [
            "a-1.0-py3-none-any.whl.x.attestation", "a-1.0-py3-none-any.whl.whl.x.attestation",
            "a.whl.b.tar.gz.c.attestation", "x.tar.gz.tar.gz..attestation", "x.tar.gz..attestation",
            ".whl.attestation", ".whl..attestation", ".whl.a.attestation", "é-1.0.tar.gz.ü.attestation",
            "a.whl.whl.whl.attestation", "plain.attestation", "a.whl.x.attestation.txt",
        ]
        let grouped = IndexCatalog.attestationNames(in: names).mapValues { $0.sorted() }
        let former = Self.formerAttestationNames(in: names).mapValues { $0.sorted() }
        #expect(grouped == former)
        #expect(grouped["a-1.0-py3-none-any.whl.whl"] == ["a-1.0-py3-none-any.whl.whl.x.attestation"])
    }

    /// The former implementation, kept here as the reference.
    private static func formerAttestationNames(in names: [String]) -> [String: [String]] {
        var grouped: [String: [String]] = [:]
        for name in names where name.hasSuffix(".attestation") {
            for marker in [".whl.", ".tar.gz."] {
                var searchEnd = name.endIndex
                while let range = name.range(of: marker, options: .backwards, range: name.startIndex..<searchEnd) {
                    let distribution = String(name[..<range.upperBound].dropLast())
                    if name[range.upperBound...].count > ".attestation".count { grouped[distribution, default: []].append(name) }
                    searchEnd = range.lowerBound
                }
            }
        }
        return grouped
    }

    @Test func concurrentRequestsSeeTheSameEntries() async throws {
        let directory = try TestSupport.folder(with: [Self.dotted, Self.datatool])
        defer { TestSupport.remove(directory) }
        let catalog = IndexCatalog(directory: directory)
        let results = try await withThrowingTaskGroup(of: [String].self) { group in
            for index in 0..<200 {
                group.addTask {
                    let entries = index % 2 == 0 ? try catalog.scan() : try catalog.entries(ofProject: "dotted-pkg")
                    return entries.map { $0.filename + " " + $0.sha256Hex.text }
                }
            }
            return try await group.reduce(into: Set<[String]>()) { $0.insert($1) }
        }
        #expect(results.count == 2)
        #expect(results.contains(["\(Self.dotted) \(TestSupport.dottedSHA256)"]))
    }
}

/// The cached listing seen through the running server.
@Suite struct CatalogServingHTTPTests {
    static let pipAccept = "application/vnd.pypi.simple.v1+json"

    private func withServer(_ directory: String, _ body: (URL) async throws -> Void) async throws {
        let server = try await IndexServer(configuration: ServerConfiguration(directory: directory)).start()
        do {
            try await body(server.indexURL)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func contentURL(_ index: URL, _ filename: String) throws -> URL {
        var components = try #require(URLComponents(url: index, resolvingAgainstBaseURL: false))
        components.path = "/api/pulp-content/wheeltrust/main/" + filename
        return try #require(components.url)
    }

    @Test func filesAddedAndRemovedWhileServingAreSeenAndSymlinksAreNot() async throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel])
        defer { TestSupport.remove(directory) }
        try await withServer(directory) { index in
            #expect(try await TestSupport.get(index.appendingPathComponent("datatool/")).status == 404)
            try FileManager.default.copyItem(
                atPath: TestSupport.fixtureWheels.appendingPathComponent(TestSupport.datatoolWheel).path,
                toPath: directory + "/" + TestSupport.datatoolWheel)
            let page = try await TestSupport.get(index.appendingPathComponent("datatool/"))
            #expect(page.status == 200)
            #expect(page.text.contains(TestSupport.datatoolWheel))
            #expect(try await TestSupport.get(try contentURL(index, TestSupport.datatoolWheel)).status == 200)
            #expect(try await TestSupport.get(index).text.contains(#"<a href="datatool/">datatool</a>"#))

            try FileManager.default.removeItem(atPath: directory + "/" + TestSupport.datatoolWheel)
            #expect(try await TestSupport.get(index.appendingPathComponent("datatool/")).status == 404)
            #expect(try await TestSupport.get(try contentURL(index, TestSupport.datatoolWheel)).status == 404)
            #expect(!(try await TestSupport.get(index).text.contains("datatool")))

            let linked = "linked-1.0-py3-none-any.whl"
            try FileManager.default.createSymbolicLink(
                atPath: directory + "/" + linked,
                withDestinationPath: directory + "/" + TestSupport.dottedWheel)
            #expect(try await TestSupport.get(index.appendingPathComponent("linked/")).status == 404)
            #expect(try await TestSupport.get(try contentURL(index, linked)).status == 404)
            #expect(try await TestSupport.get(try contentURL(index, linked + ".metadata")).status == 404)
        }
    }

    @Test func manyConcurrentRequestsGetIdenticalPages() async throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel, TestSupport.datatoolWheel])
        defer { TestSupport.remove(directory) }
        try TestSupport.write("{}", to: directory, name: TestSupport.dottedWheel + ".publish.attestation")
        try await withServer(directory) { index in
            let url = index.appendingPathComponent("dotted-pkg/")
            let pages = try await withThrowingTaskGroup(of: TestSupport.HTTPResult.self) { group in
                for _ in 0..<48 {
                    group.addTask { try await TestSupport.get(url, accept: Self.pipAccept) }
                }
                return try await group.reduce(into: [TestSupport.HTTPResult]()) { $0.append($1) }
            }
            #expect(pages.count == 48)
            #expect(pages.allSatisfy { $0.status == 200 })
            #expect(Set(pages.map(\.body)).count == 1)
            let first = try #require(pages.first)
            #expect(first.text.contains(TestSupport.dottedSHA256))
            #expect(first.text.contains("/provenance/"))
        }
    }
}
