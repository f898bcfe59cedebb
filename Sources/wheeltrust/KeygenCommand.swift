import ArgumentParser
import Attestations
import Foundation

/// `wheeltrust keygen --type rsa|p256|ed25519 --out PREFIX`: writes a new private key
/// `PREFIX.pem` (PKCS#8, mode 0600; encrypted with `--key-passphrase-env NAME`) and its public key
/// `PREFIX.pub` (SPKI PEM).
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

    @Option(help: ArgumentHelp(
        "Encrypt PREFIX.pem (PKCS#8, PBKDF2-HMAC-SHA256 and AES-256-CBC) with the passphrase in this environment variable.",
        valueName: "NAME"))
    var keyPassphraseEnv: String?

    func run() async throws {
        let files = KeyPairFiles(prefix: out)
        if !force, let existing = files.existing {
            throw fail("\(existing) already exists (use --force to replace it)", code: Exit.usage)
        }
        var passphrase: [UInt8]?
        if let name = keyPassphraseEnv {
            guard !name.isEmpty, let value = ProcessInfo.processInfo.environment[name] else {
                throw fail("--key-passphrase-env \(name): the environment variable is not set", code: Exit.usage)
            }
            guard !value.isEmpty else {
                throw fail("--key-passphrase-env \(name): the passphrase is empty", code: Exit.usage)
            }
            passphrase = Array(value.utf8)
        }
        let key: PrivateKey
        do {
            key = try PrivateKey.generate(keyType.kind)
        } catch {
            throw fail("key generation failed: \(error.message)", code: Exit.incomplete)
        }
        let failed: String?
        if let passphrase {
            do {
                failed = try files.write(key, passphrase: passphrase)
            } catch {
                throw fail("\(error.message)", code: Exit.incomplete)
            }
        } else {
            failed = files.write(key)
        }
        if let failed { throw fail("cannot write \(failed)", code: Exit.incomplete) }
        emit(
            "\(files.privatePath)\(passphrase == nil ? "" : " (encrypted)")\n\(files.publicPath)\nkey id \(key.publicKey.keyID) (\(key.kind))\n")
    }
}
