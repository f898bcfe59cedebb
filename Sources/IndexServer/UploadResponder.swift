import Foundation
import Hummingbird
import Publishing
import PythonPackaging

/// Accepts uploads into a publishing store, as the clients already speak them: the PyPI legacy
/// upload API (`POST …/legacy/`, and `POST …/simple/` as Pulp accepts it; what `twine upload` and
/// `uv publish` send) and a Pulp-style provenance upload for a file already published
/// (`POST /api/pulp/<domain>/api/v3/content/python/provenance/` with `file`, the PEP 740
/// provenance document, and `package`, the filename, or `sha256`, its digest).
///
/// Guarantees, in order for every upload:
/// 1. No credentials, or credentials that match no token: 401 before the body is read; a token
///    that may not upload at all (a read token): 403 before the body is read.
/// 2. The body streams into the store's staging folder (`UploadFormReader`: file capped at
///    `maxUploadSize`, fields capped), never held in memory.
/// 3. `DistributionCheck` (form, filename, digests, METADATA), then the token's right to upload
///    that project (403), then `UploadGate` (the attestations, under the server's policy).
/// 4. Only then `PublishingStore.publish`: the file becomes visible with the provenance the gate
///    built from what it verified, in one transaction. A filename that exists with other bytes is
///    `400 File already exists` (`twine upload --skip-existing` reads it so); the same bytes again
///    are `200` (a retried upload whose first answer was lost); a deleted filename is never reused.
/// Every refusal is `400` with the reason as the status line's reason phrase and as the text body
/// (as the public index answers), escaped (`UntrustedText`); the staged file is deleted.
struct UploadResponder: Sendable {
    let layout: IndexLayout
    let store: PublishingStore
    let access: IndexAccess
    /// The door check; nil: this store accepts no uploads (fails closed).
    let gate: @Sendable () -> UploadGate?
    let maxUploadSize: Int64

    /// Whether `path` is one of the upload routes.
    func handles(_ path: String) -> Bool {
        path == layout.simplePrefix || path == layout.legacyPrefix || path + "/" == layout.legacyPrefix
            || path == layout.provenanceUploadPath
    }

    func respond(to request: Request, path: String) async -> Response {
        // Credentials first: nothing is read from a request without a known token.
        guard request.headers[.authorization] != nil else {
            return IndexAccess.refusal(.unauthenticated) ?? Self.refused(UploadRefusal(.malformedForm, "authentication required"))
        }
        // A token that may not upload at all (a read token) is refused here too: nothing of its
        // body is staged or held. The project is checked once the form names it.
        switch access.authorize(request, for: .uploadAnyProject) {
        case .granted: break
        case let decision: return IndexAccess.refusal(decision) ?? IndexResponder.text(.forbidden, "not allowed")
        }
        guard let gate = gate() else {
            return IndexResponder.text(.forbidden, "this index accepts no uploads")
        }
        guard let boundary = UploadFormReader.boundary(contentType: request.headers[.contentType]) else {
            return Self.refused(UploadRefusal(.malformedForm, "an upload must be multipart/form-data"))
        }
        let limits = UploadFormReader.Limits(maxFileSize: maxUploadSize)
        if let declared = request.headers[.contentLength].flatMap(Int64.init),
            declared > maxUploadSize + Int64(limits.maxFormBytes + limits.maxAttestationsBytes)
        {
            return Self.refused(UploadRefusal(.tooLarge, "File too large: the limit is \(maxUploadSize) bytes"))
        }
        let reader = UploadFormReader(boundary: boundary, stagingDirectory: store.stagingDirectory.path, limits: limits)
        let form: UploadForm
        do {
            for try await buffer in request.body {
                try reader.feed(buffer)
            }
            form = try reader.finish()
        } catch let failure as UploadReadFailure {
            reader.discard()
            switch failure {
            case .refused(let refusal): return Self.refused(refusal)
            case .operational(let error): return IndexResponder.text(.internalServerError, UntrustedText.plain(error.message, limit: 300))
            }
        } catch {
            // The client went away or the body broke off: nothing is kept.
            reader.discard()
            return Self.refused(UploadRefusal(.malformedForm, "the upload broke off before its end"))
        }
        if path == layout.provenanceUploadPath {
            return await attachProvenance(form, request: request, gate: gate, reader: reader)
        }
        return await publish(form, request: request, gate: gate, reader: reader)
    }

    // MARK: uploads

