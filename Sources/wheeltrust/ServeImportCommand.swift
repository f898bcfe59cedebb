import ArgumentParser
import Foundation
import Publishing
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#endif

/// `wheeltrust serve import FOLDER --store DIR`: loads a folder of wheels and sdists, with their
/// attestations, into a store: each file passes the same door check as an upload.
struct ServeImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Verify and load a folder of wheels and sdists, with their attestations, into a publishing store.",
        discussion: """
            For a file F the attestations are F.*.attestation (as `wheeltrust attest` and \\
            `twine upload --attestations` use them) or a whole PEP 740 provenance in F.provenance. \\
            Each file passes the same door check as an upload (filename and METADATA agree; every \\
            attestation verifies for that very file under --policy; without attestations it is \\
            refused unless --allow-unattested and the project's rule allows it) and is stored \\
            atomically, with the provenance the check verified. Files already in the store with the \\
            same bytes are left alone. Exit 1 when any file was refused.
            """)

    @Argument(help: "The folder holding the distributions and their attestations.")
    var folder: String

    @OptionGroup var location: StoreLocationOptions

    @OptionGroup var upload: ServeUploadOptions

    /// Attestation and provenance files larger than this are refused (PEP 740's own bound).
    static let maxSideFileBytes = UploadGate.maxDocumentBytes

    func run() async throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw fail("cannot list the folder \(folder)", code: Exit.usage)
        }
        let (gate, gateSummary) = try upload.gate()
        let store = try location.open(creating: true)
        emit("Importing \(folder): \(gateSummary)\n")
        var (imported, unchanged, refused) = (0, 0, 0)
        for name in names where (try? DistributionFilename(parsing: name)) != nil {
            let path = (folder as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            switch try await importFile(name, path: path, names: names, gate: gate, store: store) {
            case .imported(let detail):
                imported += 1
                emit("imported \(name)\(detail)\n")
            case .unchanged:
                unchanged += 1
                emit("already present \(name)\n")
            case .refused(let reason):
                refused += 1
                emitError("wheeltrust: error: refused \(name): \(reason)\n")
            }
        }
        emit("\(imported) imported, \(unchanged) already present, \(refused) refused\n")
        if refused > 0 { throw ExitCode(Exit.failed) }
    }

    private enum Outcome {
        case imported(String)
        case unchanged
        case refused(String)
    }

    /// Stages one file, checks it as an upload, publishes it with the verified provenance.
    private func importFile(
        _ name: String, path: String, names: [String], gate: UploadGate, store: PublishingStore
    ) async throws -> Outcome {
        let staged = store.stagingDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        let digests = try Self.copyHashing(from: path, to: staged.path)
        // publish consumes the staged copy; on refusal it is removed here.
        var published = false
        defer { if !published { unlink(staged.path) } }
        let parsed = try DistributionFilename(parsing: name)
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
        if names.contains(name + ".provenance") {
            let document = try Self.readSideFile((folder as NSString).appendingPathComponent(name + ".provenance"))
            decision = await gate.judgeProvenance(document, for: checked.uploaded)
        } else {
            let attestations = names.filter { $0.hasPrefix(name + ".") && $0.hasSuffix(".attestation") }
            var field: [UInt8]?
            if !attestations.isEmpty {
                var array = Array("[".utf8)
                for (index, attestation) in attestations.enumerated() {
                    if index > 0 { array += Array(",".utf8) }
                    array += try Self.readSideFile((folder as NSString).appendingPathComponent(attestation))
                }
                field = array + Array("]".utf8)
            }
            decision = await gate.judgeUpload(checked.uploaded, attestationsField: field)
        }
        let accepted: AcceptedUpload
        switch decision {
        case .refused(let refusal): return .refused("\(refusal.code.rawValue): \(refusal.message)")
        case .accepted(let value): accepted = value
        }
        published = true
        let outcome = try storeOperation { () throws(PublishingError) in
            try store.publish(
                StoreUpload(
                    stagedFile: staged, filename: name, sha256: digests.sha256.text, size: digests.size,
                    coreMetadata: checked.coreMetadata, provenance: accepted.provenance, uploader: "import"))
        }
        switch outcome {
        case .published:
            let signers = accepted.signers.map { "\($0)" }.joined(separator: ", ")
            return .imported(accepted.provenance == nil ? " (no provenance)" : " (provenance verified: \(signers))")
        case .alreadyExists(let existing) where existing.sha256 == digests.sha256.text:
            return .unchanged
        case .alreadyExists:
            return .refused("file-exists: \(name) is already published with different bytes")
        case .filenameRetired:
            return .refused("file-exists: \(name) was deleted from the store and its filename cannot be used again")
        }
    }

    /// Copies `source` to `destination` (a new file), hashing what is written.
    private static func copyHashing(from source: String, to destination: String) throws -> UploadDigests {
        guard let input = FileHandle(forReadingAtPath: source) else { throw fail("cannot read \(source)", code: Exit.incomplete) }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil), let output = FileHandle(forWritingAtPath: destination)
        else { throw fail("cannot write the store's staging folder", code: Exit.incomplete) }
        defer { try? output.close() }
        var digester = UploadDigester()
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                chunk.withUnsafeBytes { digester.update($0) }
                try output.write(contentsOf: chunk)
            }
        } catch {
            throw fail("cannot copy \(source) into the store's staging folder", code: Exit.incomplete)
        }
        return digester.finalize()
    }

    private static func readSideFile(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw fail("cannot read \(path)", code: Exit.incomplete) }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maxSideFileBytes + 1)) ?? Data()
        guard data.count <= maxSideFileBytes else { throw fail("\(path) is larger than \(maxSideFileBytes) bytes", code: Exit.failed) }
        return [UInt8](data)
    }
}
