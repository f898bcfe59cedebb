import Foundation
import MultipartKit
import NIOCore
import Publishing

/// Reads a `multipart/form-data` upload body (the PyPI legacy upload API) as it arrives, with
/// multipart-kit's incremental parser: the `content` part streams into a new file in the
/// staging folder (hashed as it is written), every other part is a small text field.
///
/// Guarantees:
/// - Memory is bounded whatever the body: the file is never held in memory; each text field is
///   capped at `Limits.maxFieldBytes` (the `attestations` field at `Limits.maxAttestationsBytes`),
///   all text fields together at `Limits.maxFormBytes`, parts at `Limits.maxParts`, and each
///   part's headers at `Limits.maxHeaderBytes`.
/// - The file is capped at `Limits.maxFileSize`: one byte more fails the read (`tooLarge`).
/// - A body that ends before the closing boundary, a part without a `form-data` name, a second
///   `content` part, a text field that is not UTF-8, and multipart syntax errors fail the read
///   (`malformedForm`), naming what was wrong.
/// - After a failure, and whenever `discard()` is called, the staged file is deleted.
final class UploadFormReader {
    struct Limits: Sendable {
        var maxFileSize: Int64
        var maxFieldBytes = 1 << 20
        var maxAttestationsBytes = UploadGate.maxDocumentBytes
        var maxFormBytes = 24 << 20
        var maxParts = 512
        var maxHeaderBytes = 8192
    }

    /// The part that carries the distribution file.
    static let contentField = "content"
    static let attestationsField = "attestations"

    private let parser: MultipartParser
    private let stagingDirectory: String
    private let limits: Limits
    private let closingDelimiter: [UInt8]

    private var fields: [String: [String]] = [:]
    private var attestations: [UInt8]?
    private var staged: StagedContent?
    private var formBytes = 0
    private var parts = 0
    private var failure: UploadRefusal?
    private var operationalFailure: ServerError?
    /// The last bytes of the body, to check it ends with the closing delimiter.
    private var tail: [UInt8] = []

    // The part being read.
    private var headers: [(String, String)] = []
    private var headerBytes = 0
    private var part: PartKind?
    private var text: [UInt8] = []
    private var file: StagedFileWriter?

    private enum PartKind {
        case field(String)
        case file(filename: String)
    }

    /// The boundary of a `multipart/form-data` Content-Type, nil when it is not one.
    static func boundary(contentType: String?) -> String? {
        guard let contentType else { return nil }
        let parameters = HeaderParameters(contentType)
        guard parameters.value.lowercased() == "multipart/form-data", let boundary = parameters["boundary"],
            (1...70).contains(boundary.utf8.count)
        else { return nil }
        return boundary
    }

    init(boundary: String, stagingDirectory: String, limits: Limits) {
        self.parser = MultipartParser(boundary: boundary)
        self.stagingDirectory = stagingDirectory
        self.limits = limits
        self.closingDelimiter = Array("--\(boundary)--".utf8)
        parser.onHeader = { [unowned self] name, value in self.header(name, value) }
        parser.onBody = { [unowned self] buffer in self.body(&buffer) }
        parser.onPartComplete = { [unowned self] in self.partComplete() }
    }

    deinit {
        if staged == nil { file?.remove() }
    }

    /// Feeds the next bytes of the body. A refusal (the client's fault) or an operational failure
    /// (the staging folder) stops the read.
    func feed(_ buffer: ByteBuffer) throws(UploadReadFailure) {
        try check()
        remember(buffer)
        do {
            try parser.execute(buffer)
        } catch {
            fail(UploadRefusal(.malformedForm, "the upload is not well-formed multipart/form-data"))
        }
        try check()
    }

    /// The form, once the whole body was fed.
    func finish() throws(UploadReadFailure) -> UploadForm {
        try check()
        var end = tail[...]
        while let last = end.last, last == 0x0D || last == 0x0A || last == 0x20 || last == 0x09 { end = end.dropLast() }
        guard end.count >= closingDelimiter.count, end.suffix(closingDelimiter.count).elementsEqual(closingDelimiter), file == nil else {
            fail(UploadRefusal(.malformedForm, "the upload ended before its closing multipart boundary"))
            try check()
            return UploadForm()
        }
        return UploadForm(fields: fields, attestations: attestations, content: staged)
    }

    /// Deletes the staged file (a refused or broken-off upload).
    func discard() {
        file?.remove()
        file = nil
        if let staged { unlink(staged.path) }
        staged = nil
    }

    // MARK: parser callbacks

    private func header(_ name: String, _ value: String) {
        guard failure == nil else { return }
        headerBytes += name.utf8.count + value.utf8.count + 4
        guard headerBytes <= limits.maxHeaderBytes else {
            return fail(UploadRefusal(.malformedForm, "a part's headers are larger than \(limits.maxHeaderBytes) bytes"))
        }
        headers.append((name, value))
    }

