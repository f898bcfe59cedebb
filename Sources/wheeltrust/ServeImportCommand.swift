import ArgumentParser
import Foundation
import Publishing

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

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("cannot list the folder \(folder)")
        }
    }

    func run() async throws {
        let (gate, gateSummary) = try upload.gate()
        let store = try location.open(creating: true)
        emit("Importing \(folder): \(gateSummary)\n")
        let outcomes = try await storeOperation { () async throws(PublishingError) in
            try await StoreImport.importFolder(folder, gate: gate, store: store)
        }
        var (imported, unchanged, refused) = (0, 0, 0)
        for file in outcomes {
            switch file.outcome {
            case .imported(let signers):
                imported += 1
                let detail = signers.map { " (provenance verified: \($0.joined(separator: ", ")))" } ?? " (no provenance)"
                emit("imported \(file.filename)\(detail)\n")
            case .unchanged:
                unchanged += 1
                emit("already present \(file.filename)\n")
            case .refused(let reason):
                refused += 1
                emitError("wheeltrust: error: refused \(file.filename): \(reason)\n")
            }
        }
        emit("\(imported) imported, \(unchanged) already present, \(refused) refused\n")
        if refused > 0 { throw ExitCode(Exit.failed) }
    }
}
