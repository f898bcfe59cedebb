import Crypto
import PythonPackaging

/// Hashes an uploaded file while it streams to disk, with every algorithm an upload form may
/// state a digest in: SHA-256 (`sha256_digest`, the one the store keys by), MD5 (`md5_digest`)
/// and BLAKE2b-256 (`blake2_256_digest`).
///
/// Guarantees: `finalize()` gives the digests and the size of exactly the bytes passed to
/// `update`, in order; memory stays constant whatever the size.
public struct UploadDigester: Sendable {
    private var sha256 = SHA256()
    private var md5 = Insecure.MD5()
    private var blake2 = Blake2b(digestLength: 32)
    private var size: Int64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: bytes)
        md5.update(bufferPointer: bytes)
        blake2.update(bytes)
        size += Int64(bytes.count)
    }

    public func finalize() -> UploadDigests {
        let sha = FileDigest(algorithm: .sha256, bytes: Array(sha256.finalize()))
        return UploadDigests(
            sha256: SHA256Hex(sha), md5Hex: Self.hex(Array(md5.finalize())), blake2b256Hex: Self.hex(blake2.finalize()), size: size)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The digests and size of one uploaded file, as `UploadDigester` computed them (lowercase hex).
public struct UploadDigests: Sendable, Hashable {
    public var sha256: SHA256Hex
    public var md5Hex: String
    public var blake2b256Hex: String
    public var size: Int64

    public init(sha256: SHA256Hex, md5Hex: String, blake2b256Hex: String, size: Int64) {
        self.sha256 = sha256
        self.md5Hex = md5Hex
        self.blake2b256Hex = blake2b256Hex
        self.size = size
    }
}
