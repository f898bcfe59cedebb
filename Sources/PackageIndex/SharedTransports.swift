import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// Process-wide AsyncHTTPClient instances, one per distinct transport setting (trust roots,
/// timeout, proxy), so connections are pooled across `HTTPClient` values and no client ever
/// needs an explicit shutdown (they live as long as the process).
///
/// Guarantees: every transport verifies TLS fully (certificate chain and host name) against the
/// given roots or, without roots, the system trust store; TLS 1.2 is the minimum; redirects are
/// never followed by the transport (`HTTPClient` follows them itself, deciding per hop whether
/// credentials may go along); bodies are never decompressed (bytes are hashed as served);
/// failed connection attempts are not retried inside the transport (`RetryPolicy` decides).
enum SharedTransports {
    struct Key: Hashable {
        /// A digest of the CA bundle's certificates; nil = system trust store.
        let trust: String?
        let timeoutMilliseconds: Int64
        let proxy: ProxySettings.Proxy?
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var clients: [Key: AsyncHTTPClient.HTTPClient] = [:]

    static func client(
        trust: String?, roots: [NIOSSLCertificate]?, timeout: TimeInterval,
        proxy: ProxySettings.Proxy?
    ) -> AsyncHTTPClient.HTTPClient {
        let key = Key(trust: trust, timeoutMilliseconds: Int64(timeout * 1000), proxy: proxy)
        lock.lock()
        defer { lock.unlock() }
        if let existing = clients[key] { return existing }

        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        tls.minimumTLSVersion = .tlsv12
        if let roots { tls.trustRoots = .certificates(roots) }

        var configuration = AsyncHTTPClient.HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(key.timeoutMilliseconds), read: .milliseconds(key.timeoutMilliseconds)),
            decompression: .disabled
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        if let proxy {
            let authorization = proxy.user.map {
                AsyncHTTPClient.HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "")
            }
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        let client = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        clients[key] = client
        return client
    }
}
