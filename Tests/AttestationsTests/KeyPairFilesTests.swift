import Attestations
import Foundation
import Testing

@Suite("key pair files")
struct KeyPairFilesTests {
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wt-keypair-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test("both files are written with their modes and read back as the same key; existing files are named private first")
    func writeAndReadBack() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = KeyPairFiles(prefix: directory + "/signing")
        #expect(files.privatePath == directory + "/signing.pem" && files.publicPath == directory + "/signing.pub")
        #expect(files.existing == nil)
        let key = try PrivateKey.generate(.ed25519)
        #expect(files.write(key) == nil)
        #expect(try Self.mode(files.privatePath) == 0o600 && (try Self.mode(files.publicPath)) == 0o644)
        let privateBack = try PrivateKey(pem: String(contentsOfFile: files.privatePath, encoding: .utf8))
        let publicBack = try PublicKey(pem: String(contentsOfFile: files.publicPath, encoding: .utf8))
        #expect(privateBack.publicKey.keyID == key.publicKey.keyID && publicBack.keyID == key.publicKey.keyID)
        #expect(files.existing == files.privatePath)
        try FileManager.default.removeItem(atPath: files.privatePath)
        #expect(files.existing == files.publicPath)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory).allSatisfy { !$0.hasSuffix(".tmp") },
            "no temporary file is left")
    }

    @Test("a private key that cannot be written is named, and then no public key is written")
    func unwritable() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = KeyPairFiles(prefix: directory + "/missing-dir/signing")
        #expect(files.write(try PrivateKey.generate(.ecdsaP256)) == files.privatePath)
        #expect(!FileManager.default.fileExists(atPath: files.publicPath))
    }

    @Test("a private key is read back from its file; a FIFO, a public key, an oversized or missing file is refused without key material")
    func readPrivateKey() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = KeyPairFiles(prefix: directory + "/signing")
        let key = try PrivateKey.generate(.ecdsaP256)
        #expect(files.write(key) == nil)
        #expect(try KeyPairFiles.readPrivateKey(at: files.privatePath).publicKey == key.publicKey)

        let fifo = directory + "/fifo.pem"
        #expect(mkfifo(fifo, 0o600) == 0)
        let blocked = #expect(throws: AttestationError.self) { try KeyPairFiles.readPrivateKey(at: fifo) }
        #expect(blocked == AttestationError(.io, "cannot read the file"))
        let notPrivate = #expect(throws: AttestationError.self) { try KeyPairFiles.readPrivateKey(at: files.publicPath) }
        #expect(notPrivate?.code == .malformedKey, "\(String(describing: notPrivate))")
        #expect(notPrivate?.message.contains("MII") == false, "no key material in the message")
        let large = directory + "/large.pem"
        #expect(
            FileManager.default.createFile(atPath: large, contents: nil) && truncate(large, off_t(KeyPairFiles.maxKeyFileBytes + 1)) == 0)
        let oversized = #expect(throws: AttestationError.self) { try KeyPairFiles.readPrivateKey(at: large) }
        #expect(oversized == AttestationError(.io, "larger than \(KeyPairFiles.maxKeyFileBytes) bytes"))
        let missing = #expect(throws: AttestationError.self) { try KeyPairFiles.readPrivateKey(at: directory + "/absent.pem") }
        #expect(missing == AttestationError(.io, "cannot read the file"))
    }
}
