import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Why one HTTP exchange failed below HTTP (no usable response), classified for retry decisions
/// and for a one-line message.
///
/// Guarantees: only connection-level failures (refused, reset or closed, DNS, timeouts) are
/// retryable; TLS failures, cancellation and anything unrecognised never are.
struct TransportFailure: Error, Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case timedOut, refused, hostNotFound, connectionLost, tls, cancelled, other
    }

    let kind: Kind
    /// A short reason, safe to print (never holds a URL or credentials).
    let reason: String

    var isRetryable: Bool {
        switch kind {
        case .timedOut, .refused, .hostNotFound, .connectionLost: return true
        case .tls, .cancelled, .other: return false
        }
    }

    /// An attempt that saw nothing for `timeout` seconds (connect or idle timeout).
    static func timedOut(_ timeout: TimeInterval) -> TransportFailure {
        TransportFailure(kind: .timedOut, reason: "timed out: no answer within the \(RequestBudget.seconds(timeout)) s timeout")
    }

    /// Classifies an error thrown by AsyncHTTPClient, SwiftNIO or NIOSSL.
    static func classify(_ error: any Error, timeout: TimeInterval) -> TransportFailure {
        if let failure = error as? TransportFailure { return failure }
        if error is CancellationError { return TransportFailure(kind: .cancelled, reason: "cancelled") }
        if let http = error as? HTTPClientError {
            switch http {
            case .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return timedOut(timeout)
            case .remoteConnectionClosed, .uncleanShutdown:
                return TransportFailure(kind: .connectionLost, reason: "connection lost")
            case .cancelled, .requestStreamCancelled:
                return TransportFailure(kind: .cancelled, reason: "cancelled")
            case .proxyAuthenticationRequired:
                return TransportFailure(kind: .other, reason: "the proxy requires authentication")
            default:
                return TransportFailure(kind: .other, reason: "HTTP client error (\(http.shortDescription))")
            }
        }
        if let connection = error as? NIOConnectionError {
            if connection.dnsAError != nil || connection.dnsAAAAError != nil, connection.connectionErrors.isEmpty {
                return TransportFailure(kind: .hostNotFound, reason: "host not found")
            }
            if let first = connection.connectionErrors.first {
                return classify(first.error, timeout: timeout)
            }
            return TransportFailure(kind: .hostNotFound, reason: "host not found")
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return TransportFailure(kind: .refused, reason: "connection refused")
            case ECONNRESET, EPIPE, ECONNABORTED: return TransportFailure(kind: .connectionLost, reason: "connection lost")
            case ETIMEDOUT: return timedOut(timeout)
            case EHOSTUNREACH, ENETUNREACH: return TransportFailure(kind: .refused, reason: "host unreachable")
            default: return TransportFailure(kind: .other, reason: "I/O error \(io.errnoCode)")
            }
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return timedOut(timeout)
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed:
                return TransportFailure(kind: .connectionLost, reason: "connection lost")
            default: return TransportFailure(kind: .other, reason: "channel error")
            }
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return TransportFailure(kind: .tls, reason: "TLS verification failed: the certificate does not name this host")
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            let text = String(describing: error)
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return TransportFailure(kind: .tls, reason: "TLS verification failed: the server certificate is not trusted")
            }
            return TransportFailure(kind: .tls, reason: "TLS handshake failed")
        }
        return TransportFailure(kind: .other, reason: "transfer failed (\(type(of: error)))")
    }
}

extension HTTPClientError {
    /// The case name only (AsyncHTTPClient's description may carry request details).
    fileprivate var shortDescription: String {
        let text = String(describing: self)
        let name = text.split(separator: "(").first.map(String.init) ?? text
        return String(name.prefix(60))
    }
}
