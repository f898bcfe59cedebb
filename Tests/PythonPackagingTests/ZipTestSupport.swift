import Foundation
import TestSupport
import Testing

@testable import PythonPackaging

/// Helpers for the zip, hashing and wheel tests: a per-test temporary directory and a way to
/// build real zip files with the system's `python3 -c 'import zipfile ...'`.
enum ZipTestSupport {
    /// A fresh empty directory under the system temporary directory.
    static func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("wheeltrust-pp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Python helpers available to every script: `cd_offsets(data)` lists the offsets of the
    /// central directory records; `put(data, pos, fmt, value)` overwrites a packed field.
    static let prelude = """
        import zipfile, struct, sys, os, io
        def cd_offsets(data):
            eocd = data.rfind(b'PK\\x05\\x06')
            cnt, size, off = struct.unpack('<HII', data[eocd+10:eocd+20])
            res = []; p = off
            for i in range(cnt):
                n, m, k = struct.unpack('<HHH', data[p+28:p+34])
                res.append(p); p += 46 + n + m + k
            return res
        def put(data, pos, fmt, value):
            data[pos:pos+struct.calcsize(fmt)] = struct.pack(fmt, value)
        def payload(n):
            out = bytearray(); x = 12345
            while len(out) < n:
                x = (x * 1103515245 + 12345) & 0x7fffffff
                out += (b'line %d of some text\\n' % (x % 1000)) if x % 3 else bytes([x & 255, (x >> 8) & 255])
            return bytes(out[:n])

        """

    /// Runs `python3 -c <prelude + script> args...`; returns stdout; throws on a non-zero exit.
    @discardableResult
    static func python(_ script: String, _ arguments: [String] = []) async throws -> String {
        let result = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", prelude + script] + arguments)
        guard result.status == 0 else { throw PythonFailure(stderr: result.stderrText) }
        return result.stdoutText
    }

    struct PythonFailure: Error, CustomStringConvertible {
        var stderr: String
        var description: String { "python3 failed: \(stderr)" }
    }

    /// The path of a file in the test bundle's Fixtures folder.
    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return url.path
    }

    /// Reads every member of `archive` fully (through `read`), returning the names in order.
    static func readAll(_ archive: ZipArchive) throws(PackagingError) {
        for entry in archive.entries {
            try archive.read(entry) { _ in }
        }
    }
}
