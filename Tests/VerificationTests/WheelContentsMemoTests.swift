import Foundation
import PythonPackaging
import Testing

@testable import Verification

@Suite("wheel contents memo")
struct WheelContentsMemoTests {
    /// A fresh directory holding a copy of the fixture wheel `name`.
    func copyOfFixture(_ name: String) throws -> (directory: String, wheel: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("memo-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let wheel = directory + "/" + name
        try FileManager.default.copyItem(atPath: Scenario.fixtureWheels.appendingPathComponent(name).path, toPath: wheel)
        return (directory, wheel)
    }

    static let fixture = "datatool-0.3-py3-none-any.whl"

    @Test func aCleanWheelIsRememberedAndNotInflatedAgain() throws {
        let (directory, wheel) = try copyOfFixture(Self.fixture)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sha256 = try FileHashing.digest(ofFileAt: wheel, algorithm: .sha256).digest.hex
        let memo = WheelContentsMemo(cacheRoot: directory + "/cache")
        #expect(!memo.isChecked(sha256Hex: try #require(SHA256Hex(sha256))))

        let first = Pipeline.openWheel(at: wheel, sha256: SHA256Hex(sha256), memo: memo)
        #expect(first.check.status == .pass)
        #expect(memo.isChecked(sha256Hex: try #require(SHA256Hex(sha256))))

        let second = Pipeline.openWheel(at: wheel, sha256: SHA256Hex(sha256), memo: memo)
        #expect(second.check == first.check, "the report does not depend on the memo")
        #expect(second.wheel != nil)
    }

    @Test func theMarkerIsWhatSparesTheMemberCheck() throws {
        // Tampered bytes under a sha256 that has a marker: the members are not inflated again.
        // (In a run the key is the digest of the re-hashed cache entry, so this cannot happen.)
        let (directory, wheel) = try copyOfFixture(Self.fixture)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: wheel)))
        let offset = try #require(Self.dataOffsetOfFirstModule(in: bytes))
        bytes[offset.start + offset.count / 2] ^= 0x5A
        try Data(bytes).write(to: URL(fileURLWithPath: wheel))
        let key = String(repeating: "ab", count: 32)
        let memo = WheelContentsMemo(cacheRoot: directory + "/cache")
        let tampered = "the wheel is malformed or cannot be read: \(wheel): member \(offset.name): CRC-32 mismatch (declared "
        let first = Pipeline.openWheel(at: wheel, sha256: SHA256Hex(key), memo: memo).check
        #expect(first.name == .wheelContents && first.status == .fail && first.detail.hasPrefix(tampered), "\(first)")
        memo.markChecked(sha256Hex: try #require(SHA256Hex(key)))
        #expect(Pipeline.openWheel(at: wheel, sha256: SHA256Hex(key), memo: memo).check.status == .pass)
        let unmemoized = Pipeline.openWheel(at: wheel).check
        #expect(unmemoized.status == .fail && unmemoized.detail.hasPrefix(tampered), "without the memo the check runs: \(unmemoized)")
    }

    @Test func aWheelWithATamperedMemberFailsAndIsNotRemembered() throws {
        let (directory, wheel) = try copyOfFixture(Self.fixture)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: wheel)))
        let offset = try #require(Self.dataOffsetOfFirstModule(in: bytes), "no .py member in the fixture")
        bytes[offset.start + offset.count / 2] ^= 0x5A
        try Data(bytes).write(to: URL(fileURLWithPath: wheel))
        let sha256 = try FileHashing.digest(ofFileAt: wheel, algorithm: .sha256).digest.hex
        let memo = WheelContentsMemo(cacheRoot: directory + "/cache")

        let tampered = "the wheel is malformed or cannot be read: \(wheel): member \(offset.name): CRC-32 mismatch (declared "
        let result = Pipeline.openWheel(at: wheel, sha256: SHA256Hex(sha256), memo: memo)
        #expect(
            result.check.name == .wheelContents && result.check.status == .fail && result.check.detail.hasPrefix(tampered),
            "\(result.check)")
        #expect(!memo.isChecked(sha256Hex: try #require(SHA256Hex(sha256))), "only a clean wheel gets a marker")
        let again = Pipeline.openWheel(at: wheel, sha256: SHA256Hex(sha256), memo: memo).check
        #expect(again.status == .fail && again.detail.hasPrefix(tampered), "and it fails again: \(again)")
    }

    @Test func keysThatAreNotADigestNeverTouchTheFileSystem() throws {
        // The memo's keys are SHA256Hex values; a sha256 text that is not one is never a key.
        let (directory, wheel) = try copyOfFixture(Self.fixture)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memo = WheelContentsMemo(cacheRoot: directory + "/cache")
        for key in ["../../etc/passwd", "", String(repeating: "A", count: 64), String(repeating: "a", count: 63) + "/"] {
            #expect(SHA256Hex(key) == nil)
            #expect(Pipeline.openWheel(at: wheel, sha256: SHA256Hex(key), memo: memo).check.status == .pass)
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/cache/checked"))
    }

    /// Where the (compressed) data of the first `.py` member starts in the zip, its length and its name.
    static func dataOffsetOfFirstModule(in zip: [UInt8]) -> (start: Int, count: Int, name: String)? {
        func u16(_ at: Int) -> Int { Int(zip[at]) | Int(zip[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        var index = 0
        while index + 30 <= zip.count {
            guard u32(index) == 0x0403_4B50 else { return nil }
            let compressed = u32(index + 18)
            let nameLength = u16(index + 26)
            let extraLength = u16(index + 28)
            let name = String(decoding: zip[(index + 30)..<(index + 30 + nameLength)], as: UTF8.self)
            let start = index + 30 + nameLength + extraLength
            if name.hasSuffix(".py"), compressed > 4 { return (start, compressed, name) }
            index = start + compressed
        }
        return nil
    }
}
