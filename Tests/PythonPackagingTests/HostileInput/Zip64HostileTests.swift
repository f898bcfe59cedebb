import Foundation
import TestSupport
import Testing

@testable import PythonPackaging

/// Zip64 structures (not in the real fixtures) built by hand around one stored member, with every
/// 64-bit size, offset and count set to hostile values: refused with `PackagingError` or read
/// correctly; never a trap, an overflow or a huge allocation.
@Suite("Hostile input: zip64 fields")
struct Zip64HostileTests {
    /// The fields a case may override.
    enum Field: CaseIterable {
        case localUncompressed, localCompressed, centralUncompressed, centralCompressed, centralOffset,
            totalEntries, diskEntries, directorySize, directoryOffset, recordOffset
    }

    static func le(_ value: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }

    /// A zip64 archive holding `a` = "x" (stored), with `overrides` applied.
    static func archive(_ overrides: [Field: UInt64] = [:]) -> [UInt8] {
        func v(_ f: Field, _ honest: UInt64) -> [UInt8] { le(overrides[f] ?? honest, 8) }
        let crc: UInt64 = 0x8CDC_1683
        var out: [UInt8] = []
        out += le(0x0403_4b50, 4) + le(45, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4) + le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4)
        out += le(1, 2) + le(20, 2) + Array("a".utf8) + le(1, 2) + le(16, 2) + v(.localUncompressed, 1) + v(.localCompressed, 1)
        out += Array("x".utf8)
        let central = UInt64(out.count)
        out += le(0x0201_4b50, 4) + le(45, 2) + le(45, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(crc, 4)
        out +=
            le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(1, 2) + le(28, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(0, 4) + le(0xFFFF_FFFF, 4)
        out += Array("a".utf8) + le(1, 2) + le(24, 2) + v(.centralUncompressed, 1) + v(.centralCompressed, 1) + v(.centralOffset, 0)
        let directorySize = UInt64(out.count) - central
        let record = UInt64(out.count)
        out += le(0x0606_4b50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4)
        out += v(.diskEntries, 1) + v(.totalEntries, 1) + v(.directorySize, directorySize) + v(.directoryOffset, central)
        out += le(0x0706_4b50, 4) + le(0, 4) + v(.recordOffset, record) + le(1, 4)
        out +=
            le(0x0605_4b50, 4) + le(0xFFFF, 2) + le(0xFFFF, 2) + le(0xFFFF, 2) + le(0xFFFF, 2) + le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4)
            + le(0, 2)
        return out
    }

    static func read(_ bytes: [UInt8], at path: String) throws(PackagingError) -> [UInt8] {
        guard (try? Data(bytes).write(to: URL(fileURLWithPath: path))) != nil else { throw PackagingError(.io, "write") }
        let archive = try ZipArchive(path: path)
        guard let entry = archive.entry(named: "a") else { throw PackagingError(.zip, "no member a") }
        return try archive.data(of: entry)
    }

    @Test func honestZip64ArchiveReads() throws {
        let directory = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(directory) }
        #expect(try Self.read(Self.archive(), at: directory + "/a.zip") == Array("x".utf8))
    }

    @Test func hostileZip64ValuesAreRefusedOrReadCorrectly() throws {
        let directory = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(directory) }
        let size = UInt64(Self.archive().count)
        let values: [UInt64] = [
            0, 2, 0xFFFF_FFFF, 1 << 32, UInt64(Int64.max / 64) + 1, UInt64(Int64.max / 4) + 1, UInt64(Int64.max),
            UInt64(Int64.max) + 1, UInt64.max, UInt64.max - 55, size, size + 1, size - 20, size - 76,
        ]
        for field in Field.allCases {
            for value in values {
                let label = "\(field) = \(value)"
                if let bytes = try? Self.read(Self.archive([field: value]), at: directory + "/a.zip") {
                    #expect(bytes == Array("x".utf8), "\(label) read other bytes")
                }
            }
        }
    }
}
