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
        let privatePath = out + ".pem"
        let publicPath = out + ".pub"
        if !force {
            for path in [privatePath, publicPath] where FileManager.default.fileExists(atPath: path) {
                throw fail("\(path) already exists (use --force to replace it)", code: Exit.usage)
            }
        }
        let key: PrivateKey
        do {
            key = try PrivateKey.generate(keyType.kind)
        } catch {
            throw fail("key generation failed: \(error.message)", code: Exit.incomplete)
        }
        // The private key is created with mode 0600 before any byte is written to it.
        guard Self.write(key.pemRepresentation, to: privatePath, mode: 0o600) else {
            throw fail("cannot write \(privatePath)", code: Exit.incomplete)
        }
        guard Self.write(key.publicKey.pemRepresentation, to: publicPath, mode: 0o644) else {
            throw fail("cannot write \(publicPath)", code: Exit.incomplete)
        }
        emit("\(privatePath)\n\(publicPath)\nkey id \(key.publicKey.keyID) (\(key.kind))\n")
    }

    /// Writes `text` to a fresh temporary file created with `mode` (O_EXCL), then renames it into place.
    static func write(_ text: String, to path: String, mode: mode_t) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        let temp = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { return false }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        } catch {
            unlink(temp)
            return false
        }
        // Enforce the mode even under a restrictive-or-odd umask.
        guard chmod(temp, mode) == 0, rename(temp, path) == 0 else {
            unlink(temp)
            return false
        }
        return true
    }
}
