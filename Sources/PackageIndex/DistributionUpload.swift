import Foundation
import PythonPackaging

/// One distribution file and its PEP 740 attestations, as the legacy upload API (`:action =
/// file_upload`, what twine and uv publish speak) takes them.
///
/// Guarantees: the form states the file's name and version from its filename (for a wheel, also
/// checked against its METADATA, and `metadata_version` and `requires_python` taken from it), its
/// sha256 as hashed when prepared (the index compares it with what arrives, so a file changed
/// since is refused there), and `attestations` as the JSON array of the given attestation files,
/// each checked to be one JSON object of at most 1 MiB. Nothing is sent by `prepare`.
public struct DistributionUpload: Sendable {
    /// The attestation file size cap (PEP 740 attestations are a few KiB).
    public static let maxAttestationSize = 1 << 20

    public let path: String
    public let filename: DistributionFilename
    public let sha256: SHA256Hex
    /// The form's text fields, in order.
    public let fields: [(name: String, value: String)]

    /// Reads `path` (a wheel or an sdist) and the attestation files; throws `configuration` for a
    /// file that cannot be uploaded as it is and `cache` for one that cannot be read.
    public static func prepare(path: String, attestations: [String]) throws(IndexError) -> DistributionUpload {
        let base = (path as NSString).lastPathComponent
        let filename: DistributionFilename
        do {
            filename = try DistributionFilename(parsing: base)
        } catch {
            throw IndexError(.configuration, "upload \(path): \(error.message)")
        }
        var fields: [(name: String, value: String)] = [
            (":action", "file_upload"), ("protocol_version", "1"),
        ]
        switch filename {
        case .wheel(let wheelName):
            let wheel: Wheel
            do {
                wheel = try Wheel.open(path: path)
            } catch {
                throw IndexError(.configuration, "upload \(path): \(error.message)")
            }
            let metadata = wheel.coreMetadata
            guard metadata.name == wheelName.name, metadata.version == wheelName.version else {
                throw IndexError(
                    .configuration,
                    "upload \(path): its METADATA names \(metadata.rawName) \(metadata.rawVersion), not its filename's project")
            }
            fields += [
                ("name", metadata.rawName), ("version", metadata.rawVersion), ("filetype", "bdist_wheel"),
                ("pyversion", wheelName.pythonTags.sorted().joined(separator: ".")),
                ("metadata_version", metadata.metadataVersion ?? "2.1"),
            ]
            if let requiresPython = metadata.headers.first("Requires-Python") { fields.append(("requires_python", requiresPython)) }
        case .sdist(let sdistName):
            fields += [
                ("name", sdistName.name.normalized), ("version", sdistName.version.string), ("filetype", "sdist"),
                ("pyversion", "source"),
            ]
        }
        let sha256: SHA256Hex
        do {
            sha256 = SHA256Hex(try FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest)
        } catch {
            throw IndexError(.cache, "upload \(path): \(error.message)")
        }
        fields.append(("sha256_digest", sha256.text))
        if !attestations.isEmpty {
            var documents: [String] = []
            for attestation in attestations {
                documents.append(try readAttestation(attestation))
            }
            fields.append(("attestations", "[" + documents.joined(separator: ",") + "]"))
        }
        return DistributionUpload(path: path, filename: filename, sha256: sha256, fields: fields)
    }

    /// Sends the form to `url` (the legacy upload endpoint, e.g. `…/legacy/`) with the client's
    /// credentials for that origin; returns when the index answered 2xx (stored, or the same
    /// bytes already there).
    public func send(to url: URL, client: HTTPClient) async throws(IndexError) {
        let form = try MultipartFormBody(fields: fields, fileField: "content", filename: filename.filename, filePath: path)
        _ = try await client.post(form, to: url, what: "upload \(filename.filename)")
    }

    private static func readAttestation(_ path: String) throws(IndexError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, cap: maxAttestationSize)
        } catch {
            throw IndexError(.cache, "upload: attestation \(path): \(error.message)")
        }
        guard (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any] else {
            throw IndexError(.configuration, "upload: attestation \(path) is not a JSON object")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
