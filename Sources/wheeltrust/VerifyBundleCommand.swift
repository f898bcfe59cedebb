import ArgumentParser
import Attestations
import Foundation
import Sigstore
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

    func run() async throws {
        let policy: BundleVerifier.Policy
        switch (certificateIdentity, certificateOidcIssuer, key) {
        case (let identity?, let issuer?, nil) where !identity.isEmpty && !issuer.isEmpty:
            policy = .identity(identity, issuer: issuer)
        case (nil, nil, let path?):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw fail("cannot read the key file \(path)", code: Exit.usage) }
            do {
                policy = .key(try PublicKey(pem: text))
            } catch {
                throw fail("\(path): \(error.message)", code: Exit.usage)
            }
        default:
            throw fail("give --certificate-identity with --certificate-oidc-issuer, or --key", code: Exit.usage)
        }
        let digest = try Self.digest(of: artifact)
        let root: TrustedRoot
        do {
            root = try VerificationSetup(trustedRootFile: trustedRoot, staging: staging).sigstoreTrustedRoot()
        } catch {
            throw fail("\(error.message)", code: error.code == .usage ? Exit.usage : Exit.incomplete)
        }
        guard let data = FileManager.default.contents(atPath: bundle) else { throw fail("cannot read the bundle \(bundle)", code: Exit.usage) }
        let parsed: SigstoreBundle
        do {
            parsed = try SigstoreBundle.decode(data)
        } catch {
            emit("FAILED \(bundle): \(error.message)\n")
            throw ExitCode(Exit.failed)
        }
        switch await BundleVerifier(trustedRoot: root).verify(parsed, artifactDigest: digest, policy: policy) {
        case .verified(let line):
            emit("OK \(artifact): \(line)\n")
        case .failed(let reason):
            emit("FAILED \(artifact): \(FlagNames.reason(reason))\n")
            throw ExitCode(Exit.failed)
        }
    }

    /// The SHA-256 of the file, or the digest of a `sha256:HEX` argument.
    static func digest(of artifact: String) throws -> [UInt8] {
        let hex: [Character]
        if artifact.hasPrefix("sha256:") {
            hex = Array(artifact.dropFirst(7).lowercased())
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { throw fail("\(artifact) is not sha256:<64 hex digits>", code: Exit.usage) }
        } else {
            do {
                hex = Array(try LocalFiles.sha256(of: artifact))
            } catch {
                throw fail("\(error.message)", code: Exit.usage)
            }
        }
        return stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(hex[$0...$0 + 1]), radix: 16) }
    }
}
