import Crypto

/// Length and hash checks of fetched bytes against what a parent role lists.
enum TUFHashes {
    static func digest(_ algorithm: String, of bytes: [UInt8]) -> [UInt8]? {
        switch algorithm {
        case "sha256": Array(SHA256.hash(data: bytes))
        case "sha384": Array(SHA384.hash(data: bytes))
        case "sha512": Array(SHA512.hash(data: bytes))
        default: nil
        }
    }

    /// The first algorithm (sorted) whose digest differs, nil when every listed hash matches.
    static func firstMismatch(_ bytes: [UInt8], hashes: [String: [UInt8]]) -> String? {
        for algorithm in hashes.keys.sorted() {
            guard let expected = hashes[algorithm], digest(algorithm, of: bytes) == expected else { return algorithm }
        }
        return nil
    }

    /// The hash that names a consistent-snapshot target file: sha256 when listed, else the first sorted.
    static func preferred(_ hashes: [String: [UInt8]]) -> (algorithm: String, digest: [UInt8])? {
        if let sha256 = hashes["sha256"] { return ("sha256", sha256) }
        guard let first = hashes.keys.sorted().first, let digest = hashes[first] else { return nil }
        return (first, digest)
    }
}
