import Foundation
import Testing

@testable import PythonPackaging

/// Real zips built with Python's zipfile, and hostile ones made by editing their bytes.
@Suite struct ZipArchiveTests {
    /// Builds `sample.zip` in `dir`: a deflated 1 MB member, a stored member, an empty deflated
    /// member and a directory. Extra Python code in `edit` may rewrite `data` (a bytearray of the
    /// finished zip) before it is written back.
    private func makeZip(
        in dir: String, name: String = "sample.zip", zip64: Bool = false,
        edit: String = ""
    ) async throws -> String {
        let path = dir + "/" + name
        try await ZipTestSupport.python(
            """
            path = sys.argv[1]
            if \(zip64 ? "True" : "False"):
                zipfile.ZIP64_LIMIT = 0
            with zipfile.ZipFile(path, 'w') as z:
                for (n, c, d) in [('pkg/big.txt', zipfile.ZIP_DEFLATED, payload(1000000)),
                                  ('pkg/stored.bin', zipfile.ZIP_STORED, payload(70000)),
                                  ('pkg/empty.py', zipfile.ZIP_DEFLATED, b'')]:
                    info = zipfile.ZipInfo(n, (2020, 1, 1, 0, 0, 0)); info.compress_type = c
                    with z.open(info, 'w', force_zip64=\(zip64 ? "True" : "False")) as f:
                        f.write(d)
                z.writestr(zipfile.ZipInfo('pkg/sub/', (2020, 1, 1, 0, 0, 0)), b'')
            data = bytearray(open(path, 'rb').read())
            cds = cd_offsets(data) if b'PK\\x06\\x06' not in data else []
            \(edit)
            open(path, 'wb').write(bytes(data))
            """, [path])
        return path
    }

    private func expected(_ name: String) async throws -> [UInt8] {
        let out = try await ZipTestSupport.python("sys.stdout.write(payload(int(sys.argv[1])).hex())", [name])
        return hexBytes(out)
    }

