import Foundation

/// A custom CA bundle (pip's `cert`, `PIP_CERT`, `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`).
///
/// Guarantees: `load(path:)` fails with `configuration` unless the file is readable, at most
/// 16 MiB, and holds at least one PEM `CERTIFICATE` block. TLS is verified in every case; this
/// type never turns verification off.
///
/// How the bundle reaches the TLS stack depends on the platform's Foundation:
/// - Darwin: `HTTPClient`'s session delegate evaluates the server trust against these anchors
///   only (`SecTrustSetAnchorCertificates` + `SecTrustSetAnchorCertificatesOnly`), as pip
///   replaces its trust store with `cert`.
/// - Android: swift-corelibs-foundation reads the variable `URLSessionCertificateAuthorityInfoFile`
///   for each transfer and hands it to libcurl as `CAINFO`; `HTTPClient` sets it to the bundle
///   (and never leaves it at the `INSECURE_SSL_NO_VERIFY` value, which would disable checks).
/// - Linux: swift-corelibs-foundation reads that variable only under `#if os(Android)`
///   (`_EasyHandle.setCARootBundlePath`, checked in the toolchain's libFoundationNetworking:
///   the string is absent) and otherwise points libcurl at the first system bundle it finds
///   (`/etc/ssl/certs/ca-certificates.crt`, `/etc/pki/tls/certs/ca-bundle.crt`, …). There is no
///   public per-session hook, so on Linux the bundle is validated but cannot be applied: the
///   system trust store is used, and a TLS trust failure says so (install the CA into the system
///   store, e.g. `update-ca-certificates`). `isApplied` reports which case holds.
public struct CertificateBundle: Sendable, Equatable {
    public let path: String
    /// DER bytes of each certificate in the file.
    public let certificates: [[UInt8]]

    public static let maxSize = 16 << 20

    /// Whether this platform's URLSession can be made to use the bundle.
    public static var isApplied: Bool {
        #if canImport(Security) || os(Android)
        return true
        #else
        return false
        #endif
    }

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

    /// Android only: points corelibs-foundation's libcurl at the bundle (process-wide).
    func applyToEnvironment() {
        #if os(Android)
        setenv("URLSessionCertificateAuthorityInfoFile", path, 1)
        #endif
    }

    /// Android only: make sure verification was not disabled through the environment.
    static func refuseInsecureEnvironment() {
        #if os(Android)
        if let value = getenv("URLSessionCertificateAuthorityInfoFile"),
           String(cString: value) == "INSECURE_SSL_NO_VERIFY" {
            unsetenv("URLSessionCertificateAuthorityInfoFile")
        }
        #endif
    }
}
