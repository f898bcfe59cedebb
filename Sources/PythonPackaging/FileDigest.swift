import Crypto

/// The hash algorithms a RECORD file or an attestation subject may name and that we accept.
///
/// Only SHA-2 family members are listed; weaker algorithms (md5, sha1) are deliberately absent
/// so they can never be mistaken for a verified digest.
public enum HashAlgorithm: String, Sendable, CaseIterable, Hashable {
    case sha256
    case sha384
    case sha512

    /// Length of a digest of this algorithm in bytes.
    public var digestLength: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}

/// A digest together with the algorithm that produced it.
///
/// Guarantees `bytes.count == algorithm.digestLength` for every value built through the
/// throwing initialisers; equality compares algorithm and bytes.
public struct FileDigest: Hashable, Sendable, CustomStringConvertible {
    public let algorithm: HashAlgorithm
    public let bytes: [UInt8]

    /// Wraps raw digest bytes (callers that hash themselves know the length is right).
    public init(algorithm: HashAlgorithm, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// Parses a hexadecimal digest (either case); the length must match the algorithm.
    public init(hex: String, algorithm: HashAlgorithm) throws(PackagingError) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == algorithm.digestLength * 2 else {
            throw PackagingError(
                .invalidRecord,
                "\(algorithm.rawValue) hex digest has \(utf8.count) characters, expected \(algorithm.digestLength * 2)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(algorithm.digestLength)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else {
                throw PackagingError(.invalidRecord, "\(algorithm.rawValue) digest is not hexadecimal")
            }
            out.append(high << 4 | low)
            index += 2
        }
        self.init(algorithm: algorithm, bytes: out)
    }

    /// Parses the urlsafe-base64 (unpadded) form used in RECORD; the decoded length must match.
    public init(recordBase64 text: some StringProtocol, algorithm: HashAlgorithm) throws(PackagingError) {
        guard let decoded = URLSafeBase64.decode(text) else {
            throw PackagingError(.invalidRecord, "\(algorithm.rawValue) digest is not unpadded urlsafe base64")
        }
        guard decoded.count == algorithm.digestLength else {
            throw PackagingError(
                .invalidRecord,
                "\(algorithm.rawValue) digest decodes to \(decoded.count) bytes, expected \(algorithm.digestLength)")
        }
        self.init(algorithm: algorithm, bytes: decoded)
    }

    /// Lowercase hexadecimal.
    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The RECORD form, e.g. `sha256=<urlsafe base64 without padding>`.
    public var recordValue: String {
        "\(algorithm.rawValue)=\(URLSafeBase64.encode(bytes))"
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// The digest of `bytes` with `algorithm`: the one one-shot digest of bytes in memory (over
    /// `StreamingHasher`).
    public static func compute(_ bytes: some Collection<UInt8>, algorithm: HashAlgorithm) -> FileDigest {
        var hasher = StreamingHasher(algorithm: algorithm)
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            hasher.update(UnsafeRawBufferPointer(buffer))
        }
        if contiguous == nil { hasher.update(Array(bytes)) }
        return hasher.finalize()
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): char - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Incremental hashing over raw buffers with one of the accepted algorithms (swift-crypto).
///
/// Feed any number of buffers with `update`, then call `finalize` once; no copies of the input
/// are made.
public struct StreamingHasher: Sendable {
    private enum State: Sendable {
        case sha256(SHA256)
        case sha384(SHA384)
        case sha512(SHA512)
    }

    public let algorithm: HashAlgorithm
    private var state: State

    public init(algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha384: state = .sha384(SHA384())
        case .sha512: state = .sha512(SHA512())
        }
    }

    /// Adds `buffer` to the running hash.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var hasher):
            hasher.update(bufferPointer: buffer)
            state = .sha256(hasher)
        case .sha384(var hasher):
            hasher.update(bufferPointer: buffer)
            state = .sha384(hasher)
        case .sha512(var hasher):
            hasher.update(bufferPointer: buffer)
            state = .sha512(hasher)
        }
    }

    /// Adds a byte collection to the running hash.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Returns the digest of everything fed so far.
    public func finalize() -> FileDigest {
        switch state {
        case .sha256(let hasher): FileDigest(algorithm: algorithm, bytes: Array(hasher.finalize()))
        case .sha384(let hasher): FileDigest(algorithm: algorithm, bytes: Array(hasher.finalize()))
        case .sha512(let hasher): FileDigest(algorithm: algorithm, bytes: Array(hasher.finalize()))
        }
    }
}
