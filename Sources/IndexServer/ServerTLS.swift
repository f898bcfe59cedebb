import Foundation
import NIOSSL

/// The certificate and key `serve` presents over HTTPS.
///
/// Guarantees: `load()` reads a PEM certificate chain (leaf first) and a PEM private key, and
/// fails with `configuration`, naming the file, when either cannot be read or parsed, or when
/// the key does not belong to the leaf certificate; nothing is served half-configured. The key
/// never appears in `description` or in errors.
public struct ServerTLS: Sendable, Equatable, CustomStringConvertible {
    public var certificateChainPath: String
    public var privateKeyPath: String

    public init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }

    public var description: String { "TLS(certificate: \(certificateChainPath), key: \(privateKeyPath))" }

    /// The server-side NIOSSL configuration (TLS 1.2 minimum, no client certificates).
    func load() throws(ServerError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateChainPath)
        } catch {
            throw ServerError(.configuration, "TLS certificate \(certificateChainPath) cannot be read as PEM certificates")
        }
        guard let leaf = chain.first else {
            throw ServerError(.configuration, "TLS certificate \(certificateChainPath) holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch {
            throw ServerError(.configuration, "TLS key \(privateKeyPath) cannot be read as a PEM private key")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: ([leaf] + chain.dropFirst()).map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // BoringSSL checks here that the key belongs to the leaf certificate.
        do {
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerError(.configuration, "TLS key \(privateKeyPath) does not belong to the certificate in \(certificateChainPath)")
        }
        return configuration
    }
}
