import Foundation
import Testing

@testable import PythonPackaging

/// Real published wheels, and tampered copies rebuilt with Python's zipfile.
@Suite struct WheelTests {
    static let realWheels = [
        "rfc8785-0.1.2-py3-none-any.whl",
        "abi3info-2024.10.3-py3-none-any.whl",
        "shelf_reader-0.1-py2-none-any.whl",
    ]

    /// Rewrites `source` into `dir/<filename>`. `body` is Python run per member with `name`,
    /// `data` and `method` in scope; it may change them or set `skip = True`. `extra` is Python
    /// run at the end with the open output zip as `zout`.
    private func rewrite(
        _ source: String, into dir: String, filename: String? = nil,
        body: String = "", extra: String = ""
    ) async throws -> String {
        let target = dir + "/" + (filename ?? URL(fileURLWithPath: source).lastPathComponent)
        try await ZipTestSupport.python(
            """
            zin = zipfile.ZipFile(sys.argv[1])
            with zipfile.ZipFile(sys.argv[2], 'w') as zout:
                for info in zin.infolist():
                    name, data, method, skip = info.filename, zin.read(info), info.compress_type, False
            \(body.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
                    if not skip:
                        zout.writestr(zipfile.ZipInfo(name, info.date_time), data, compress_type=method)
            \(extra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            """, [source, target])
        return target
    }

    @Test(arguments: realWheels)
    func realWheelsOpenAndAreClean(_ name: String) throws {
        let wheel = try Wheel.open(path: try ZipTestSupport.fixture(name))
        #expect(wheel.filename.filename == name)
        #expect(wheel.distInfoDirectory.hasSuffix(".dist-info"))
        #expect(wheel.dataDirectory == String(wheel.distInfoDirectory.dropLast(".dist-info".count)) + ".data")
        #expect(wheel.coreMetadata.name == wheel.filename.name)
        #expect(!wheel.coreMetadataBytes.isEmpty)
        #expect(wheel.record.entry(for: wheel.distInfoDirectory + "/RECORD")?.hash == RecordHash.none)
        let report = try wheel.checkMembers()
        #expect(report.isClean, "\(report)")
        #expect(report == WheelMemberReport())
    }

    @Test func rfc8785Details() throws {
        let wheel = try Wheel.open(path: try ZipTestSupport.fixture("rfc8785-0.1.2-py3-none-any.whl"))
        #expect(wheel.distInfoDirectory == "rfc8785-0.1.2.dist-info")
        #expect(wheel.dataDirectory == "rfc8785-0.1.2.data")
        #expect(wheel.record.entries.count == 7)
        #expect(wheel.metadata.rootIsPurelib)
        #expect(wheel.coreMetadata.rawVersion == "0.1.2")
        let typed = try #require(wheel.record.entry(for: "rfc8785/py.typed"))
        #expect(typed.size == 0)
    }

