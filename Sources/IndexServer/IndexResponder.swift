import Foundation
import Hummingbird
import Publishing
import PythonPackaging

/// Answers every HTTP request of the index: authentication first, then the Pulp-shaped routes of
/// `IndexLayout` (Simple API, files and PEP 658 metadata, Integrity API).
///
/// Guarantees: when credentials are configured (`--auth`, or a store's tokens without anonymous
/// read) no route answers anything but 401 without them, and 403 to credentials that may not read;
/// only GET and HEAD are accepted; only files listed by the catalog are ever read (a request path
/// can never name an arbitrary file); a failure while answering is a 500 with a one-line text body
/// and never stops the server.
///
/// Escaping (issue 9, attack 11): every answer other than a page, a file or a provenance — every
/// 301, 400, 401, 404, 405 and 500 — is `text/plain; charset=utf-8`, never HTML, and any request
/// data or folder name in it goes through `UntrustedText.plain` (no control, bidi or line-break
/// character, at most 200 characters of each). A `Location` carries only percent-encoded path
/// segments. The HTML pages escape every value (`HTMLEscaping`), the JSON pages come from
/// `JSONEncoder`. Every response, HEAD included, carries `X-Content-Type-Options: nosniff` (no
/// browser may guess HTML from a body) and a `Content-Security-Policy` that forbids scripts,
/// styles, images, frames and forms (`ResponseHardening`).
struct IndexResponder: HTTPResponder {
    typealias Context = IndexRequestContext

    let layout: IndexLayout
    /// The folder or the store the files come from.
    let source: any IndexSource
    let pages: SimplePages
    /// Who may read (and, for a store, upload).
    let access: IndexAccess
    /// The publishing store when serving one (uploads go into it), nil for a folder.
    let store: PublishingStore?
    /// Held while the server runs: no other server serves the same store.
    let servingClaim: ServingClaim?
    /// The upload routes (a store only; nil for a folder).
    let uploads: UploadResponder?
    /// `http(s)://host:port` of the listening socket, used when a request has no usable Host header.
    let fallbackOrigin: @Sendable () -> String
    /// `https` when the server speaks TLS, else `http`.
    let scheme: String

    @Sendable func respond(to request: Request, context: Context) async throws -> Response {
        ResponseHardening.apply(to: try await answer(request, context: context))
    }

    private func answer(_ request: Request, context: Context) async throws -> Response {
        if request.method == .post, let uploads, let path = request.uri.path.removingPercentEncoding, uploads.handles(path) {
            return await uploads.respond(to: request, path: path)
        }
        guard request.method == .get || request.method == .head else {
            var headers = HTTPFields()
            headers[.allow] = "GET, HEAD"
            return Self.text(.methodNotAllowed, "method not allowed", headers: headers)
        }
        if let refusal = IndexAccess.refusal(access.authorize(request, for: .read)) { return refusal }
        let response: Response
        do {
            response = try await route(request, context: context)
        } catch let error as ServerError {
            response = Self.text(.internalServerError, UntrustedText.plain(error.message, limit: 1000))
        } catch let error as HTTPError {
            // FileStreaming reports a file that vanished since the scan as 404.
            response = Self.text(error.status, error.status == .notFound ? "Not Found" : "request failed")
        } catch {
            response = Self.text(.internalServerError, "internal error")
        }
        return request.method == .head ? response.createHeadResponse() : response
    }

    private func route(_ request: Request, context: Context) async throws -> Response {
        guard let path = request.uri.path.removingPercentEncoding, path.utf8.count <= 4096 else {
            return Self.text(.badRequest, "malformed request path")
        }
        if path == layout.simplePrefix {
            return try root(accept: request.headers[.accept])
        }
        if path + "/" == layout.simplePrefix {
            return Self.redirect(to: layout.simplePrefix)
        }
        if path.hasPrefix(layout.simplePrefix) {
            return try project(rest: String(path.dropFirst(layout.simplePrefix.count)), request: request)
        }
        if path.hasPrefix(layout.contentPrefix) {
            return try await file(name: String(path.dropFirst(layout.contentPrefix.count)), context: context)
        }
        if path.hasPrefix(layout.integrityPrefix) {
            return try integrity(rest: String(path.dropFirst(layout.integrityPrefix.count)), prefix: layout.integrityPrefix)
        }
        // The public index's shape of the Integrity API, beside Pulp's.
        if path.hasPrefix(IndexLayout.rootIntegrityPrefix) {
            return try integrity(rest: String(path.dropFirst(IndexLayout.rootIntegrityPrefix.count)), prefix: IndexLayout.rootIntegrityPrefix)
        }
        return Self.text(.notFound, "Not Found")
    }

