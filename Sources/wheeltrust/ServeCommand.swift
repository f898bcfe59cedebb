import ArgumentParser
import Foundation
import IndexServer

/// `wheeltrust serve …`: the index server (`serve DIR` / `serve --store DIR`, the default
/// subcommand `run`) and the store's admin commands.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a folder of wheels, or a publishing store, as a package index; manage the store.",
        subcommands: [
            ServeRunCommand.self, ServeTokenCommand.self, ServeImportCommand.self, ServeFsckCommand.self,
            ServeYankCommand.self, ServeDeleteCommand.self,
        ],
        defaultSubcommand: ServeRunCommand.self)
}

/// `wheeltrust serve DIR`: serves a folder of wheels and sdists as a Pulp-style package index with
/// PEP 740 provenance, until interrupted. `wheeltrust serve --store DIR`: serves a publishing
/// store (created on first use).
struct ServeRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serve a folder of wheels, or a publishing store, as a package index with PEP 740 provenance.",
        discussion: """
            The folder holds distributions (*.whl, *.tar.gz) and, for a file F, optionally \
            F.provenance (served verbatim by the Integrity API), F.*.attestation (wrapped into one \
            provenance bundle), F.publisher.json (that bundle's publisher). pip's index URL is \
            printed on start: http://HOST:PORT/pypi/<domain>/<distribution>/simple/ (https with \
            --tls-certificate and --tls-key; clients then need the issuing CA, e.g. pip's --cert).
            With --store DIR the index is a publishing store instead (content-addressed files, \
            SQLite metadata, tokens): readers authenticate with a token (HTTP Basic, user \
            __token__, the token as password) unless --anonymous-read.
            """)

    @Argument(help: "The folder to serve (or --store).")
    var directory: String?

    @Option(help: ArgumentHelp("Serve this publishing store (created on first use) instead of a folder.", valueName: "dir"))
    var store: String?

    @Flag(help: "With --store: let requests without credentials read the index (uploads always need a token).")
    var anonymousRead = false

    @Option(help: "The address to listen on. Only loopback addresses are allowed without --public.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: ArgumentHelp("Require HTTP Basic authentication with these credentials.", valueName: "user:token"))
    var auth: String?

    @Option(help: "The Pulp domain segment of the URLs.")
    var domain: String = "wheeltrust"

    @Option(help: "The Pulp distribution segment of the URLs.")
    var distribution: String = "main"

    @Flag(help: "Advertise provenance URLs without their /api prefix, as old Pulp did (to test client fallbacks).")
    var legacyProvenanceURLs = false

    @Flag(name: .customLong("public"), help: "Allow listening on a non-loopback address.")
    var allowPublic = false

    @Option(help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key.", valueName: "file"))
    var tlsCertificate: String?

    @Option(help: ArgumentHelp("The PEM private key of --tls-certificate.", valueName: "file"))
    var tlsKey: String?

    @OptionGroup(title: "Uploads (with --store)")
    var uploads: ServeUploadOptions

    func validate() throws {
        guard allowPublic || ListenAddress.isLoopback(host) else {
            throw UsageError("refusing to listen on non-loopback host \(host) without --public")
        }
        _ = try credentials()
        if (tlsCertificate == nil) != (tlsKey == nil) { throw UsageError("--tls-certificate and --tls-key go together") }
        switch (directory, store) {
        case (nil, nil): throw UsageError("name the folder to serve, or --store DIR")
        case (.some, .some): throw UsageError("serve either a folder or --store DIR, not both")
        case (nil, .some): if auth != nil { throw UsageError("--auth is for a folder; a store uses its tokens (serve token add)") }
        case (.some, nil):
            if anonymousRead { throw UsageError("--anonymous-read is for --store") }
            if uploads.anyGiven { throw UsageError("--policy, --allow-unattested, --max-upload-size and --upload-trusted-root are for --store") }
        }
        _ = try uploads.maxUploadBytes()
    }

    /// The credentials of `--auth`, nil without it.
    func credentials() throws -> BasicCredentials? {
        guard let auth else { return nil }
        do {
            return try BasicCredentials(parsing: auth)
        } catch {
            throw UsageError("--auth: \(error.message)")
        }
    }

    func run() async throws {
        let credentials = try credentials()
        let tls = tlsCertificate.flatMap { certificate in
            tlsKey.map { ServerTLS(certificateChainPath: certificate, privateKeyPath: $0) }
        }
        var configuration = ServerConfiguration(
            directory: directory ?? "", host: host, port: port, auth: credentials,
            domain: domain, distribution: distribution, legacyProvenanceURLs: legacyProvenanceURLs, tls: tls,
            store: store, anonymousRead: anonymousRead)
        var doorLine: String?
        if store != nil {
            let (gate, line) = try uploads.gate()
            configuration.uploadGate = gate
            configuration.maxUploadSize = try uploads.maxUploadBytes()
            doorLine = line
        }
        do {
            try configuration.validate()
        } catch {
            throw fail("\(error.message)", code: Exit.usage)
        }
        let server = IndexServer(configuration: configuration)
        let door = doorLine
        let (served, shownCredentials) = (store.map { "the store \($0)" } ?? directory ?? "", credentials)
        do {
            try await server.run(handlingSignals: true) { url in
                emit("Serving \(served) at \(ServedIndexURL.display(url, credentials: shownCredentials))\n")
                if let door {
                    emit("Uploads (twine, uv publish): \(ServeUploadOptions.uploadURL(forIndex: url)); \(door)\n")
                }
                emit("Press Ctrl-C to stop.\n")
            }
        } catch let error as ServerError {
            throw fail("\(error.message)", code: error.code == .configuration ? Exit.usage : Exit.incomplete)
        } catch {
            throw fail("cannot serve on \(host):\(port): \(error)", code: Exit.incomplete)
        }
        emit("Stopped.\n")
    }
}
