import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Publishing
import ServiceLifecycle

/// A small Python package index serving a folder or a publishing store over HTTP, shaped like Pulp
/// (Red Hat's index): PEP 503/691 Simple API, PEP 658 metadata files, PEP 740 provenance via the
/// Integrity API, and optional HTTP Basic authentication (`--auth` for a folder, the store's
/// tokens for a store). See `IndexCatalog` for the folder layout, `PublishingStore` for the store.
///
/// Guarantees: `run(onStarted:)` validates the configuration before binding, reports the real
/// index URL (never containing credentials) once the socket listens, and re-reads the folder on
/// every request, so files can be added while it runs.
public final class IndexServer: Sendable {
    public let configuration: ServerConfiguration

    public init(configuration: ServerConfiguration) {
        self.configuration = configuration
    }

    /// `https` when TLS is configured, else `http`.
    public var scheme: String { configuration.tls == nil ? "http" : "https" }

    /// The index URL for a given bound port: `http(s)://<host>:<port>/pypi/<domain>/<distribution>/simple/`.
    public func indexURL(port: Int) -> URL {
        let layout = layout
        // A wildcard bind address is reachable through loopback; show that.
        let host: String
        switch configuration.host {
        case "0.0.0.0": host = "127.0.0.1"
        case "::": host = "[::1]"
        case let other where other.contains(":"): host = "[\(other)]"
        case let other: host = other
        }
        return URL(string: "\(scheme)://\(host):\(port)\(layout.simplePrefix)") ?? URL(fileURLWithPath: "/")
    }

    /// Serves until the surrounding task is cancelled (or, with `handlingSignals`, until SIGINT or
    /// SIGTERM, shutting down gracefully). `onStarted` receives the index URL once listening.
    public func run(handlingSignals: Bool = false, onStarted: @escaping @Sendable (URL) -> Void) async throws {
        try await makeServiceGroup(handlingSignals: handlingSignals, onStarted: onStarted).run()
    }

    /// Starts the server in a background task and returns once it listens (for tests and embedding).
    /// Its tasks run on ``ServerExecutor``'s threads, so the embedding process's own work cannot
    /// keep it from answering.
    public func start() async throws -> RunningIndexServer {
        let gate = StartGate()
        let group = try makeServiceGroup(handlingSignals: false) { gate.finish(.success($0)) }
        let task = Task<Void, any Error>(executorPreference: ServerExecutor.shared) {
            do {
                try await group.run()
                gate.finish(.failure(ServerError(.server, "the index server stopped before it started")))
            } catch {
                gate.finish(.failure(error))
                throw error
            }
        }
        do {
            return RunningIndexServer(indexURL: try await gate.wait(), group: group, task: task)
        } catch {
            task.cancel()
            throw error
        }
    }

