import Foundation
import PythonPackaging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A signing key pair kept as two files: `<prefix>.pem`, the private key (PKCS#8 PEM, mode 0600)
/// and `<prefix>.pub`, its public key (SPKI PEM, mode 0644), as `wheeltrust keygen` writes them.
///
/// Guarantees: each file is written with ``AtomicFile``: a fresh temporary file beside it, created with its mode
/// (`O_EXCL`, so the private key is never readable by others, not even while it is written; the
/// mode is set again whatever the umask) and then renamed into place, so a reader never sees half
/// a key; the private key is written first, and when it cannot be, the public one is not written.
public struct KeyPairFiles: Sendable {
    public let privatePath: String
    public let publicPath: String

    public init(prefix: String) {
        privatePath = prefix + ".pem"
        publicPath = prefix + ".pub"
    }

    /// The first of the two files that already exists (private, then public), or nil.
    public var existing: String? {
        [privatePath, publicPath].first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Writes `key` and its public key; returns the path that could not be written, nil when both were.
    public func write(_ key: PrivateKey) -> String? {
        guard Self.write(key.pemRepresentation, to: privatePath, mode: 0o600) else { return privatePath }
        guard Self.write(key.publicKey.pemRepresentation, to: publicPath, mode: 0o644) else { return publicPath }
        return nil
    }

    /// Writes `key` as an `ENCRYPTED PRIVATE KEY` under `passphrase` (see
    /// ``PrivateKey/encryptedPEMRepresentation(passphrase:iterations:)``) and its public key; returns
    /// the path that could not be written, nil when both were. Throws only when the key cannot be
    /// encrypted (then nothing is written).
    public func write(_ key: PrivateKey, passphrase: [UInt8]) throws(AttestationError) -> String? {
        let pem = try key.encryptedPEMRepresentation(passphrase: passphrase)
        guard Self.write(pem, to: privatePath, mode: 0o600) else { return privatePath }
        guard Self.write(key.publicKey.pemRepresentation, to: publicPath, mode: 0o644) else { return publicPath }
        return nil
    }

    /// Writes `text` through ``AtomicFile`` (a fresh temporary file created with `mode`, then
    /// renamed into place); the folder must exist.
    static func write(_ text: String, to path: String, mode: mode_t) -> Bool {
        (try? AtomicFile.write(Array(text.utf8), to: path, mode: mode, creatingDirectory: false)) != nil
    }
}

extension KeyPairFiles {
    /// Most bytes a key file may hold (a PEM key is a few kilobytes).
    public static let maxKeyFileBytes = 1 << 20

    /// The private key in the PEM file at `path` (PKCS#8, SEC1 EC or PKCS#1 RSA), as a user names
    /// it to sign with.
    ///
    /// Guarantees: only a regular file of at most ``maxKeyFileBytes`` is read (a FIFO or device in
    /// its place is refused without blocking); an unreadable file is `.io` ("cannot read the
    /// file"), anything that is not a usable private key the key parser's error; no message
    /// carries key material.
    /// With `passphrase`, the file must hold an encrypted PKCS#8 key it opens (see
    /// ``PrivateKey/init(pem:passphrase:)``).
    public static func readPrivateKey(at path: String, passphrase: [UInt8]? = nil) throws(AttestationError) -> PrivateKey {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, cap: maxKeyFileBytes)
        } catch  where error.code == .limitExceeded {
            throw AttestationError(.io, "larger than \(maxKeyFileBytes) bytes")
        } catch {
            throw AttestationError(.io, "cannot read the file")
        }
        return try PrivateKey(pem: String(decoding: bytes, as: UTF8.self), passphrase: passphrase)
    }
}
