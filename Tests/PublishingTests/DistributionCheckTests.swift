import Foundation
import PythonPackaging
import Testing

@testable import Publishing

/// The form, filename, digest and METADATA checks of an upload, on a real wheel.
@Suite struct DistributionCheckTests {
    let path = UploadFixtures.fixtureWheels.appendingPathComponent(UploadFixtures.dottedWheel).path

    func form(_ overrides: [String: String?] = [:], filename: String = UploadFixtures.dottedWheel) throws -> UploadForm {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var digester = UploadDigester()
        bytes.withUnsafeBytes { digester.update($0) }
        let digests = digester.finalize()
        var fields: [String: String] = [
            ":action": "file_upload", "protocol_version": "1", "name": "dotted-pkg", "version": "1.2.0",
            "filetype": "bdist_wheel", "pyversion": "py3", "metadata_version": "2.1", "sha256_digest": digests.sha256.text,
        ]
        for (key, value) in overrides { fields[key] = value }
        return UploadForm(
            fields: fields.mapValues { [$0] }, content: StagedContent(filename: filename, path: path, digests: digests))
    }

    @Test func aWellFormedWheelUploadPasses() throws {
        let checked = try #require(DistributionCheck.check(try form()).value)
        #expect(checked.project == ProjectName("dotted-pkg"))
        #expect(checked.version == "1.2.0")
        let metadata = try #require(checked.coreMetadata)
        #expect(String(decoding: metadata, as: UTF8.self).contains("Name: Dotted.Pkg"))
        // Spelling differences that normalise equal are fine.
        #expect(DistributionCheck.check(try form(["name": "Dotted_Pkg", "version": "1.2"])).value != nil)
    }

    @Test func digestsMustMatchAndOneMustBeStated() throws {
        let wrong = try #require(DistributionCheck.check(try form(["sha256_digest": String(repeating: "0", count: 64)])).refusal)
        #expect(wrong.code == .digestMismatch)
        #expect(wrong.message.hasPrefix("sha256_digest "))
        let none = try #require(DistributionCheck.check(try form(["sha256_digest": nil])).refusal)
        #expect(none.code == .digestMismatch)
        #expect(none.message.contains("states no digest"))
        let digests = try form().content!.digests
        #expect(DistributionCheck.check(try form(["sha256_digest": nil, "md5_digest": digests.md5Hex])).value != nil)
        #expect(DistributionCheck.check(try form(["sha256_digest": nil, "blake2_256_digest": digests.blake2b256Hex])).value != nil)
        let badMD5 = try #require(DistributionCheck.check(try form(["md5_digest": String(repeating: "a", count: 32)])).refusal)
        #expect(badMD5.code == .digestMismatch)
        #expect(badMD5.message.hasPrefix("md5_digest "))
    }

    @Test func theFormMustAgreeWithTheFilename() throws {
        let name = try #require(DistributionCheck.check(try form(["name": "other-pkg"])).refusal)
        #expect(name.code == .fieldMismatch)
        #expect(name.message.contains("names project dotted-pkg"))
        let version = try #require(DistributionCheck.check(try form(["version": "1.3"])).refusal)
        #expect(version.code == .fieldMismatch)
        let filetype = try #require(DistributionCheck.check(try form(["filetype": "sdist"])).refusal)
        #expect(filetype.code == .fieldMismatch)
        #expect(filetype.message.contains("expected bdist_wheel"))
    }

    @Test func theWheelsMetadataMustAgreeWithItsFilename() throws {
        // Same bytes presented under another project's filename (and form): its METADATA disagrees.
        let renamed = try #require(
            DistributionCheck.check(try form(["name": "evil-pkg"], filename: "evil_pkg-1.2.0-0-py3-none-any.whl")).refusal)
        #expect(renamed.code == .invalidDistribution)
    }

    @Test func badFilenamesAndFormsAreRefused() throws {
        for filename in ["../dotted_pkg-1.2.0-0-py3-none-any.whl", ".hidden.whl", "dotted.exe", "a/b.whl"] {
            let refusal = try #require(DistributionCheck.check(try form(filename: filename)).refusal, "\(filename)")
            #expect(refusal.code == .badFilename, "\(filename)")
        }
        #expect(DistributionCheck.check(try form([":action": "remove_pkg"])).refusal?.code == .malformedForm)
        #expect(DistributionCheck.check(try form([":action": nil])).refusal?.code == .malformedForm)
        #expect(DistributionCheck.check(try form(["protocol_version": "2"])).refusal?.code == .malformedForm)
        #expect(DistributionCheck.check(try form(["name": nil])).refusal?.code == .malformedForm)
        var repeated = try form()
        repeated.fields["version"] = ["1.2.0", "9.9"]
        #expect(DistributionCheck.check(repeated).refusal?.code == .malformedForm)
        var noContent = try form()
        noContent.content = nil
        #expect(DistributionCheck.check(noContent).refusal?.code == .malformedForm)
    }
}