    private func makeServiceGroup(handlingSignals: Bool, onStarted: @escaping @Sendable (URL) -> Void) throws(ServerError) -> ServiceGroup {
        try configuration.validate()
        let server: HTTPServerBuilder
        if let tls = configuration.tls {
            do {
                server = try .tls(.http1(configuration: Self.http1), tlsConfiguration: try tls.load())
            } catch let error as ServerError {
                throw error
            } catch {
                throw ServerError(.configuration, "TLS cannot be set up with \(tls.certificateChainPath)")
            }
        } else {
            server = .http1(configuration: Self.http1)
        }
        let origin = OriginBox(value: "\(scheme)://\(configuration.host):\(configuration.port)")
        // The door check judges rules scoped to an index against this server's own URL, known
        // once the socket listens; until then uploads are not accepted.
        let gateBox = GateBox()
        let source: any IndexSource
        let access: IndexAccess
        let store: PublishingStore?
        let claim: ServingClaim?
        if let storePath = configuration.store {
            do {
                let opened = try PublishingStore(directory: URL(fileURLWithPath: storePath))
                claim = try opened.claimForServing()
                store = opened
            } catch {
                throw ServerError(error.code == .configuration ? .configuration : .io, error.message)
            }
            source = StoreCatalog(store: store!)
            access = .store(StoreAccess(store: store!, anonymousRead: configuration.anonymousRead))
        } else {
            store = nil
            claim = nil
            source = FolderSource(
                catalog: IndexCatalog(directory: configuration.directory), defaultPublisherJSON: configuration.defaultPublisherJSON)
            access = configuration.auth.map { .basic(BasicAuthenticator(credentials: $0)) } ?? .open
        }
        let responder = IndexResponder(
            layout: layout,
            source: source,
            pages: SimplePages(layout: layout, source: source),
            access: access,
            store: store,
            servingClaim: claim,
            uploads: store.map { store in
                UploadResponder(
                    layout: layout, store: store, access: access, gate: { gateBox.get() }, maxUploadSize: configuration.maxUploadSize)
            },
            fallbackOrigin: { origin.get() },
            scheme: scheme
        )
        // Escapes what clients send before it reaches the log (`ServerLogHandler`).
        var logger = Logger(label: "wheeltrust.serve", factory: { ServerLogHandler(label: $0) })
        logger.logLevel = .warning
        let app = Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "wheeltrust"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? self.configuration.port
                let url = self.indexURL(port: port)
                origin.set("\(url.scheme ?? "http")://\(url.host ?? self.configuration.host):\(port)")
                if let gate = self.configuration.uploadGate { gateBox.set(gate.serving(at: url)) }
                onStarted(url)
            },
            logger: logger
        )
        return ServiceGroup(
            configuration: .init(
                services: [app], gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [], logger: logger))
    }

    /// HTTP/1 with a response's own reason phrase on its status line (``ReasonPhrase``).
    private static var http1: HTTP1Channel.Configuration {
        .init(additionalChannelHandlers: [ReasonPhrase.Installer()])
    }

    private var layout: IndexLayout {
        IndexLayout(
            domain: configuration.domain, distribution: configuration.distribution,
            legacyProvenanceURLs: configuration.legacyProvenanceURLs)
    }
}

/// A server started by `IndexServer.start()`.
///
/// Guarantees: `stop()` returns only after the listening socket is closed.
public final class RunningIndexServer: Sendable {
    /// The index URL (no credentials), e.g. `http://127.0.0.1:PORT/pypi/wheeltrust/main/simple/`.
    public let indexURL: URL
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(indexURL: URL, group: ServiceGroup, task: Task<Void, any Error>) {
        self.indexURL = indexURL
        self.group = group
        self.task = task
    }

    /// The port the server listens on.
    public var port: Int { indexURL.port ?? 0 }

    /// Shuts down gracefully (in-flight requests finish); after 5 seconds the server task is cancelled.
    public func stop() async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: .seconds(5))
            task.cancel()
        }
        _ = await task.result
        deadline.cancel()
    }
}

/// A one-shot hand-over of the start result from the server task to `start()`.
private final class StartGate: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<URL, any Error>?
    private var continuation: CheckedContinuation<URL, any Error>?

    func finish(_ outcome: Result<URL, any Error>) {
        lock.lock()
        guard result == nil else { lock.unlock(); return }
        result = outcome
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume(with: outcome)
    }

    func wait() async throws -> URL {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if let result {
                lock.unlock()
                continuation.resume(with: result)
            } else {
                self.continuation = continuation
                lock.unlock()
            }
        }
    }
}

/// The listening origin, set once the port is known.
private final class OriginBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String

    init(value: String) { self.value = value }

    func get() -> String {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    func set(_ newValue: String) {
        lock.lock()
        value = newValue
        lock.unlock()
    }
}

/// The upload gate, set once the server's own URL is known.
private final class GateBox: @unchecked Sendable {
    private let lock = NSLock()
    private var gate: UploadGate?

    func get() -> UploadGate? {
        lock.lock()
        defer { lock.unlock() }
        return gate
    }

    func set(_ newValue: UploadGate) {
        lock.lock()
        gate = newValue
        lock.unlock()
    }
}
