import Crypto
import Foundation
import PythonPackaging

/// Signs through a command that holds the key elsewhere (a KMS or HSM client, a signing
/// service's CLI), so the private key need not be on the build machine's disk.
///
/// The command runs directly from its argument vector (no shell), with this process's
/// environment and working directory. It gets the bytes to sign on stdin: the DSSE PAE itself
/// (``Input/message``), or its digest (``Input/digest``: SHA-256, or SHA-384 for a P-384 key, for
/// tools that sign a prehashed digest, as KMS "digest" modes do; not for Ed25519, which signs
/// the message). It answers with the signature on stdout: raw bytes (ECDSA as DER, Ed25519's 64
/// bytes, RSA's modulus-sized block) or the same bytes in standard base64 (line breaks allowed,
/// as `base64` wraps). Either is taken only if it verifies.
///
/// Guarantees: the command's stdout is read up to ``maxSignatureBytes`` (more is an error),
/// its stderr up to 64 KiB and handed to `stderrHandler` as bytes (the caller escapes them before
/// they reach a terminal); it is stopped after `timeoutSeconds`; a non-zero exit, an empty answer
/// or an answer that is not a signature by `publicKey` over these bytes is `.externalSigner`, so
/// a lying or broken signer never yields an attestation.
public struct ExternalSigner: StatementSigner {
    /// What the command reads on stdin.
    public enum Input: String, Sendable, CaseIterable {
        case message
        case digest
    }

    /// Most bytes of stdout read as a signature (an RSA-16384 signature is 2 KiB).
    public static let maxSignatureBytes = 64 << 10

    /// The argument vector; the first element is the resolved executable path.
    public let arguments: [String]
    public let publicKey: PublicKey
    public let input: Input
    public let timeoutSeconds: Int
    let environment: [String: String]
    let directory: String
    let stderrHandler: @Sendable ([UInt8]) -> Void

    /// Reads `commandLine` (see ``SignerCommandLine``: words, quotes, no shell syntax) and resolves
    /// its program on `PATH`.
    public init(
        commandLine: String, publicKey: PublicKey, input: Input = .message, timeoutSeconds: Int = 60,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = FileManager.default.currentDirectoryPath,
        stderrHandler: @escaping @Sendable ([UInt8]) -> Void = { _ in }
    ) throws(AttestationError) {
        var words = try SignerCommandLine.split(commandLine)
        words[0] = try SignerCommandLine.resolve(words[0], path: environment["PATH"], directory: directory)
        if input == .digest, case .ed25519 = publicKey.kind {
            throw AttestationError(
                .externalSigner, "signer input digest: an Ed25519 key signs the message itself, not a digest (use message)")
        }
        guard timeoutSeconds > 0 else {
            throw AttestationError(.externalSigner, "signer timeout: must be at least 1 second")
        }
        self.arguments = words
        self.publicKey = publicKey
        self.input = input
        self.timeoutSeconds = timeoutSeconds
        self.environment = environment
        self.directory = directory
        self.stderrHandler = stderrHandler
    }

    /// The bytes the command gets on stdin for `message`.
    public func stdinBytes(for message: [UInt8]) -> [UInt8] {
        switch (input, publicKey.kind) {
        case (.message, _), (.digest, .ed25519): message
        case (.digest, .ecdsaP384): Array(SHA384.hash(data: message))
        case (.digest, _): Array(SHA256.hash(data: message))
        }
    }

    public func sign(_ message: [UInt8]) async throws(AttestationError) -> [UInt8] {
        let program = (arguments[0] as NSString).lastPathComponent
        let output: InterpreterProcess.Output
        do {
            output = try await InterpreterProcess.run(
                arguments[0], arguments: Array(arguments.dropFirst()), input: Data(stdinBytes(for: message)),
                environment: environment, currentDirectory: directory, timeoutSeconds: timeoutSeconds,
                maxOutputBytes: Self.maxSignatureBytes)
        } catch {
            throw AttestationError(.externalSigner, "signer command \(program): \(error.message)")
        }
        stderrHandler(output.stderr)
        guard output.status == 0 else {
            throw AttestationError(.externalSigner, "signer command \(program) exited with status \(output.status)")
        }
        guard !output.stdout.isEmpty else {
            throw AttestationError(.externalSigner, "signer command \(program) wrote no signature on stdout")
        }
        for candidate in Self.candidates(output.stdout) where publicKey.acceptsSignature(candidate, for: message) {
            return candidate
        }
        throw AttestationError(
            .externalSigner,
            "signer command \(program): its answer (\(output.stdout.count) bytes) is not a signature by the \(publicKey.kind) public key sha256:\(publicKey.fingerprint) over the \(input == .digest ? "digest" : "message")"
        )
    }

    /// The answer as raw bytes, and as base64 text when it reads as such.
    static func candidates(_ stdout: [UInt8]) -> [[UInt8]] {
        var result = [stdout]
        var text = stdout
        while let last = text.last, last == 0x0A || last == 0x0D { text.removeLast() }
        if !text.isEmpty, let decoded = Encoding.base64IgnoringLineBreaks(String(decoding: text, as: UTF8.self)) {
            result.append(decoded)
        }
        return result
    }
}
