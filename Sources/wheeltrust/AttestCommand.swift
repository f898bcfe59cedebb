import ArgumentParser
import Attestations
import Foundation
import IndexServer

/// `wheeltrust attest WHEEL... --key PRIVATE.pem`: writes `<file>.slsa.attestation` beside each
/// distribution, a key-signed PEP 740 attestation with a SLSA v1 statement.
struct AttestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Sign wheels or sdists: write <file>.slsa.attestation beside each one.")

    @Argument(help: "The distribution files to attest.")
    var wheels: [String]

    @Option(help: ArgumentHelp("The private key (PEM: PKCS#8, EC or RSA).", valueName: "PRIVATE.pem"))
    var key: String

    @Option(help: "The SLSA builder id written into the statement.")
    var builderID: String = Attester.defaultBuilderID

    @Option(help: "The SLSA build type written into the statement.")
    var buildType: String = Attester.defaultBuildType

    func validate() throws {
        if wheels.isEmpty { throw UsageError("no files to attest") }
    }

    func run() async throws {
        let privateKey: PrivateKey
        do {
            privateKey = try KeyPairFiles.readPrivateKey(at: key)
        } catch {
            throw fail("--key \(key): \(error.message)", code: Exit.usage)
        }
        if let missing = Attester.firstMissingFile(wheels) { throw fail("\(missing): no such file", code: Exit.usage) }
        for wheel in wheels {
            do {
                let written = try Attester.attest(wheel: wheel, key: privateKey, builderID: builderID, buildType: buildType)
                emit("\(written)\n")
            } catch {
                throw fail("\(error.message)", code: error.code == .malformedInput ? Exit.usage : Exit.incomplete)
            }
        }
    }
}
