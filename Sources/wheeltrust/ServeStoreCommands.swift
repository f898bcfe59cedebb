import ArgumentParser
import Foundation
import Publishing
import PythonPackaging

/// `--store DIR` of the store's admin commands.
struct StoreLocationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The publishing store.", valueName: "dir"))
    var store: String

    /// Opens the store. With `creating` false, a folder without a store database is a usage error
    /// (a mistyped path must not silently create an empty store).
    func open(creating: Bool) throws -> PublishingStore {
        let url = URL(fileURLWithPath: store)
        if !creating, !FileManager.default.fileExists(atPath: url.appendingPathComponent("index.sqlite").path) {
            throw fail("\(store) is not a publishing store (no index.sqlite)", code: Exit.usage)
        }
        do {
            return try PublishingStore(directory: url)
        } catch {
            throw fail("\(error.message)", code: error.code == .configuration ? Exit.usage : Exit.incomplete)
        }
    }
}

/// Runs a store operation, turning its error into the one-line message and exit code.
func storeOperation<T>(_ body: () throws(PublishingError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw storeFailure(error)
    }
}

/// ``storeOperation(_:)`` for an async operation.
func storeOperation<T>(_ body: () async throws(PublishingError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw storeFailure(error)
    }
}

private func storeFailure(_ error: PublishingError) -> ExitCode {
    let code: Int32
    switch error.code {
    case .configuration, .invalidUpload, .notFound: code = Exit.usage
    case .io, .database: code = Exit.incomplete
    }
    return fail("\(error.message)", code: code)
}

// MARK: tokens

/// `wheeltrust serve token add|list|revoke`.
struct ServeTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage the store's read and upload tokens.",
        subcommands: [ServeTokenAddCommand.self, ServeTokenListCommand.self, ServeTokenRevokeCommand.self])
}

/// `wheeltrust serve token add NAME --store DIR [--upload] [--project P]…`.
struct ServeTokenAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Create a token; it is printed once, alone on the last line.",
        discussion: """
            The store keeps only a salted hash: the token cannot be shown again. Clients send it as \\
            the password of HTTP Basic authentication with the user __token__ (or the token's name).
            """)

    @Argument(help: "The token's name (letters, digits, '.', '_', '-').")
    var name: String

    @OptionGroup var location: StoreLocationOptions

    @Flag(help: "An upload token (it may also read); without it, a read token.")
    var upload = false

    @Option(name: .customLong("project"), help: "With --upload: the only project(s) it may upload to (repeatable).")
    var projects: [String] = []

    func validate() throws {
        if !upload && !projects.isEmpty { throw UsageError("--project restricts upload tokens; a read token reads every project") }
    }

    func run() throws {
        let store = try location.open(creating: true)
        let (token, secret) = try storeOperation { () throws(PublishingError) in
            try store.addToken(name: name, role: upload ? .upload : .read, projects: projects)
        }
        let scope = token.projects.isEmpty ? "" : " for \(token.projects.joined(separator: ", "))"
        emit("Created \(token.role.rawValue) token \(token.name)\(scope). It is shown only now:\n")
        emit("\(secret)\n")
    }
}

/// `wheeltrust serve token list --store DIR`.
struct ServeTokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the tokens: names, roles, projects, creation times (never a secret).")

    @OptionGroup var location: StoreLocationOptions

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw UsageError("--format must be text or json") }
    }

    func run() throws {
        let store = try location.open(creating: false)
        let tokens = try storeOperation { () throws(PublishingError) in try store.tokens() }
        if format == "json" {
            let rows = tokens.map {
                TokenRow(name: $0.name, id: $0.id, role: $0.role.rawValue, projects: $0.projects, created: RFC3339Text.format($0.created))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            emitJSON((try? encoder.encode(rows)) ?? Data("[]".utf8))
            return
        }
        if tokens.isEmpty { emit("No tokens.\n") }
        for token in tokens {
            let projects = token.projects.isEmpty ? (token.role == .upload ? "all projects" : "-") : token.projects.joined(separator: ",")
            emit("\(token.name)\t\(token.role.rawValue)\t\(projects)\t\(RFC3339Text.format(token.created))\n")
        }
    }

    private struct TokenRow: Encodable {
        let name: String
        let id: String
        let role: String
        let projects: [String]
        let created: String
    }
}