    private func publish(_ form: UploadForm, request: Request, gate: UploadGate, reader: UploadFormReader) async -> Response {
        let checked: CheckedDistribution
        switch DistributionCheck.check(form) {
        case .refused(let refusal):
            reader.discard()
            return Self.refused(refusal)
        case .passed(let value):
            checked = value
        }
        let principal: String
        switch access.authorize(request, for: .upload(project: checked.project.normalized)) {
        case .granted(let who):
            principal = who
        case let decision:
            reader.discard()
            return IndexAccess.refusal(decision) ?? IndexResponder.text(.forbidden, "not allowed")
        }
        let accepted: AcceptedUpload
        switch await gate.judgeUpload(checked.uploaded, attestationsField: form.attestations) {
        case .refused(let refusal):
            reader.discard()
            return Self.refused(refusal)
        case .accepted(let value):
            accepted = value
        }
        let upload = StoreUpload(
            stagedFile: URL(fileURLWithPath: checked.stagedPath), filename: checked.filename, sha256: checked.digests.sha256.text,
            size: checked.digests.size, coreMetadata: checked.coreMetadata, provenance: accepted.provenance, uploader: principal)
        do {
            switch try store.publish(upload) {
            case .published:
                return IndexResponder.text(.ok, "OK")
            case .alreadyExists(let existing):
                guard existing.sha256 == checked.digests.sha256.text else {
                    return Self.refused(
                        UploadRefusal(.fileExists, "File already exists: \(checked.filename) was published with other bytes"))
                }
                return IndexResponder.text(.ok, "OK (\(UntrustedText.plain(checked.filename)) already exists with these bytes)")
            case .equivalentExists(let existing):
                return Self.refused(
                    UploadRefusal(
                        .fileExists,
                        "File already exists: \(checked.filename) is another spelling of the published \(existing.filename)"))
            case .filenameRetired(let retired):
                let which = retired == checked.filename ? checked.filename : "\(checked.filename) (another spelling of \(retired))"
                return Self.refused(
                    UploadRefusal(.fileExists, "File already exists: \(which) was published and deleted; filenames are never reused"))
            }
        } catch {
            reader.discard()
            if error.code == .invalidUpload { return Self.refused(UploadRefusal(.digestMismatch, error.message)) }
            return IndexResponder.text(.internalServerError, UntrustedText.plain(error.message, limit: 300))
        }
    }

    // MARK: provenance for a published file

    private func attachProvenance(_ form: UploadForm, request: Request, gate: UploadGate, reader: UploadFormReader) async -> Response {
        // The document is the `file` part: a small field for this reader (the content part is
        // the legacy API's; a provenance upload has none).
        reader.discard()
        guard let document = form.value("file").map({ Array($0.utf8) }) else {
            return Self.refused(UploadRefusal(.malformedForm, "the provenance upload has no file field (the provenance document)"))
        }
        let stored: StoredFile?
        do {
            if let package = form.value("package"), !package.isEmpty {
                stored = try store.file(named: Self.filename(fromPackage: package))
            } else if let digest = form.value("sha256").flatMap({ SHA256Hex(normalizing: $0) }) {
                stored = try store.allFiles().first { $0.sha256 == digest.text }
            } else {
                return Self.refused(UploadRefusal(.malformedForm, "the provenance upload names no package (its filename) and no sha256"))
            }
        } catch {
            return IndexResponder.text(.internalServerError, UntrustedText.plain(error.message, limit: 300))
        }
        guard let stored, let sha256 = SHA256Hex(stored.sha256) else {
            return Self.refused(UploadRefusal(.unknownFile, "no published file is named by this provenance upload"))
        }
        let principal: String
        switch access.authorize(request, for: .upload(project: stored.project)) {
        case .granted(let who): principal = who
        case let decision: return IndexAccess.refusal(decision) ?? IndexResponder.text(.forbidden, "not allowed")
        }
        let file = UploadedFile(filename: stored.filename, project: ProjectName(stored.project), sha256: sha256)
        let accepted: AcceptedUpload
        switch await gate.judgeProvenance(document, for: file) {
        case .refused(let refusal): return Self.refused(refusal)
        case .accepted(let value): accepted = value
        }
        guard let provenance = accepted.provenance else {
            return Self.refused(UploadRefusal(.missingAttestations, "the provenance holds no verified attestation"))
        }
        do {
            switch try store.attachProvenance(filename: stored.filename, provenance: provenance, by: principal) {
            case .attached:
                let url =
                    layout.integrityPrefix
                    + [stored.project, stored.version, stored.filename].map(IndexLayout.encode).joined(separator: "/") + "/provenance/"
                return IndexResponder.bytes(
                    .created, Array("{\"filename\":\(Self.jsonString(stored.filename)),\"provenance\":\(Self.jsonString(url))}".utf8),
                    contentType: "application/json")
            case .alreadyHasProvenance:
                return Self.refused(UploadRefusal(.fileExists, "\(stored.filename) already has a provenance; it is immutable"))
            case .noSuchFile:
                return Self.refused(UploadRefusal(.unknownFile, "\(stored.filename) is not published"))
            }
        } catch {
            return IndexResponder.text(.internalServerError, UntrustedText.plain(error.message, limit: 300))
        }
    }

    /// A Pulp `package` value: a filename, or an href whose last segment is one.
    static func filename(fromPackage package: String) -> String {
        package.split(separator: "/").last.map(String.init) ?? package
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The header naming which door check refused (`UploadRefusal.Code`), for scripts and tests.
    static let refusalHeader = HTTPFields.Element.Name("X-Wheeltrust-Refusal")

    /// `400` with the refusal as the reason phrase and the body, as the public index answers.
    static func refused(_ refusal: UploadRefusal) -> Response {
        let message = UntrustedText.plain(refusal.message, limit: 300)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        if let name = Self.refusalHeader { headers[name] = refusal.code.rawValue }
        headers[ReasonPhrase.header] = ReasonPhrase.sanitize(message)
        return Response(
            status: .badRequest, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}

extension IndexLayout {
    /// The legacy upload API beside the simple index: `/pypi/<domain>/<distribution>/legacy/`.
    var legacyPrefix: String { "/pypi/\(domain)/\(distribution)/legacy/" }
    /// Pulp's provenance content endpoint (API root `/api/pulp/<domain>/`).
    var provenanceUploadPath: String { "/api/pulp/\(domain)/api/v3/content/python/provenance/" }
}
