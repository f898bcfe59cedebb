import Foundation
import NIOSSL

/// A custom CA bundle (pip's `cert`, `PIP_CERT`).
///
/// Guarantees: `load(path:)` fails with `configuration` unless the file is readable, at most
/// 16 MiB, holds at least one PEM `CERTIFICATE` block, and every block is a certificate the TLS
/// stack accepts. When a bundle is given, `HTTPClient` trusts exactly its certificates and
/// nothing else (as pip replaces its trust store with `cert`); without one, the system trust
/// store is used. TLS is verified in every case: this type never turns verification off.
public struct CertificateBundle: Sendable, Equatable {
    public let path: String
    /// DER bytes of each certificate in the file.
    public let certificates: [[UInt8]]

    public static let maxSize = 16 << 20

    public static func load(path: String) throws(IndexError) -> CertificateBundle {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IndexError(.configuration, "cannot read CA bundle \(path)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxSize + 1) ?? Data()
        } catch {
            throw IndexError(.configuration, "cannot read CA bundle \(path)")
        }
        guard data.count <= maxSize else {
            throw IndexError(.configuration, "CA bundle \(path) is larger than \(maxSize) bytes")
        }
        let certificates = parsePEMCertificates(String(decoding: data, as: UTF8.self))
        guard !certificates.isEmpty else {
            throw IndexError(.configuration, "CA bundle \(path) holds no PEM CERTIFICATE block")
        }
        return CertificateBundle(path: path, certificates: certificates)
    }

    /// The bundle as TLS trust roots; a block that is not a valid certificate is a
    /// `configuration` error naming its position.
    func trustRoots() throws(IndexError) -> [NIOSSLCertificate] {
        var roots: [NIOSSLCertificate] = []
        for (index, der) in certificates.enumerated() {
            do {
                roots.append(try NIOSSLCertificate(bytes: der, format: .der))
            } catch {
                throw IndexError(.configuration, "CA bundle \(path): certificate \(index + 1) is not a valid X.509 certificate")
            }
        }
        return roots
    }

    static func parsePEMCertificates(_ text: String) -> [[UInt8]] {
        // Byte-level: a system bundle has ~150 certificates and is parsed on every run.
        let begin = Array("-----BEGIN CERTIFICATE-----".utf8)
        let end = Array("-----END CERTIFICATE-----".utf8)
        let bytes = Array(text.utf8)
        var result: [[UInt8]] = []
        var position = 0
        while let start = Self.find(begin, in: bytes, from: position),
            let stop = Self.find(end, in: bytes, from: start + begin.count)
        {
            var body: [UInt8] = []
            body.reserveCapacity(stop - start - begin.count)
            for byte in bytes[(start + begin.count)..<stop] where !Self.isWhitespace(byte) { body.append(byte) }
            if let der = Data(base64Encoded: Data(body)), !der.isEmpty { result.append([UInt8](der)) }
            position = stop + end.count
        }
        return result
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// The first index at or after `from` where `needle` occurs in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = from
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
