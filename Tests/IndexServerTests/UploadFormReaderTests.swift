import Foundation
import NIOCore
import Publishing
import PythonPackaging
import Testing

@testable import IndexServer

/// The streamed multipart reader: fields and file as twine sends them, in any chunking; caps,
/// truncation and syntax errors refused; nothing left in staging after a failure.
@Suite struct UploadFormReaderTests {
    static let boundary = "b0undary-3f1c"

    /// A body shaped like requests-toolbelt's MultipartEncoder (twine).
    static func body(fields: [(String, String)], file: (name: String, bytes: [UInt8])?, close: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in fields {
            out += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        if let file {
            out += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"content\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .utf8)
            out += file.bytes + Array("\r\n".utf8)
        }
        if close { out += Array("--\(boundary)--\r\n".utf8) }
        return out
    }

    func staging() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-staging-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func read(_ body: [UInt8], chunk: Int, staging: String, maxFileSize: Int64 = 1 << 20) -> Result<UploadForm, UploadReadFailure> {
        let reader = UploadFormReader(
            boundary: Self.boundary, stagingDirectory: staging, limits: .init(maxFileSize: maxFileSize))
        do {
            var offset = 0
            while offset < body.count {
                let end = min(body.count, offset + chunk)
                try reader.feed(ByteBuffer(bytes: body[offset..<end]))
                offset = end
            }
            return .success(try reader.finish())
        } catch {
            return .failure(error)
        }
    }

    func refusalOf(_ result: Result<UploadForm, UploadReadFailure>) -> UploadRefusal? {
        if case .failure(.refused(let refusal)) = result { return refusal }
        return nil
    }

    @Test func readsFieldsAndStreamsTheFileInAnyChunking() throws {
        // Bytes that look like the boundary's start (CR LF -) inside the file.
        let fileBytes = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 * 7) } + Array("\r\n--b0undary\r\n-".utf8)
        let body = Self.body(
            fields: [(":action", "file_upload"), ("name", "demo"), ("classifiers", "A"), ("classifiers", "B"), ("attestations", "[]")],
            file: ("demo-1.0.tar.gz", fileBytes))
        for chunk in [1, 3, 64, 4096, body.count] {
            let directory = try staging()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let result = read(body, chunk: chunk, staging: directory)
            guard case .success(let form) = result else {
                Issue.record("chunk \(chunk): \(result)")
                continue
            }
            #expect(form.value(":action") == "file_upload")
            #expect(form.fields["classifiers"] == ["A", "B"])
            #expect(form.attestations == Array("[]".utf8))
            let content = try #require(form.content)
            #expect(content.filename == "demo-1.0.tar.gz")
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: content.path))) == fileBytes)
            #expect(content.digests.sha256 == SHA256Hex(FileDigest.compute(fileBytes, algorithm: .sha256)))
            #expect(content.digests.size == Int64(fileBytes.count))
        }
    }

    @Test func aFileOverTheCapIsRefusedAndNothingStaysInStaging() throws {
        let directory = try staging()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let body = Self.body(fields: [("name", "demo")], file: ("demo-1.0.tar.gz", [UInt8](repeating: 1, count: 10_001)))
        let refusal = try #require(refusalOf(read(body, chunk: 1000, staging: directory, maxFileSize: 10_000)))
        #expect(refusal.code == .tooLarge)
        #expect(refusal.message.hasPrefix("File too large"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func aTruncatedBodyIsRefusedAndNothingStaysInStaging() throws {
        let directory = try staging()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let full = Self.body(fields: [("name", "demo")], file: ("demo-1.0.tar.gz", [UInt8](repeating: 2, count: 5000)))
        for cut in [full.count - 3, full.count - 20, 3000, 10] {
            let refusal = try #require(refusalOf(read(Array(full.prefix(cut)), chunk: 512, staging: directory)), "cut \(cut)")
            #expect(refusal.code == .malformedForm)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        }
        let unclosed = Self.body(fields: [("name", "demo")], file: nil, close: false)
        #expect(refusalOf(read(unclosed, chunk: 512, staging: directory))?.code == .malformedForm)
    }

    @Test func malformedPartsAreRefused() throws {
        let directory = try staging()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let twoFiles =
            Self.body(fields: [], file: ("a-1.0.tar.gz", [1])).dropLast(Array("--\(Self.boundary)--\r\n".utf8).count)
            + Self.body(fields: [], file: ("b-1.0.tar.gz", [2]))
        let two = try #require(refusalOf(read(Array(twoFiles), chunk: 100, staging: directory)))
        #expect(two.message.contains("more than one content part"))
        let noName = Array("--\(Self.boundary)\r\nContent-Disposition: form-data\r\n\r\nx\r\n--\(Self.boundary)--\r\n".utf8)
        #expect(refusalOf(read(noName, chunk: 100, staging: directory))?.message.contains("not a named form-data field") == true)
        let noFilename = Array(
            "--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nx\r\n--\(Self.boundary)--\r\n".utf8)
        #expect(refusalOf(read(noFilename, chunk: 100, staging: directory))?.message.contains("names no filename") == true)
        let badHeader = Array("--\(Self.boundary)\r\nBad Header: x\r\n\r\nx\r\n--\(Self.boundary)--\r\n".utf8)
        #expect(refusalOf(read(badHeader, chunk: 100, staging: directory))?.code == .malformedForm)
        let bigField = Self.body(fields: [("description", String(repeating: "x", count: (1 << 20) + 1))], file: nil)
        #expect(refusalOf(read(bigField, chunk: 65536, staging: directory))?.code == .tooLarge)
        let notUTF8 =
            Array("--\(Self.boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n".utf8) + [0xFF, 0xFE]
            + Array("\r\n--\(Self.boundary)--\r\n".utf8)
        #expect(refusalOf(read(notUTF8, chunk: 100, staging: directory))?.message.contains("not UTF-8") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test func theBoundaryComesFromAMultipartFormDataContentType() {
        #expect(UploadFormReader.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(UploadFormReader.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a;b c\"") == "a;b c")
        #expect(UploadFormReader.boundary(contentType: "application/json") == nil)
        #expect(UploadFormReader.boundary(contentType: "multipart/form-data") == nil)
        #expect(UploadFormReader.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
    }
}