/// `wheeltrust serve token revoke NAME --store DIR`.
struct ServeTokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token (effective at once).")

    @Argument(help: "The token's name.")
    var name: String

    @OptionGroup var location: StoreLocationOptions

    func run() throws {
        let store = try location.open(creating: false)
        guard try storeOperation({ () throws(PublishingError) in try store.revokeToken(name: name) }) else {
            throw fail("no token named \(name)", code: Exit.usage)
        }
        emit("Revoked token \(name).\n")
    }
}

// MARK: fsck, yank, delete

/// `wheeltrust serve fsck --store DIR [--repair]`: compares the database with the blobs.
struct ServeFsckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check the store: every file's blob present with its digest, the database intact.",
        discussion: """
            Exit 0 when consistent (unreferenced blobs and staging leftovers are only reported as \\
            reclaimable; --repair removes them), 1 when a blob is missing or corrupted or the \\
            database is damaged (never repaired: restore from a backup).
            """)

    @OptionGroup var location: StoreLocationOptions

    @Flag(help: "Remove unreferenced blobs, and staging leftovers when no server holds the store.")
    var repair = false

    @Option(help: "Output format: text or json.")
    var format: String = "text"

    func validate() throws {
        guard ["text", "json"].contains(format) else { throw UsageError("--format must be text or json") }
    }

    func run() throws {
        let store = try location.open(creating: false)
        let report = try storeOperation { () throws(PublishingError) in try store.check(repair: repair) }
        if format == "json" {
            let document = FsckDocument(
                consistent: report.isConsistent, filesChecked: report.filesChecked, reclaimableBytes: report.reclaimableBytes,
                findings: report.findings.map { FsckFinding(kind: $0.kind, corruption: $0.isCorruption, message: $0.description) },
                removed: report.removed)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            emitJSON((try? encoder.encode(document)) ?? Data("{}".utf8))
        } else {
            for finding in report.findings {
                emit("\(finding.isCorruption ? "CORRUPT" : "reclaimable"): \(finding.description)\n")
            }
            for path in report.removed { emit("removed \(path)\n") }
            emit(
                "\(report.filesChecked) files checked: \(report.isConsistent ? "consistent" : "CORRUPTION FOUND")"
                    + (report.reclaimableBytes > 0 ? ", \(report.reclaimableBytes) bytes reclaimable" : "") + "\n")
        }
        if !report.isConsistent { throw ExitCode(Exit.failed) }
    }

    private struct FsckDocument: Encodable {
        let consistent: Bool
        let filesChecked: Int
        let reclaimableBytes: Int64
        let findings: [FsckFinding]
        let removed: [String]
    }

    private struct FsckFinding: Encodable {
        let kind: String
        let corruption: Bool
        let message: String
    }
}

/// `wheeltrust serve yank FILE --store DIR [--reason R] [--undo]` (PEP 592).
struct ServeYankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yank", abstract: "Yank a published file (PEP 592): installers skip it unless pinned exactly.")

    @Argument(help: "The file's exact filename.")
    var filename: String

    @OptionGroup var location: StoreLocationOptions

    @Option(help: "Why it is yanked (shown to installers).")
    var reason: String?

    @Flag(help: "Clear the yank instead.")
    var undo = false

    func run() throws {
        let store = try location.open(creating: false)
        let actor = "admin"
        let file = try storeOperation { () throws(PublishingError) in
            undo ? try store.unyank(filename: filename, by: actor) : try store.yank(filename: filename, reason: reason, by: actor)
        }
        guard file != nil else { throw fail("no published file named \(filename)", code: Exit.usage) }
        emit("\(undo ? "Unyanked" : "Yanked") \(filename).\n")
    }
}

/// `wheeltrust serve delete FILE --store DIR`: removes a file; its filename is never reused.
struct ServeDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a published file and its provenance; its filename can never be published again.",
        discussion: "The bytes stay until `serve fsck --repair` finds no file referencing them.")

    @Argument(help: "The file's exact filename.")
    var filename: String

    @OptionGroup var location: StoreLocationOptions

    func run() throws {
        let store = try location.open(creating: false)
        let file = try storeOperation { () throws(PublishingError) in try store.delete(filename: filename, by: "admin") }
        guard file != nil else { throw fail("no published file named \(filename)", code: Exit.usage) }
        emit("Deleted \(filename).\n")
    }
}

/// RFC 3339 UTC text of a date, to the second.
enum RFC3339Text {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
