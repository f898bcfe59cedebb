import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#endif

/// Loads a folder of wheels and sdists into a store through the same door as an upload
/// (`serve import`).
///
/// Guarantees: only regular files with a distribution filename are considered (links and other
/// kinds are passed over, never followed); each is copied into the store's staging folder while it
/// is hashed, and that copy — not the folder's file — is what is checked (``DistributionCheck``),
/// judged (``UploadGate``: `F.provenance` as a whole provenance, else `F.*.attestation` as the
/// upload's attestations, each side file a regular file, not a link, at most
/// ``UploadGate/maxDocumentBytes``) and published
/// with the provenance that verified; a refused file leaves nothing in staging. The same bytes
/// already stored are `unchanged`; other bytes under a stored or retired name, and any bytes under
/// another spelling of one (``PublishOutcome/equivalentExists(_:)``), are refused.
/// Refusals are returned per file; only store and file-system failures are thrown.
public enum StoreImport {
    /// What happened to one file.
    public enum Outcome: Sendable, Hashable {
        /// Published; `signers` names who signed its verified provenance (nil: none stored).
        case imported(signers: [String]?)
        case unchanged
        case refused(String)
    }

    public struct FileOutcome: Sendable, Hashable {
        public let filename: String
        public let outcome: Outcome
    }

    /// Imports every distribution file of `folder`, in name order.
    public static func importFolder(
        _ folder: String, gate: UploadGate, store: PublishingStore
    ) async throws(PublishingError)
        -> [FileOutcome]
    {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw PublishingError(.configuration, "cannot list the folder \(folder)")
        }
        var outcomes: [FileOutcome] = []
        for name in names where (try? DistributionFilename(parsing: name)) != nil {
            let path = (folder as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let outcome = try await importFile(name, path: path, folder: folder, names: names, gate: gate, store: store)
            outcomes.append(FileOutcome(filename: name, outcome: outcome))
        }
        return outcomes
    }

    /// Stages one file, checks it as an upload, publishes it with the verified provenance.
    static func importFile(
        _ name: String, path: String, folder: String, names: [String], gate: UploadGate, store: PublishingStore
    ) async throws(PublishingError) -> Outcome {
        let staged = store.stagingDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        // publish consumes the staged copy; otherwise it is removed here.
        var published = false
        defer { if !published { unlink(staged.path) } }
        let digests = try copyHashing(from: path, to: staged.path)
        let parsed: DistributionFilename
        do {
            parsed = try DistributionFilename(parsing: name)
        } catch {
            return .refused("\(UploadRefusal.Code.badFilename.rawValue): \(error.message)")
        }
        let form = UploadForm(
            fields: [
                ":action": ["file_upload"], "protocol_version": ["1"], "name": [parsed.name.raw],
                "version": [parsed.version.string], "sha256_digest": [digests.sha256.text],
            ],
            content: StagedContent(filename: name, path: staged.path, digests: digests))
        let checked: CheckedDistribution
        switch DistributionCheck.check(form) {
        case .refused(let refusal): return .refused("\(refusal.code.rawValue): \(refusal.message)")
        case .passed(let value): checked = value
        }
        let decision: GateDecision
        do {
            decision = try await judge(name, checked: checked, folder: folder, names: names, gate: gate)
        } catch  where error.code == .invalidUpload {
            // An oversized side file: as the upload door refuses an oversized `attestations` field.
            return .refused("\(UploadRefusal.Code.malformedAttestations.rawValue): \(error.message)")
        }
        let accepted: AcceptedUpload
        switch decision {
        case .refused(let refusal): return .refused("\(refusal.code.rawValue): \(refusal.message)")
        case .accepted(let value): accepted = value
        }
        published = true
        let outcome = try store.publish(
            StoreUpload(
                stagedFile: staged, filename: name, sha256: digests.sha256.text, size: digests.size,
                coreMetadata: checked.coreMetadata, provenance: accepted.provenance, uploader: "import"))
        switch outcome {
        case .published:
            return .imported(signers: accepted.provenance == nil ? nil : accepted.signers.map { "\($0)" })
        case .alreadyExists(let existing) where existing.sha256 == digests.sha256.text:
            return .unchanged
        case .alreadyExists:
            return .refused("file-exists: \(name) is already published with different bytes")
        case .equivalentExists(let existing):
            return .refused("file-exists: \(name) is another spelling of the published \(existing.filename)")
        case .filenameRetired(let retired):
            let which = retired == name ? name : "\(name) (another spelling of \(retired))"
            return .refused("file-exists: \(which) was deleted from the store and its filename cannot be used again")
        }
    }

    /// The gate's decision on `checked` with its side files: `F.provenance` as a whole provenance,
    /// else `F.*.attestation` as the upload's attestations.
    static func judge(
        _ name: String, checked: CheckedDistribution, folder: String, names: [String], gate: UploadGate
    )
        async throws(PublishingError) -> GateDecision
    {
        if names.contains(name + ".provenance") {
            let document = try readSideFile((folder as NSString).appendingPathComponent(name + ".provenance"))
            return await gate.judgeProvenance(document, for: checked.uploaded)
        }
        let attestations = names.filter { $0.hasPrefix(name + ".") && $0.hasSuffix(".attestation") }
        var field: [UInt8]?
        if !attestations.isEmpty {
            var array = Array("[".utf8)
            for (index, attestation) in attestations.enumerated() {
                if index > 0 { array += Array(",".utf8) }
                array += try readSideFile((folder as NSString).appendingPathComponent(attestation))
            }
            field = array + Array("]".utf8)
        }
        return await gate.judgeUpload(checked.uploaded, attestationsField: field)
    }

    /// Copies `source` to `destination` (a new file), hashing what is written.
    static func copyHashing(from source: String, to destination: String) throws(PublishingError) -> UploadDigests {
        // Not through a link swapped in since the folder was listed.
        let descriptor = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw PublishingError(.io, "cannot read \(source)") }
        let input = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil), let output = FileHandle(forWritingAtPath: destination)
        else { throw PublishingError(.io, "cannot write the store's staging folder") }
        defer { try? output.close() }
        var digester = UploadDigester()
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { digester.update($0) }
                try output.write(contentsOf: chunk)
            }
        } catch {
            throw PublishingError(.io, "cannot copy \(source) into the store's staging folder")
        }
        return digester.finalize()
    }

    /// A provenance or attestation file, at most ``UploadGate/maxDocumentBytes``: a regular file
    /// only, not through a symbolic link (as the distribution file itself), opened without
    /// blocking, so a FIFO or device planted as a side file refuses its file instead of stalling
    /// or feeding the import. Anything else is `invalidUpload` (the file is refused, the import
    /// goes on).
    static func readSideFile(_ path: String) throws(PublishingError) -> [UInt8] {
        do {
            return try BoundedFile.read(path, cap: UploadGate.maxDocumentBytes, followLinks: false)
        } catch where error.code == .limitExceeded {
            throw PublishingError(.invalidUpload, "\(path) is larger than \(UploadGate.maxDocumentBytes) bytes")
        } catch {
            throw PublishingError(.invalidUpload, "side file: \(error.message)")
        }
    }
}