    // MARK: Simple API

    private func root(accept: String?) throws(ServerError) -> Response {
        let projects = try source.projectNames()
        switch SimpleFormat.negotiate(accept: accept) {
        case .json:
            return Self.bytes(.ok, pages.rootJSON(projects: projects), contentType: SimpleFormat.jsonContentType)
        case .html(let contentType):
            return Self.bytes(.ok, pages.rootHTML(projects: projects), contentType: contentType)
        }
    }

    private func project(rest: String, request: Request) throws(ServerError) -> Response {
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false)
        // Accept `name/` (canonical) and `name` (redirected); nothing deeper.
        guard segments.count == 1 || (segments.count == 2 && segments[1].isEmpty), !segments[0].isEmpty else {
            return Self.text(.notFound, "Not Found")
        }
        let requested = String(segments[0])
        let normalized = ProjectName.normalize(requested)
        if requested != normalized || segments.count == 1 {
            return Self.redirect(to: layout.projectPath(normalized))
        }
        let entries = try source.entries(ofProject: normalized)
        guard !entries.isEmpty else {
            return Self.text(.notFound, "\(UntrustedText.plain(normalized)) does not exist.")
        }
        let origin = origin(of: request)
        switch SimpleFormat.negotiate(accept: request.headers[.accept]) {
        case .json:
            return Self.bytes(
                .ok, pages.projectJSON(normalized: normalized, entries: entries, origin: origin),
                contentType: SimpleFormat.jsonContentType)
        case .html(let contentType):
            return Self.bytes(
                .ok, pages.projectHTML(normalized: normalized, entries: entries, origin: origin),
                contentType: contentType)
        }
    }

    // MARK: files and PEP 658 metadata

    private func file(name: String, context: Context) async throws -> Response {
        guard !name.isEmpty, !name.contains("/") else { return Self.text(.notFound, "Not Found") }
        if let entry = try source.entry(named: name) {
            let body = try await FileStreaming.body(path: entry.path, connection: context.eventLoop)
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            return Response(status: .ok, headers: headers, body: body)
        }
        if name.hasSuffix(".metadata"),
            let entry = try source.entry(named: String(name.dropLast(".metadata".count))), entry.isWheel
        {
            guard let bytes = source.coreMetadata(of: entry) else { return Self.text(.notFound, "Not Found") }
            return Self.bytes(.ok, bytes, contentType: "application/octet-stream")
        }
        return Self.text(.notFound, "Not Found")
    }

    // MARK: Integrity API

    private func integrity(rest: String, prefix: String) throws(ServerError) -> Response {
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard segments.count == 4 || segments.count == 5, segments[3] == "provenance",
            !segments[0].isEmpty, !segments[1].isEmpty, !segments[2].isEmpty
        else {
            return Self.text(.notFound, "Not Found")
        }
        if segments.count == 4 && prefix != IndexLayout.rootIntegrityPrefix {
            // Like Django's APPEND_SLASH: Pulp's canonical form ends with `/` (the public
            // index's form does not).
            return Self.redirect(
                to: prefix + segments[0..<3].map(IndexLayout.encode).joined(separator: "/")
                    + "/provenance/")
        }
        guard segments.count == 4 || segments[4].isEmpty else { return Self.text(.notFound, "Not Found") }
        let (package, version, filename) = (segments[0], segments[1], segments[2])
        let notFound = Self.text(
            .notFound,
            [package, version, filename].map { UntrustedText.plain($0) }.joined(separator: " ")
                + " provenance does not exist.")
        // Pulp matches the stored normalized name, the version and the filename exactly.
        guard let entry = try source.entry(named: filename),
            entry.project.normalized == package, entry.version == version
        else { return notFound }
        guard let bytes = try source.provenance(of: entry) else { return notFound }
        return Self.bytes(.ok, bytes, contentType: "application/json")
    }

    // MARK: helpers

    /// `<scheme>://<Host header>` when the header is a plain host[:port], else the listening address.
    private func origin(of request: Request) -> String {
        if let authority = request.head.authority, !authority.isEmpty, authority.utf8.count <= 255,
            authority.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]".unicodeScalars.contains($0))
            })
        {
            return scheme + "://" + authority
        }
        return fallbackOrigin()
    }

    static func bytes(_ status: HTTPResponse.Status, _ bytes: some Sequence<UInt8>, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A `text/plain` answer; callers pass request data and folder names through
    /// `UntrustedText.plain` first.
    static func text(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    static func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return text(.movedPermanently, "moved to \(location)", headers: headers)
    }
}
