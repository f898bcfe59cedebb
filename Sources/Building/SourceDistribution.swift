import Foundation
import PythonPackaging

/// The sdist a build starts from: the exact file, its digest, and what anchors it.
///
/// Guarantees: `sha256` was computed from the bytes at `path` (the file the build unpacks);
/// `anchor` says truthfully how the source is tied to its publisher: nothing for a local file
/// (the provenance says so), the index's published sha256, or that and a verified provenance.
public struct SourceDistribution: Sendable {
    public let path: String
    public let filename: SdistFilename
    public let sha256: SHA256Hex
    /// Where the file came from (its index URL, credentials removed), nil for a local file.
    public let uri: String?
    public let anchor: Anchor

    /// How "built from this source" is anchored.
    public enum Anchor: Sendable, Hashable {
        /// A local file, not looked up on any index: nothing ties it to its publisher.
        case none
        /// On the index with this published sha256, which matched; the index has no provenance for it.
        case indexDigest(indexURL: String)
        /// On the index, digest matched, and its own provenance verified: `signer` signed it.
        case verifiedProvenance(indexURL: String, signer: String)

        /// The words the provenance and the output use.
        public var summary: String {
            switch self {
            case .none: "none: a local file, not looked up on an index"
            case .indexDigest(let index): "the index's sha256 (\(index)); the index has no provenance for it"
            case .verifiedProvenance(let index, let signer): "the index's sha256 and its provenance (\(index)), signed by \(signer)"
            }
        }

        public var kind: String {
            switch self {
            case .none: "none"
            case .indexDigest: "index-digest"
            case .verifiedProvenance: "provenance"
            }
        }
    }

    public init(path: String, filename: SdistFilename, sha256: SHA256Hex, uri: String?, anchor: Anchor) {
        self.path = path
        self.filename = filename
        self.sha256 = sha256
        self.uri = uri
        self.anchor = anchor
    }

    /// A local sdist file: its name must be an sdist filename (`name-version.tar.gz`); it is hashed here.
    public static func local(path given: String) throws(BuildError) -> SourceDistribution {
        // Absolute: it is unpacked from another working folder.
        let path = PathResolution.absolute(given)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw BuildError(.usage, "\(given): no such sdist file")
        }
        let name = (path as NSString).lastPathComponent
        let filename: SdistFilename
        do {
            filename = try SdistFilename(parsing: name)
        } catch {
            throw BuildError(.usage, "\(name) is not an sdist filename: \(error.message)")
        }
        guard filename.extension == "tar.gz" else {
            throw BuildError(.usage, "\(name): only .tar.gz sdists (PEP 625) are built")
        }
        let sha256: SHA256Hex
        do {
            sha256 = try SHA256Hex(FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest)
        } catch {
            throw BuildError(.operational, "cannot read \(path): \(error.message)")
        }
        return SourceDistribution(path: path, filename: filename, sha256: sha256, uri: nil, anchor: .none)
    }
}