    private func body(_ buffer: inout ByteBuffer) {
        guard failure == nil else { return }
        if part == nil { startPart() }
        guard failure == nil, let part else { return }
        switch part {
        case .file:
            guard let file else { return }
            let count = buffer.readableBytes
            guard file.size + Int64(count) <= limits.maxFileSize else {
                return fail(UploadRefusal(.tooLarge, "File too large: the limit is \(limits.maxFileSize) bytes"))
            }
            do {
                try buffer.withUnsafeReadableBytes { bytes throws(ServerError) in try file.write(bytes) }
            } catch {
                operationalFailure = error
            }
        case .field(let name):
            let cap = name == Self.attestationsField ? limits.maxAttestationsBytes : limits.maxFieldBytes
            let count = buffer.readableBytes
            guard text.count + count <= cap else {
                return fail(UploadRefusal(.tooLarge, "the \(UploadRefusal.excerpt(name, limit: 60)) field is larger than \(cap) bytes"))
            }
            formBytes += count
            guard formBytes <= limits.maxFormBytes + limits.maxAttestationsBytes else {
                return fail(UploadRefusal(.tooLarge, "the form's fields are larger than \(limits.maxFormBytes) bytes"))
            }
            text.append(contentsOf: buffer.readableBytesView)
        }
    }

    private func partComplete() {
        guard failure == nil else { return }
        if part == nil { startPart() }
        guard failure == nil, let part else { return }
        switch part {
        case .file(let filename):
            guard let file else { return }
            do {
                staged = StagedContent(filename: filename, path: file.path, digests: try file.finish())
            } catch {
                operationalFailure = error
            }
            self.file = nil
        case .field(let name):
            if name == Self.attestationsField {
                attestations = text
            } else {
                guard let value = String(validating: text, as: UTF8.self) else {
                    return fail(UploadRefusal(.malformedForm, "the \(UploadRefusal.excerpt(name, limit: 60)) field is not UTF-8"))
                }
                fields[name, default: []].append(value)
            }
        }
        self.part = nil
        headers = []
        headerBytes = 0
        text = []
    }

    /// Decides what the current part is from its Content-Disposition.
    private func startPart() {
        parts += 1
        guard parts <= limits.maxParts else {
            return fail(UploadRefusal(.tooLarge, "the form has more than \(limits.maxParts) parts"))
        }
        guard let disposition = headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1 else {
            return fail(UploadRefusal(.malformedForm, "a part has no Content-Disposition"))
        }
        let parameters = HeaderParameters(disposition)
        guard parameters.value.lowercased() == "form-data", let name = parameters["name"], !name.isEmpty else {
            return fail(UploadRefusal(.malformedForm, "a part is not a named form-data field"))
        }
        if name == Self.contentField {
            guard staged == nil, file == nil else {
                return fail(UploadRefusal(.malformedForm, "the form has more than one content part"))
            }
            guard let filename = parameters["filename"], !filename.isEmpty else {
                return fail(UploadRefusal(.malformedForm, "the content part names no filename"))
            }
            do {
                file = try StagedFileWriter(directory: stagingDirectory)
            } catch {
                operationalFailure = error
                return
            }
            part = .file(filename: filename)
        } else {
            if name == Self.attestationsField, attestations != nil {
                return fail(UploadRefusal(.malformedForm, "the form has more than one attestations field"))
            }
            part = .field(name)
        }
    }

    // MARK: state

    private func fail(_ refusal: UploadRefusal) {
        if failure == nil { failure = refusal }
        discard()
    }

    private func check() throws(UploadReadFailure) {
        if let operationalFailure {
            discard()
            throw .operational(operationalFailure)
        }
        if let failure { throw .refused(failure) }
    }

    private func remember(_ buffer: ByteBuffer) {
        let keep = closingDelimiter.count + 8
        let view = buffer.readableBytesView
        if view.count >= keep {
            tail = Array(view.suffix(keep))
        } else {
            tail.append(contentsOf: view)
            if tail.count > keep { tail.removeFirst(tail.count - keep) }
        }
    }
}

/// Why reading an upload stopped: the client's form was refused, or the server could not stage it.
enum UploadReadFailure: Error {
    case refused(UploadRefusal)
    case operational(ServerError)
}

/// A header value with `;`-separated parameters (`form-data; name="content"; filename="x.whl"`,
/// `multipart/form-data; boundary=…`): quoted strings with backslash escapes, token values,
/// parameter names compared case-insensitively.
struct HeaderParameters {
    let value: String
    private var parameters: [String: String] = [:]

    init(_ header: String) {
        var scalars = Substring(header).unicodeScalars[...]
        func skipSpace() { while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() } }
        func token() -> String {
            var out = String.UnicodeScalarView()
            while let first = scalars.first, first != ";", first != "=" { out.append(scalars.removeFirst()) }
            return String(out).trimmingCharacters(in: .whitespaces)
        }
        value = token()
        while !scalars.isEmpty {
            guard scalars.first == ";" else { break }
            scalars.removeFirst()
            skipSpace()
            let name = token().lowercased()
            guard scalars.first == "=" else { continue }
            scalars.removeFirst()
            skipSpace()
            var parameter = String.UnicodeScalarView()
            if scalars.first == "\"" {
                scalars.removeFirst()
                while let next = scalars.first {
                    scalars.removeFirst()
                    if next == "\"" { break }
                    if next == "\\", let escaped = scalars.first {
                        scalars.removeFirst()
                        parameter.append(escaped)
                    } else {
                        parameter.append(next)
                    }
                }
                while let first = scalars.first, first != ";" { scalars.removeFirst() }
            } else {
                while let first = scalars.first, first != ";" { parameter.append(scalars.removeFirst()) }
            }
            // The first occurrence wins: a repeated parameter cannot override it.
            if !name.isEmpty, parameters[name] == nil {
                parameters[name] = String(parameter).trimmingCharacters(in: .whitespaces)
            }
        }
    }

    subscript(name: String) -> String? { parameters[name.lowercased()] }
}
