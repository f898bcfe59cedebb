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
        let begin = "-----BEGIN CERTIFICATE-----"
        let end = "-----END CERTIFICATE-----"
        var result: [[UInt8]] = []
        var rest = text[...]
        while let start = rest.range(of: begin), let stop = rest[start.upperBound...].range(of: end) {
            let body = rest[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
            if let der = Data(base64Encoded: String(body)), !der.isEmpty { result.append([UInt8](der)) }
            rest = rest[stop.upperBound...]
        }
        return result
    }
}
