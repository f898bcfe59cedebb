import ArgumentParser
import Attestations
import Foundation
import IndexServer
import PythonPackaging

/// `wheeltrust attest WHEEL... (--key PRIVATE.pem | --signer-command CMD --public-key PUBLIC.pem)`:
/// writes `<file>.slsa.attestation` beside each distribution, a key-signed PEP 740 attestation
/// with a SLSA v1 statement whose predicate comes from the predicate flags or `--predicate FILE`.
struct AttestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Sign wheels or sdists: write <file>.slsa.attestation beside each one.",
        discussion: """
            Sign with a PEM private key (--key; an encrypted PKCS#8 key opens with the passphrase \
            in the environment variable --key-passphrase-env names), or with an external signer \
            (--signer-command 'CMD ARGS', run without a shell: it reads the DSSE PAE, or its digest \
            with --signer-input digest, on stdin and writes the signature, raw or base64, on \
            stdout; it is verified against --public-key before anything is written).
            """)

    @Argument(help: "The distribution files to attest.")
    var wheels: [String]

    @Option(help: ArgumentHelp("The private key (PEM: PKCS#8, encrypted PKCS#8, EC or RSA).", valueName: "PRIVATE.pem"))
    var key: String?

    @Option(help: ArgumentHelp("The environment variable holding the passphrase of an encrypted --key.", valueName: "NAME"))
    var keyPassphraseEnv: String?

    @Option(help: ArgumentHelp("A command that signs what it reads on stdin and writes the signature on stdout.", valueName: "'CMD ARGS'"))
    var signerCommand: String?

    @Option(help: ArgumentHelp("The public key the signer command's signatures must verify under.", valueName: "PUBLIC.pem"))
    var publicKey: String?

    @Option(help: "What the signer command reads: message (the DSSE PAE) or digest (its SHA-256; SHA-384 for P-384).")
    var signerInput: String = ExternalSigner.Input.message.rawValue

    @Option(help: ArgumentHelp("Seconds the signer command may take per signature.", valueName: "SECONDS"))
    var signerTimeout: Int = 60

    @OptionGroup var predicate: AttestPredicateOptions

    func validate() throws {
        if wheels.isEmpty { throw UsageError("no files to attest") }
        switch (key, signerCommand) {
        case (nil, nil): throw UsageError("give --key PRIVATE.pem, or --signer-command with --public-key")
        case (.some, .some): throw UsageError("--key and --signer-command cannot be combined: sign with one")
        case (.some, nil):
            if publicKey != nil { throw UsageError("--public-key goes with --signer-command (a --key carries its own)") }
        case (nil, .some):
            if publicKey == nil { throw UsageError("--signer-command needs --public-key PUBLIC.pem to verify its signatures") }
            if keyPassphraseEnv != nil { throw UsageError("--key-passphrase-env goes with --key, not --signer-command") }
        }
        if ExternalSigner.Input(rawValue: signerInput) == nil {
            throw UsageError("--signer-input \(signerInput): expected message or digest")
        }
        if signerTimeout < 1 || signerTimeout > 3600 { throw UsageError("--signer-timeout \(signerTimeout): expected 1 to 3600 seconds") }
    }

    func run() async throws {
        let provenance: SLSAProvenance
        do {
            provenance = try predicate.provenance(now: Date())
        } catch let error as UsageError {
            throw fail("\(error.message)", code: Exit.usage)
        }
        let signer = try makeSigner()
        if let missing = Attester.firstMissingFile(wheels) { throw fail("\(missing): no such file", code: Exit.usage) }
        for wheel in wheels {
            do {
                let written = try await Attester.attest(wheel: wheel, signer: signer, provenance: provenance)
                emit("\(written)\n")
            } catch {
                throw fail("\(error.message)", code: error.code == .malformedInput ? Exit.usage : Exit.incomplete)
            }
        }
    }

    private func makeSigner() throws -> any StatementSigner {
        if let key {
            var passphrase: [UInt8]?
            if let name = keyPassphraseEnv {
                guard !name.isEmpty, let value = ProcessInfo.processInfo.environment[name] else {
                    throw fail("--key-passphrase-env \(name): the environment variable is not set", code: Exit.usage)
                }
                passphrase = Array(value.utf8)
            }
            do {
                return try KeyPairFiles.readPrivateKey(at: key, passphrase: passphrase)
            } catch  where error.code == .passphraseRequired && passphrase == nil {
                throw fail(
                    "--key \(key): the key is encrypted; name the environment variable holding its passphrase with --key-passphrase-env",
                    code: Exit.usage)
            } catch  where error.code == .passphraseRequired {
                throw fail("--key-passphrase-env \(keyPassphraseEnv ?? ""): the --key \(key) is not encrypted", code: Exit.usage)
            } catch  where error.code == .wrongPassphrase {
                throw fail(
                    "--key \(key): wrong passphrase in $\(keyPassphraseEnv ?? "") (or a damaged key file)", code: Exit.usage)
            } catch {
                throw fail("--key \(key): \(error.message)", code: Exit.usage)
            }
        }
        let publicKeyPath = publicKey ?? ""
        let verifying: PublicKey
        do {
            let bytes = try BoundedFile.read(publicKeyPath, cap: KeyPairFiles.maxKeyFileBytes)
            verifying = try PublicKey(pem: String(decoding: bytes, as: UTF8.self))
        } catch let error as AttestationError {
            throw fail("--public-key \(publicKeyPath): \(error.message)", code: Exit.usage)
        } catch {
            throw fail("--public-key \(publicKeyPath): cannot read the file", code: Exit.usage)
        }
        do {
            return try ExternalSigner(
                commandLine: signerCommand ?? "", publicKey: verifying,
                input: ExternalSigner.Input(rawValue: signerInput) ?? .message, timeoutSeconds: signerTimeout,
                stderrHandler: Self.passThrough)
        } catch {
            throw fail("--signer-command: \(error.message)", code: Exit.usage)
        }
    }

    /// The signer command's stderr, each line escaped and marked as the signer's.
    @Sendable static func passThrough(_ bytes: [UInt8]) {
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: true) {
            emitError("signer: \(TerminalText(escapingBytes: line))\n")
        }
    }
}
