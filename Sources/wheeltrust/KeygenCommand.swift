import ArgumentParser
import Attestations
import Foundation

/// `wheeltrust keygen --type rsa|p256|ed25519 --out PREFIX`: writes a new private key
/// `PREFIX.pem` (PKCS#8, mode 0600) and its public key `PREFIX.pub` (SPKI PEM).
struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate a signing key pair for `wheeltrust attest`.")

    enum KeyType: String, ExpressibleByArgument, CaseIterable {
        case rsa, p256, ed25519

        var kind: KeyKind {
            switch self {
            case .rsa: .rsa(bits: 3072)
            case .p256: .ecdsaP256
            case .ed25519: .ed25519
            }
        }
    }

    @Option(name: .customLong("type"), help: "The key type: rsa (3072 bits), p256 or ed25519.")
    var keyType: KeyType = .p256

    @Option(help: ArgumentHelp("Write PREFIX.pem (private) and PREFIX.pub (public).", valueName: "PREFIX"))
    var out: String

    @Flag(help: "Replace existing key files.")
    var force = false

    func run() async throws {
        let files = KeyPairFiles(prefix: out)
        if !force, let existing = files.existing {
            throw fail("\(existing) already exists (use --force to replace it)", code: Exit.usage)
        }
        let key: PrivateKey
        do {
            key = try PrivateKey.generate(keyType.kind)
        } catch {
            throw fail("key generation failed: \(error.message)", code: Exit.incomplete)
        }
        if let failed = files.write(key) { throw fail("cannot write \(failed)", code: Exit.incomplete) }
        emit("\(files.privatePath)\n\(files.publicPath)\nkey id \(key.publicKey.keyID) (\(key.kind))\n")
    }
}
