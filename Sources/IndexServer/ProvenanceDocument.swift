import Foundation

/// Builds the Integrity API response body for one distribution file.
///
/// Guarantees: a `<file>.provenance` file is returned byte for byte; attestation files are embedded
/// byte for byte (never re-serialised, so their signatures stay meaningful) after checking that
/// each is a JSON object; the publisher file must be a JSON object too. Each input file is capped
/// at `maxFileSize` and the whole document at `maxDocumentSize`.
enum ProvenanceDocument {
    static let maxFileSize = 16 << 20
    static let maxDocumentSize = 64 << 20

    /// The provenance bytes, or nil when the file has none.
    static func bytes(for source: ProvenanceSource, defaultPublisherJSON: [UInt8]) throws(ServerError) -> [UInt8]? {
        switch source {
        case .none, .stored:
            // `.stored` is the store's to read (`StoreCatalog`), never a folder's.
            return nil
        case .file(let path):
            return try read(path, what: "provenance file")
        case .attestations(let paths, let publisherPath):
            var publisher = defaultPublisherJSON
            if let publisherPath {
                publisher = try read(publisherPath, what: "publisher file")
                try requireObject(publisher, path: publisherPath, what: "publisher file")
            }
            var out = Array(#"{"version":1,"attestation_bundles":[{"publisher":"#.utf8)
            out += trimmed(publisher)
            out += Array(#","attestations":["#.utf8)
            for (index, path) in paths.enumerated() {
                let attestation = try read(path, what: "attestation file")
                try requireObject(attestation, path: path, what: "attestation file")
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += trimmed(attestation)
                guard out.count <= maxDocumentSize else {
                    throw ServerError(.malformedInput, "provenance for \(path) exceeds \(maxDocumentSize) bytes")
                }
            }
            out += Array("]}]}".utf8)
            return out
        }
    }

    private static func read(_ path: String, what: String) throws(ServerError) -> [UInt8] {
        let name = (path as NSString).lastPathComponent
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ServerError(.io, "cannot read \(what) \(name)")
        }
        defer { try? handle.close() }
        let data: Data?
        do {
            data = try handle.read(upToCount: maxFileSize + 1)
        } catch {
            throw ServerError(.io, "cannot read \(what) \(name)")
        }
        let bytes = [UInt8](data ?? Data())
        guard bytes.count <= maxFileSize else {
            throw ServerError(.malformedInput, "\(what) \(name) is larger than \(maxFileSize) bytes")
        }
        return bytes
    }

    private static func requireObject(_ bytes: [UInt8], path: String, what: String) throws(ServerError) {
        let name = (path as NSString).lastPathComponent
        guard (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any] else {
            throw ServerError(.malformedInput, "\(what) \(name) is not a JSON object")
        }
    }

    /// Drops leading and trailing ASCII whitespace (a trailing newline from an editor), nothing else.
    private static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return [] }
        return bytes[first...last]
    }
}
