import ArgumentParser
import Foundation
import Publishing
import PythonPackaging

/// `wheeltrust serve import FOLDER --store DIR`: loads a folder of wheels and sdists into a store.
struct ServeImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a folder of wheels and sdists into a publishing store.",
        discussion: """
            Each distribution is stored as an upload would be (re-hashed, atomic). Files already \\
            in the store with the same bytes are left alone; a file whose name is taken by \\
            different bytes is an error (exit 1). Until attestations can be verified at import, \\
            --allow-unattested is required and no provenance is imported.
            """)

    @Argument(help: "The folder holding the distributions.")
    var folder: String

    @OptionGroup var location: StoreLocationOptions

    @Flag(help: "Import files without provenance.")
    var allowUnattested = false

    func validate() throws {
        guard allowUnattested else {
            throw UsageError("import verifies no attestations yet: pass --allow-unattested to import the files without provenance")
        }
    }

    func run() throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw fail("cannot list the folder \(folder)", code: Exit.usage)
        }
        let store = try location.open(creating: true)
        var imported = 0
        var unchanged = 0
        var conflicts = 0
        for name in names where (try? DistributionFilename(parsing: name)) != nil {
            let path = (folder as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let upload = try stage(path: path, filename: name, in: store)
            switch try storeOperation({ () throws(PublishingError) in try store.publish(upload) }) {
            case .published:
                imported += 1
                emit("imported \(name)\n")
            case .alreadyExists(let existing) where existing.sha256 == upload.sha256:
                unchanged += 1
                emit("already present \(name)\n")
            case .alreadyExists:
                conflicts += 1
                emitError("wheeltrust: error: \(name) is already published with different bytes\n")
            case .filenameRetired:
                conflicts += 1
                emitError("wheeltrust: error: \(name) was deleted from the store and cannot be published again\n")
            }
        }
        emit("\(imported) imported, \(unchanged) already present, \(conflicts) refused\n")
        if conflicts > 0 { throw ExitCode(Exit.failed) }
    }

    /// Copies the file into the store's staging folder (publish consumes the staged copy, never
    /// the original) and describes it: digest, size, and a wheel's METADATA for PEP 658.
    private func stage(path: String, filename: String, in store: PublishingStore) throws -> StoreUpload {
        let staged = store.stagingDirectory.appendingPathComponent("import-\(UUID().uuidString)")
        do {
            try FileManager.default.copyItem(atPath: path, toPath: staged.path)
        } catch {
            throw fail("cannot copy \(path) into the store's staging folder", code: Exit.incomplete)
        }
        do {
            let (digest, size) = try FileHashing.digest(ofFileAt: staged.path, algorithm: .sha256)
            let metadata = filename.hasSuffix(".whl") ? try Wheel.open(path: staged.path, filename: filename).coreMetadataBytes : nil
            return StoreUpload(
                stagedFile: staged, filename: filename, sha256: digest.hex, size: size, coreMetadata: metadata, provenance: nil,
                uploader: "import")
        } catch {
            try? FileManager.default.removeItem(at: staged)
            throw fail("\(filename) cannot be read: \(error.message)", code: Exit.failed)
        }
    }
}
