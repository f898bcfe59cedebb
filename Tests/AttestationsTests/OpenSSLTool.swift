import Foundation
import TestSupport

/// Runs the machine's real `openssl` (and small scripts) for tests that need keys and
/// signatures made by another implementation.
enum OpenSSLTool {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static let path =
        ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? "/usr/bin/openssl"

    /// Runs openssl with `arguments` in `directory`, feeding `input`; throws unless it exits 0.
    @discardableResult
    static func run(_ arguments: [String], in directory: String, input: [UInt8] = []) async throws -> [UInt8] {
        let executable = path
        let result = try await ChildProcess.run(executable, arguments, currentDirectory: directory, input: Data(input))
        guard result.status == 0 else {
            throw Failed(description: "\(executable) \(arguments.joined(separator: " ")): \(result.stderrText)")
        }
        return Array(result.stdout)
    }

    /// A fresh scratch folder.
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wt-openssl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `openssl genpkey` arguments for each key kind the tests use.
    static func genpkey(_ kind: String) -> [String] {
        switch kind {
        case "p256": ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
        case "p384": ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]
        case "ed25519": ["genpkey", "-algorithm", "ED25519"]
        default: ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
        }
    }

    /// Makes `NAME.pem` (a PKCS#8 key of `kind`) and `NAME.pub` (its SPKI) in `directory`.
    static func keyPair(_ kind: String, name: String, in directory: String) async throws {
        try await run(genpkey(kind) + ["-out", "\(name).pem"], in: directory)
        try await run(["pkey", "-in", "\(name).pem", "-pubout", "-out", "\(name).pub"], in: directory)
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }
}