    @Test func changedByteInARewrittenMemberIsMismatched() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let source = try ZipTestSupport.fixture("rfc8785-0.1.2-py3-none-any.whl")
        let tampered = try await rewrite(
            source, into: dir,
            body: """
                if name == 'rfc8785/_impl.py':
                    data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
                    method = zipfile.ZIP_STORED
                """)
        let report = try Wheel.open(path: tampered).checkMembers()
        #expect(report.mismatched == ["rfc8785/_impl.py"])
        #expect(report.unrecorded.isEmpty && report.missing.isEmpty)
        #expect(!report.isClean)
    }

    @Test func byteFlippedInPlaceInAStoredMemberThrows() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let source = try ZipTestSupport.fixture("rfc8785-0.1.2-py3-none-any.whl")
        // All-stored copy, then one byte of rfc8785/_impl.py changed in the file itself.
        let stored = try await rewrite(source, into: dir, body: "method = zipfile.ZIP_STORED")
        try await ZipTestSupport.python(
            """
            data = bytearray(open(sys.argv[1], 'rb').read())
            at = data.index(b'def ') + 2
            data[at] ^= 0x20
            open(sys.argv[1], 'wb').write(bytes(data))
            """, [stored])
        let wheel = try Wheel.open(path: stored)
        let error = #expect(throws: PackagingError.self) { try wheel.checkMembers() }
        #expect(error?.code == .zip)
        #expect(error?.message.contains("CRC-32") == true)
    }

    @Test func addedAndRemovedMembersAreReported() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let source = try ZipTestSupport.fixture("abi3info-2024.10.3-py3-none-any.whl")
        let tampered = try await rewrite(
            source, into: dir,
            body: """
                skip = name == 'abi3info/models.py'
                """,
            extra: """
                zout.writestr('abi3info/evil.py', b'import os\\n')
                zout.writestr('abi3info/', b'')
                """)
        let report = try Wheel.open(path: tampered).checkMembers()
        #expect(report.unrecorded == ["abi3info/evil.py"])
        #expect(report.missing == ["abi3info/models.py"])
        #expect(report.mismatched.isEmpty)
    }

    @Test func weakHashesAndMissingHashesAreReported() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let source = try ZipTestSupport.fixture("rfc8785-0.1.2-py3-none-any.whl")
        let tampered = try await rewrite(
            source, into: dir,
            body: """
                if name.endswith('/RECORD'):
                    lines = data.decode().splitlines()
                    lines = [('rfc8785/__init__.py,md5=AAAAAAAAAAAAAAAAAAAAAA,496' if l.startswith('rfc8785/__init__.py,') else
                              'rfc8785/py.typed,,0' if l.startswith('rfc8785/py.typed,') else l) for l in lines]
                    data = ('\\r\\n'.join(lines) + '\\r\\n').encode()
                """)
        let report = try Wheel.open(path: tampered).checkMembers()
        #expect(report.unsupportedHash == ["rfc8785/__init__.py"])
        #expect(report.mismatched == ["rfc8785/py.typed"])
        #expect(!report.isClean)
    }

    @Test func wrongSizeInRecordIsMismatched() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let source = try ZipTestSupport.fixture("rfc8785-0.1.2-py3-none-any.whl")
        let tampered = try await rewrite(
            source, into: dir,
            body: """
                if name.endswith('/RECORD'):
                    data = data.replace(b',6963', b',6964')
                """)
        #expect(try Wheel.open(path: tampered).checkMembers().mismatched == ["rfc8785/_impl.py"])
    }

    @Test func signatureFilesMayBeUnhashedOrUnlisted() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let source = try ZipTestSupport.fixture("rfc8785-0.1.2-py3-none-any.whl")
        let signed = try await rewrite(
            source, into: dir,
            body: """
                if name.endswith('/RECORD'):
                    data = data + b'rfc8785-0.1.2.dist-info/RECORD.jws,,\\n'
                """,
            extra: """
                zout.writestr('rfc8785-0.1.2.dist-info/RECORD.jws', b'{}')
                zout.writestr('rfc8785-0.1.2.dist-info/RECORD.p7s', b'sig')
                """)
        let report = try Wheel.open(path: signed).checkMembers()
        #expect(report.isClean, "\(report)")
    }

    @Test func structuralProblemsThrow() async throws {
        let dir = try ZipTestSupport.makeTemporaryDirectory()
        defer { ZipTestSupport.removeDirectory(dir) }
        let source = try ZipTestSupport.fixture("rfc8785-0.1.2-py3-none-any.whl")

        let twoDistInfos = try await rewrite(
            source, into: dir, filename: "rfc8785-0.1.2-py3-none-any.whl",
            extra: """
                zout.writestr('other-1.0.dist-info/RECORD', b'')
                """)
        var error = #expect(throws: PackagingError.self) { try Wheel.open(path: twoDistInfos) }
        #expect(error?.message.contains("exactly one") == true)

        let renamed = dir + "/other-0.1.2-py3-none-any.whl"
        try FileManager.default.copyItem(atPath: source, toPath: renamed)
        error = #expect(throws: PackagingError.self) { try Wheel.open(path: renamed) }
        #expect(error?.code == .invalidMetadata)

        let noRecord = dir + "/norecord"
        try FileManager.default.createDirectory(atPath: noRecord, withIntermediateDirectories: true)
        let withoutRecord = try await rewrite(
            source, into: noRecord,
            body: """
                if name.endswith('.dist-info/RECORD'):
                    name = 'rfc8785/RECORD'
                """)
        error = #expect(throws: PackagingError.self) { try Wheel.open(path: withoutRecord) }
        #expect(error?.message.contains("missing rfc8785-0.1.2.dist-info/RECORD") == true)

        let badName = dir + "/not-a-wheel.zip"
        try FileManager.default.copyItem(atPath: source, toPath: badName)
        error = #expect(throws: PackagingError.self) { try Wheel.open(path: badName) }
        #expect(error?.code == .invalidFilename)

        let evilDir = dir + "/evil"
        try FileManager.default.createDirectory(atPath: evilDir, withIntermediateDirectories: true)
        let escaping = try await rewrite(source, into: evilDir, extra: "zout.writestr('../evil.pth', b'import os')")
        error = #expect(throws: PackagingError.self) { try Wheel.open(path: escaping) }
        #expect(error?.code == .pathEscape)
    }
}