    private func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        while let a = iterator.next(), let b = iterator.next() {
            out.append(UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16) ?? 0)
        }
        return out
    }

    private func expectFailure(
        _ path: String, _ code: PackagingError.Code, _ fragment: String,
        limits: ZipLimits = .default, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = #expect(throws: PackagingError.self, sourceLocation: sourceLocation) {
            let archive = try ZipArchive(path: path, limits: limits)
            try ZipTestSupport.readAll(archive)
        }
        #expect(error?.code == code, "\(error?.description ?? "")", sourceLocation: sourceLocation)
        #expect(error?.message.contains(fragment) == true, "\(error?.description ?? "")", sourceLocation: sourceLocation)
    }

    @Test func readsStoredDeflatedEmptyAndDirectoryMembers() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let archive = try ZipArchive(path: try await makeZip(in: dir))
        #expect(archive.entries.map(\.name) == ["pkg/big.txt", "pkg/stored.bin", "pkg/empty.py", "pkg/sub/"])
        #expect(archive.entries.map(\.method) == [.deflate, .stored, .deflate, .stored])
        #expect(archive.entries.map(\.isDirectory) == [false, false, false, true])
        let big = try #require(archive.entry(named: "pkg/big.txt"))
        #expect(big.uncompressedSize == 1_000_000)
        #expect(big.compressedSize < big.uncompressedSize)
        await #expect(try archive.data(of: big) == expected("1000000"))
        await #expect(try archive.data(of: try #require(archive.entry(named: "pkg/stored.bin"))) == expected("70000"))
        #expect(try archive.data(of: try #require(archive.entry(named: "pkg/empty.py"))).isEmpty)
        #expect(try archive.data(of: try #require(archive.entry(named: "pkg/sub/"))).isEmpty)
        var chunks = 0
        try archive.read(big) { _ in chunks += 1 }
        #expect(chunks >= 4)  // 1 MB through a 256 KiB buffer
    }

    @Test func readsZip64Archives() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = try await makeZip(in: dir, zip64: true)
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // The zip64 end of central directory record and locator are really there.
        #expect(raw.indices.dropLast(4).contains { raw[$0] == 0x50 && raw[$0 + 1] == 0x4b && raw[$0 + 2] == 6 && raw[$0 + 3] == 6 })
        let archive = try ZipArchive(path: path)
        #expect(archive.entries.count == 4)
        await #expect(try archive.data(of: try #require(archive.entry(named: "pkg/big.txt"))) == expected("1000000"))
        await #expect(try archive.data(of: try #require(archive.entry(named: "pkg/stored.bin"))) == expected("70000"))
    }

    @Test func concurrentReadsShareOneArchive() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let archive = try await ZipArchive(path: try makeZip(in: dir))
        let want = try await expected("1000000")
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    guard let entry = archive.entry(named: "pkg/big.txt") else { return false }
                    return (try? archive.data(of: entry)) == want
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 6))
    }

    @Test func truncatedDeflateStreamFails() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        // Halve the compressed size of the deflated member: the stream ends before Z_STREAM_END.
        let path = try await makeZip(
            in: dir,
            edit: """
                csize = struct.unpack('<I', data[cds[0]+20:cds[0]+24])[0]
                put(data, cds[0]+20, '<I', csize // 2)
                """)
        expectFailure(path, .zip, "truncated")
    }

    @Test func declaredSizeSmallerThanRealIsABomb() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = try await makeZip(in: dir, edit: "put(data, cds[0]+24, '<I', 1000)")
        expectFailure(path, .zip, "more than the declared 1000 bytes")
    }

    @Test func declaredSizeLargerThanRealFails() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = try await makeZip(in: dir, edit: "put(data, cds[0]+24, '<I', 1000001)")
        expectFailure(path, .zip, "inflates to 1000000 bytes, declared 1000001")
    }

    @Test func crcMismatchFails() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = try await makeZip(in: dir, edit: "put(data, cds[0]+16, '<I', 0x12345678)")
        expectFailure(path, .zip, "CRC-32 mismatch")
    }

    @Test func changedStoredByteFailsTheCRC() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = try await makeZip(
            in: dir,
            edit: """
                off = struct.unpack('<I', data[cds[1]+42:cds[1]+46])[0]
                n, m = struct.unpack('<HH', data[off+26:off+30])
                data[off + 30 + n + m + 500] ^= 0x01
                """)
        expectFailure(path, .zip, "CRC-32 mismatch")
    }

    @Test func corruptDeflateDataFails() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = try await makeZip(
            in: dir,
            edit: """
                off = struct.unpack('<I', data[cds[0]+42:cds[0]+46])[0]
                n, m = struct.unpack('<HH', data[off+26:off+30])
                for i in range(40): data[off + 30 + n + m + 100 + i] = 0xff
                """)
        let error = #expect(throws: PackagingError.self) {
            try ZipTestSupport.readAll(try ZipArchive(path: path))
        }
        #expect(error?.code == .zip)
    }

    @Test func pathEscapesAreRejectedAtOpen() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        for (index, name) in ["../evil", "pkg/../../evil", "/etc/passwd", "pkg\\\\evil.py", "C:/evil"].enumerated() {
            let path = dir + "/escape\(index).zip"
            try await ZipTestSupport.python(
                """
                with zipfile.ZipFile(sys.argv[1], 'w') as z:
                    z.writestr(zipfile.ZipInfo('ok.txt'), b'fine')
                    z.writestr(zipfile.ZipInfo('\(name)'), b'evil')
                """, [path])
            let error = #expect(throws: PackagingError.self) { try ZipArchive(path: path) }
            #expect(error?.code == .pathEscape, "\(name): \(error?.description ?? "")")
        }
        // NUL inside a name (Python truncates at NUL, so write 'aXb' and patch the byte).
        let path = dir + "/nul.zip"
        try await ZipTestSupport.python(
            """
            with zipfile.ZipFile(sys.argv[1], 'w') as z:
                z.writestr('aXb', b'x')
            data = bytearray(open(sys.argv[1], 'rb').read()).replace(b'aXb', b'a\\x00b')
            open(sys.argv[1], 'wb').write(bytes(data))
            """, [path])
        let error = #expect(throws: PackagingError.self) { try ZipArchive(path: path) }
        #expect(error?.code == .pathEscape)
    }

    @Test func hugeDeclaredEntryCountFails() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = try await makeZip(
            in: dir,
            edit: """
                eocd = data.rfind(b'PK\\x05\\x06')
                put(data, eocd+8, '<H', 0xfffe); put(data, eocd+10, '<H', 0xfffe)
                """)
        expectFailure(path, .zip, "declares 65534 entries")
        // A zip64 record declaring 2^40 entries is refused before anything is allocated.
        let huge64 = try await makeZip(
            in: dir, name: "huge64.zip", zip64: true,
            edit: """
                z64 = data.rfind(b'PK\\x06\\x06')
                put(data, z64+24, '<Q', 1 << 40); put(data, z64+32, '<Q', 1 << 40)
                """)
        expectFailure(huge64, .limitExceeded, "declares 1099511627776 entries")
        // And over the configured limit.
        let plain = try await makeZip(in: dir, name: "plain.zip")
        expectFailure(plain, .limitExceeded, "more than the limit of 2", limits: ZipLimits(maxEntries: 2))
    }

    @Test func memberAndTotalSizeLimits() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = try await makeZip(in: dir)
        expectFailure(path, .limitExceeded, "pkg/big.txt", limits: ZipLimits(maxMemberSize: 500_000))
        expectFailure(path, .limitExceeded, "in total", limits: ZipLimits(maxTotalUncompressed: 1_000_000))
        expectFailure(path, .limitExceeded, "too long", limits: ZipLimits(maxNameLength: 8))
        let archive = try ZipArchive(path: path)
        let big = try #require(archive.entry(named: "pkg/big.txt"))
        let error = #expect(throws: PackagingError.self) { try archive.data(of: big, maxSize: 1000) }
        #expect(error?.code == .limitExceeded)
    }

    @Test func unsupportedMethodAndEncryptionFail() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let method = try await makeZip(
            in: dir, name: "m.zip",
            edit: """
                off = struct.unpack('<I', data[cds[0]+42:cds[0]+46])[0]
                put(data, cds[0]+10, '<H', 12); put(data, off+8, '<H', 12)
                """)
        expectFailure(method, .zip, "unsupported compression method 12")
        let encrypted = try await makeZip(in: dir, name: "e.zip", edit: "data[cds[1]+8] |= 1")
        expectFailure(encrypted, .zip, "encrypted")
    }

    @Test func overlappingAndOutOfRangeMembersFail() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        // Second member's local header offset points at the first member.
        let overlap = try await makeZip(
            in: dir, name: "o.zip",
            edit: """
                put(data, cds[1]+42, '<I', struct.unpack('<I', data[cds[0]+42:cds[0]+46])[0])
                """)
        expectFailure(overlap, .zip, "overlaps")
        let outside = try await makeZip(in: dir, name: "r.zip", edit: "put(data, cds[2]+42, '<I', 0x7fffffff)")
        expectFailure(outside, .zip, "outside the data area")
        let badCD = try await makeZip(
            in: dir, name: "c.zip",
            edit: """
                eocd = data.rfind(b'PK\\x05\\x06'); put(data, eocd+16, '<I', 0x7ffffff0)
                """)
        expectFailure(badCD, .zip, "central directory")
        let badLocal = try await makeZip(
            in: dir, name: "l.zip",
            edit: """
                off = struct.unpack('<I', data[cds[1]+42:cds[1]+46])[0]; data[off] = 0
                """)
        expectFailure(badLocal, .zip, "bad local header signature")
    }

    @Test func duplicateNamesFail() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let path = dir + "/dup.zip"
        try await ZipTestSupport.python(
            """
            import warnings; warnings.simplefilter('ignore')
            with zipfile.ZipFile(sys.argv[1], 'w') as z:
                z.writestr('a.py', b'one'); z.writestr('a.py', b'two')
            """, [path])
        expectFailure(path, .zip, "duplicate member name a.py")
    }

    @Test func notAZipFails() throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        FileManager.default.createFile(atPath: dir + "/tiny", contents: Data([1, 2, 3]))
        FileManager.default.createFile(atPath: dir + "/junk", contents: Data(repeating: 0x41, count: 100_000))
        expectFailure(dir + "/tiny", .zip, "too small")
        expectFailure(dir + "/junk", .zip, "no end of central directory")
        expectFailure(dir + "/missing.zip", .io, "missing.zip")
    }

    /// Every prefix of a small zip, and many single-byte corruptions, either open and read
    /// correctly or throw; none may crash or hang.
    @Test func truncationsAndBitFlipsNeverCrash() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let source = dir + "/small.zip"
        try await ZipTestSupport.python(
            """
            with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
                z.writestr('a/b.txt', payload(3000)); z.writestr('a/c.txt', b'hello'); z.writestr('d/', b'')
            """, [source])
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
        let target = dir + "/mutant.zip"
        func attempt(_ bytes: [UInt8]) {
            FileManager.default.createFile(atPath: target, contents: Data(bytes))
            do {
                let archive = try ZipArchive(path: target)
                try ZipTestSupport.readAll(archive)
            } catch {
                // Throwing is the expected outcome for most mutants.
            }
        }
        for length in 0..<original.count { attempt(Array(original[0..<length])) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<1500 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var bytes = original
            let position = Int((state >> 33) % UInt64(bytes.count))
            bytes[position] = UInt8(truncatingIfNeeded: state >> 13)
            attempt(bytes)
        }
        attempt(original)
        let archive = try ZipArchive(path: target)
        #expect(try archive.data(of: try #require(archive.entry(named: "a/c.txt"))) == Array("hello".utf8))
    }
}
