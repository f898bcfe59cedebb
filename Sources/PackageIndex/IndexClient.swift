import Attestations
import Foundation
import PythonPackaging

/// A provenance document fetched from an Integrity API, with the exact bytes received.
///
/// Guarantees: `provenance` was decoded from exactly `bytes`; `url` is the candidate URL that
/// answered (never carrying userinfo).
public struct FetchedProvenance: Sendable {
    public let url: URL
    public let bytes: Data
    public let provenance: Provenance

    public init(url: URL, bytes: Data, provenance: Provenance) {
        self.url = url
        self.bytes = bytes
        self.provenance = provenance
    }
}

/// Reads project pages and provenance from the configured index (and extra indexes).
///
/// Guarantees: project pages are requested with `Accept: application/vnd.pypi.simple.v1+json,
/// text/html;q=0.1` and parsed by the response's content type (JSON, else HTML; sniffed when
/// absent); provenance is looked up at the candidates of `provenanceCandidates`, in order, where
/// 404/410 moves on, 401/403 stops with `authentication`, a transport failure stops with
/// `network`, and a body that is not a valid provenance is remembered and the next candidate
/// tried. All HTTP goes through `HTTPClient` (credentials only to the index origin).
public struct IndexClient: Sendable {
    public static let simpleAccept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
    public static let integrityAccept = "application/vnd.pypi.integrity.v1+json, application/json;q=0.9"

    public let configuration: IndexConfiguration
    public let http: HTTPClient

    public init(configuration: IndexConfiguration, http: HTTPClient) {
        self.configuration = configuration
        self.http = http
    }

    /// `<index>/<normalized>/`.
    public static func projectURL(index: URL, project: ProjectName) -> URL {
        var text = index.absoluteString
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<query]) }
        if !text.hasSuffix("/") { text += "/" }
        return URL(string: text + encodeSegment(project.normalized) + "/") ?? index
    }

    /// The project's files from the index and every extra index, in that order (a filename
    /// already seen on an earlier index is skipped). `notFound` only when no index has it.
    public func project(_ name: ProjectName) async throws(IndexError) -> ProjectPage {
        var merged: ProjectPage?
        var seen: Set<String> = []
        var tried: [String] = []
        for index in [configuration.indexURL] + configuration.extraIndexURLs {
            let url = IndexClient.projectURL(index: index, project: name)
            tried.append(url.redacted)
            let response: HTTPResponse
            do {
                response = try await http.get(url, accept: IndexClient.simpleAccept, what: "project page for \(name.normalized)")
            } catch  where error.code == .notFound {
                continue
            }
            var page = try IndexClient.parse(response)
            if page.name.isEmpty { page.name = name.normalized }
            for i in page.files.indices { page.files[i].indexURL = index }
            if var existing = merged {
                for file in page.files where seen.insert(file.filename).inserted { existing.files.append(file) }
                merged = existing
            } else {
                var first = page
                first.files = []
                for file in page.files where seen.insert(file.filename).inserted { first.files.append(file) }
                merged = first
            }
        }
        guard let merged else {
            throw IndexError(.notFound, "project \(name.normalized) not found at \(tried.joined(separator: ", "))")
        }
        return merged
    }

    /// Parses a project page by its content type.
    static func parse(_ response: HTTPResponse) throws(IndexError) -> ProjectPage {
        let type = response.mediaType ?? ""
        if type.hasSuffix("json") { return try SimpleAPI.parseJSON(response.body, base: response.url) }
        if type == "text/html" || type == "application/vnd.pypi.simple.v1+html" {
            return try SimpleAPI.parseHTML(response.body, base: response.url)
        }
        let first = response.body.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
        if first == UInt8(ascii: "{") { return try SimpleAPI.parseJSON(response.body, base: response.url) }
        return try SimpleAPI.parseHTML(response.body, base: response.url)
    }

    /// Fetches and decodes the provenance of `file` (see `provenanceCandidates`).
    public func provenance(for file: IndexFile, project: ProjectName, version: String) async throws(IndexError) -> FetchedProvenance {
        let candidates = IndexClient.provenanceCandidates(
            advertised: file.provenanceURL,
            indexURL: file.indexURL ?? configuration.indexURL,
            project: project, version: version, filename: file.filename)
        var malformed: IndexError?
        for candidate in candidates {
            let response: HTTPResponse
            do {
                response = try await http.get(candidate, accept: IndexClient.integrityAccept, what: "provenance of \(file.filename)")
            } catch  where error.code == .notFound {
                continue
            }
            do {
                let provenance = try Provenance.decode(response.body)
                return FetchedProvenance(url: candidate, bytes: response.body, provenance: provenance)
            } catch {
                if malformed == nil {
                    malformed = IndexError(
                        .badResponse, "provenance of \(file.filename) at \(candidate.redacted) is malformed: \(error.message)")
                }
            }
        }
        if let malformed { throw malformed }
        throw IndexError(.notFound, "no provenance for \(file.filename): tried \(candidates.map(\.redacted).joined(separator: ", "))")
    }
}
