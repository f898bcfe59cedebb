import Attestations
import Foundation
import Publishing

/// Settings of an `IndexServer`.
///
/// Guarantees: the defaults serve on the loopback interface only (`127.0.0.1`) on a port the
/// system picks (`0`), without authentication, under the Pulp-style prefix
/// `/pypi/wheeltrust/main/simple/`; `description` never shows the password.
public struct ServerConfiguration: Sendable, CustomStringConvertible {
    /// The folder holding the distributions and their provenance files (see `IndexCatalog`).
    public var directory: String
    public var host: String
    /// `0` lets the system pick a free port; the real one is reported to `run(onStarted:)`.
    public var port: Int
    /// When set, every route requires HTTP Basic authentication with these credentials.
    public var auth: BasicCredentials?
    /// The Pulp domain (first path segment after `/pypi/`).
    public var domain: String
    /// The Pulp distribution base path (second segment).
    public var distribution: String
    /// Advertise provenance URLs without their `/api` prefix, as Pulp before 3.28 did on Red Hat's
    /// index (those URLs answer 404; clients must fall back to the `/api` form).
    public var legacyProvenanceURLs: Bool
    /// The publisher used when attestation files are wrapped and no `<file>.publisher.json` exists.
    public var defaultPublisher: Publisher
    /// Serve HTTPS with this certificate and key (plain HTTP when nil).
    public var tls: ServerTLS?
    /// Serve this publishing store (created on first use) instead of `directory`.
    public var store: String?
    /// With a store: whether requests without credentials may read. Off by default (a store is a
    /// private index: read and upload tokens say who may do what).
    public var anonymousRead: Bool
    /// With a store: the door check of uploads (the server's policy); nil: no upload is accepted.
    public var uploadGate: UploadGate?
    /// With a store: the largest distribution file an upload may carry.
    public var maxUploadSize: Int64
    /// The default `maxUploadSize`: 100 MiB, the public index's default per-file limit.
    public static let defaultMaxUploadSize: Int64 = 100 << 20

    public init(
        directory: String,
        host: String = "127.0.0.1",
        port: Int = 0,
        auth: BasicCredentials? = nil,
        domain: String = "wheeltrust",
        distribution: String = "main",
        legacyProvenanceURLs: Bool = false,
        defaultPublisher: Publisher = ServerConfiguration.pulpUserPublisher,
        tls: ServerTLS? = nil,
        store: String? = nil,
        anonymousRead: Bool = false,
        uploadGate: UploadGate? = nil,
        maxUploadSize: Int64 = ServerConfiguration.defaultMaxUploadSize
    ) {
        self.directory = directory
        self.host = host
        self.port = port
        self.auth = auth
        self.domain = domain
        self.distribution = distribution
        self.legacyProvenanceURLs = legacyProvenanceURLs
        self.defaultPublisher = defaultPublisher
        self.tls = tls
        self.store = store
        self.anonymousRead = anonymousRead
        self.uploadGate = uploadGate
        self.maxUploadSize = maxUploadSize
    }

    /// `{"kind": "Pulp User", "prn": "prn:auth.user:1"}`, the shape Pulp gives uploaded attestations.
    public static let pulpUserPublisher = Publisher(kind: "Pulp User", fields: ["prn": .string("prn:auth.user:1")])

    /// Throws `configuration` when a setting cannot work: an empty folder path, a folder that does
    /// not exist, a port outside 0…65535, a domain/distribution that is not one URL path segment,
    /// or TLS files that cannot be used.
    public func validate() throws(ServerError) {
        if let tls { _ = try tls.load() }
        if let store {
            guard !store.isEmpty else { throw ServerError(.configuration, "the store path is empty") }
            guard auth == nil else {
                throw ServerError(.configuration, "a store is served with its own tokens, not with folder credentials")
            }
        } else {
            guard !directory.isEmpty else { throw ServerError(.configuration, "the served folder path is empty") }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ServerError(.configuration, "the served folder \(directory) does not exist or is not a folder")
            }
            guard !anonymousRead else { throw ServerError(.configuration, "anonymous read is a setting of a store") }
        }
        guard maxUploadSize > 0 else { throw ServerError(.configuration, "the upload size limit must be positive") }
        guard (0...65535).contains(port) else { throw ServerError(.configuration, "port \(port) is outside 0…65535") }
        guard !host.isEmpty else { throw ServerError(.configuration, "the host is empty") }
        for (label, segment) in [("domain", domain), ("distribution", distribution)] {
            guard Self.isPathSegment(segment) else {
                throw ServerError(.configuration, "\(label) '\(segment)' must be letters, digits, '-', '_' or '.'")
            }
        }
    }

    public var description: String {
        "ServerConfiguration(\(store.map { "store: \($0)" } ?? "directory: \(directory)"), host: \(host), port: \(port), auth: \(auth.map { $0.description } ?? "none"), "
            + "domain: \(domain), distribution: \(distribution), legacyProvenanceURLs: \(legacyProvenanceURLs), "
            + "tls: \(tls.map { $0.description } ?? "none"), anonymousRead: \(anonymousRead))"
    }

    /// The JSON bytes of `defaultPublisher` (`kind` plus its other fields, keys sorted).
    var defaultPublisherJSON: [UInt8] {
        var object = defaultPublisher.fields
        object["kind"] = .string(defaultPublisher.kind)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(JSONValue.object(object))).map { [UInt8]($0) } ?? Array(#"{"kind":"Pulp User"}"#.utf8)
    }

    static func isPathSegment(_ text: String) -> Bool {
        !text.isEmpty && text != "." && text != ".." && text.utf8.count <= 128
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
            }
    }
}
