import ArgumentParser
import Attestations
import Foundation
import Verification

/// `wheeltrust verify-bundle`: a Sigstore bundle (v0.1–v0.3, message signature or DSSE) over a
/// file or a digest, with a certificate identity or a key. Exit 0 verified, 1 failed, 2 usage,
/// 3 could not complete.
struct VerifyBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-bundle",
        abstract: "Verify a Sigstore bundle (cosign, sigstore-python, GitHub attestations) offline.")

    @Option(name: .long, help: ArgumentHelp("The Sigstore bundle (JSON).", valueName: "FILE")) var bundle: String
    @Option(name: .long, help: ArgumentHelp("Required certificate SAN (with --certificate-oidc-issuer).", valueName: "SAN"))
    var certificateIdentity: String?
    @Option(name: .long, help: ArgumentHelp("Required certificate OIDC issuer.", valueName: "URL")) var certificateOidcIssuer: String?
    @Option(name: .long, help: ArgumentHelp("A PEM public key: verify a key-signed bundle instead.", valueName: "PEM")) var key: String?
    @Option(name: .long, help: ArgumentHelp("A Sigstore trusted_root.json instead of the embedded production root.", valueName: "FILE"))
    var trustedRoot: String?
    @Flag(name: .long, help: "Use the embedded Sigstore staging root.") var staging = false
    @Argument(help: "The signed file, or sha256:<64 hex digits>.") var artifact: String

    /// The signer the options name (checked in `validate()`).
    var signer: BundleCheck.Signer? {
        BundleCheck.signer(identity: certificateIdentity, issuer: certificateOidcIssuer, keyFile: key)
    }

    func validate() throws {
        if signer == nil { throw UsageError("give --certificate-identity with --certificate-oidc-issuer, or --key") }
    }

    func run() async throws {
        guard let signer else { throw fail("give --certificate-identity with --certificate-oidc-issuer, or --key", code: Exit.usage) }
        let (bundle, artifact) = (bundle, artifact)
        let setup = VerificationSetup(trustedRootFile: trustedRoot, staging: staging)
        switch try await prepare({ () async throws(VerificationError) in
            try await BundleCheck.verify(bundleFile: bundle, artifact: artifact, signer: signer, setup: setup)
        }) {
        case .verdict(.verified(let line)):
            emit("OK \(artifact): \(line)\n")
        case .verdict(.failed(let reason)):
            emit("FAILED \(artifact): \(FlagNames.reason(reason))\n")
            throw ExitCode(Exit.failed)
        case .malformedBundle(let reason):
            emit("FAILED \(bundle): \(reason)\n")
            throw ExitCode(Exit.failed)
        }
    }
}
