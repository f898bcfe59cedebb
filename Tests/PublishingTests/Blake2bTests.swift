import Foundation
import TestSupport
import Testing

@testable import Publishing

/// BLAKE2b against RFC 7693's own vector and Python's hashlib (a second, independent
/// implementation, run in the test).
@Suite struct Blake2bTests {
    @Test func rfc7693AppendixAVector() {
        var hash = Blake2b(digestLength: 64)
        hash.update(Array("abc".utf8))
        #expect(
            UploadDigester.hex(hash.finalize())
                == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    @Test func matchesPythonsHashlibForManyLengthsAndSplits() async throws {
        let lengths = [0, 1, 127, 128, 129, 255, 256, 257, 1000, 70_000]
        var expected: [String] = []
        let script =
            "import hashlib\nfor n in \(lengths):\n    print(hashlib.blake2b(bytes(i % 251 for i in range(n)), digest_size=32).hexdigest())\n"
        let output = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script]).stdout
        expected = String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
        try #require(expected.count == lengths.count)
        for (length, want) in zip(lengths, expected) {
            let bytes = (0..<length).map { UInt8($0 % 251) }
            for split in [1, 7, 128, 4096] {
                var hash = Blake2b(digestLength: 32)
                var offset = 0
                while offset < bytes.count {
                    let end = min(bytes.count, offset + split)
                    hash.update(Array(bytes[offset..<end]))
                    offset = end
                }
                #expect(UploadDigester.hex(hash.finalize()) == want, "length \(length), split \(split)")
            }
        }
    }
}
