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

/// Reads project pages and provenance from the configured indexes.
///
/// Guarantees: project pages are requested with `Accept: application/vnd.pypi.simple.v1+json,
/// text/html;q=0.1` and parsed by the response's content type (JSON, else HTML; sniffed when
/// absent); provenance is looked up at the candidates of `provenanceCandidates`, in order, where
/// 404/410 moves on, 401/403 stops with `authentication`, a transport failure stops with
/// `network`, and a body that is not a valid provenance is remembered and the next candidate
/// tried. A file's provenance is looked up only on the index that served it (``IndexFile/servedBy``):
/// an advertised provenance URL on another origin than that index's is not followed. All HTTP
/// goes through `HTTPClient` (credentials only to the index origin).
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

    /// The project's page on each index of ``IndexConfiguration/lookupIndexes``, in lookup order
    /// (nil where the index answers 404/410). With ``IndexStrategy/firstIndex`` the walk stops at
    /// the first index that lists the project (later ones are left nil, as uv never asks them).
    /// Any other failure of any index stops the walk with that error: an index that could not be
    /// read might have offered a conflicting file.
    public func pages(_ name: ProjectName) async throws(IndexError) -> [(index: URL, page: ProjectPage?)] {
        var pages: [(index: URL, page: ProjectPage?)] = []
        var found = false
        for index in configuration.lookupIndexes.map(\.url) {
            if found && configuration.strategy == .firstIndex {
                pages.append((index, nil))
                continue
            }
            let url = IndexClient.projectURL(index: index, project: name)
            let response: HTTPResponse
            do {
                response = try await http.get(url, accept: IndexClient.simpleAccept, what: "project page for \(name.normalized)")
            } catch  where error.code == .notFound {
                pages.append((index, nil))
                continue
            }
            var page = try IndexClient.parse(response)
            if page.name.isEmpty { page.name = name.normalized }
            for i in page.files.indices { page.files[i].indexURL = index }
            pages.append((index, page))
            found = true
        }
        return pages
    }

    /// The project's files on the configured indexes, combined under the configuration's strategy
    /// (``ProjectLookup/combine(_:strategy:project:)``). `notFound` only when no index lists it.
    public func lookup(_ name: ProjectName) async throws(IndexError) -> ProjectLookup {
        let pages = try await pages(name)
        guard let lookup = ProjectLookup.combine(pages, strategy: configuration.strategy, project: name) else {
            let tried = configuration.lookupIndexes.map { IndexClient.projectURL(index: $0.url, project: name).redacted }
            throw IndexError(.notFound, "project \(name.normalized) not found at \(tried.joined(separator: ", "))")
        }
        return lookup
    }

    /// The project's files from every consulted index as one page (see ``lookup(_:)``); a file
    /// name already listed by an earlier index is not repeated.
    public func project(_ name: ProjectName) async throws(IndexError) -> ProjectPage {
        let lookup = try await lookup(name)
        var seen: Set<String> = []
        return ProjectPage(
            name: name.normalized, files: lookup.files.filter { seen.insert($0.filename).inserted }, url: lookup.pageURL)
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
        let servingIndex = file.indexURL ?? configuration.indexURL
        // The advertised URL counts only on the serving index's own origin: another index's
        // provenance is never borrowed for this file.
        let advertised = file.provenanceURL.flatMap { url in
            url.origin.map { "\($0.scheme)://\($0.host):\($0.port)" } == servingIndex.origin.map { "\($0.scheme)://\($0.host):\($0.port)" }
                ? url : nil
        }
        let candidates = IndexClient.provenanceCandidates(
            advertised: advertised,
            indexURL: servingIndex,
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
