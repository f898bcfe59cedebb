import Foundation
import Testing

@testable import Attestations

/// External signer commands run for real: `openssl` signing with a key the test made, a signer
/// that lies, one that fails, hangs or floods its output.
@Suite("external signer commands")
struct ExternalSignerTests {
    static let message = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: Array(#"{"_type":"x"}"#.utf8))

    /// Collects what a signer wrote on stderr.
    final class StderrLog: @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func append(_ more: [UInt8]) { lock.lock(); bytes += more; lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: bytes, as: UTF8.self) }
    }

    static func signer(
        _ command: String, key: String, in directory: String, input: ExternalSigner.Input = .message, timeout: Int = 30,
        log: StderrLog? = nil
    ) throws -> ExternalSigner {
        try ExternalSigner(
            commandLine: command, publicKey: PublicKey(pem: OpenSSLTool.text("\(directory)/\(key).pub")), input: input,
            timeoutSeconds: timeout, directory: directory, stderrHandler: { log?.append($0) })
    }

    static func writeScript(_ name: String, _ text: String, in directory: String) throws {
        let path = "\(directory)/\(name)"
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// Expects `sign` to fail as `.externalSigner` with `fragment` in its message.
    static func expectRefusal(_ signer: ExternalSigner, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            let signature = try await signer.sign(message)
            Issue.record("signed (\(signature.count) bytes)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .externalSigner, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    @Test(
        "openssl as the signer: the answer verifies against the public key, raw or base64, message or digest",
        arguments: [
            ("p256", "openssl dgst -sha256 -sign k.pem", ExternalSigner.Input.message),
            ("p256", "sh -c 'openssl dgst -sha256 -sign k.pem | base64'", .message),
            ("p256", "openssl pkeyutl -sign -inkey k.pem", .digest),
            ("p384", "openssl pkeyutl -sign -inkey k.pem", .digest),
            ("p384", "openssl dgst -sha384 -sign k.pem", .message),
            ("ed25519", "./ed25519-sign.sh k.pem", .message),
            ("rsa", "openssl dgst -sha256 -sign k.pem", .message),
            ("rsa", "openssl dgst -sha256 -sign k.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32", .message),
            ("rsa", "openssl pkeyutl -sign -inkey k.pem -pkeyopt digest:sha256", .digest),
        ])
    func signs(_ kind: String, _ command: String, _ input: ExternalSigner.Input) async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await OpenSSLTool.keyPair(kind, name: "k", in: directory)
        // OpenSSL 3.0 signs Ed25519 only from a file it can size, so this signer is a script.
        try Self.writeScript(
            "ed25519-sign.sh",
            """
            #!/bin/sh
            set -e
            message=$(mktemp)
            trap 'rm -f "$message"' EXIT
            cat > "$message"
            openssl pkeyutl -sign -inkey "$1" -rawin -in "$message"
            """, in: directory)
        let signer = try Self.signer(command, key: "k", in: directory, input: input)
        let signature = try await signer.sign(Self.message)
        #expect(signer.publicKey.acceptsSignature(signature, for: Self.message))
        #expect(!signer.publicKey.acceptsSignature(signature, for: Self.message + [0x20]))
        // The statement signed through AttestationBuilder verifies as any attestation does.
        let statement = Array(#"{"_type":"x"}"#.utf8)
        let attestation = try await AttestationBuilder.sign(statement: statement, with: signer)
        #expect(signer.publicKey.acceptsSignature(attestation.envelope.signature, for: Self.message))
    }

    @Test("a lying, failing, hanging or flooding signer is refused, naming why; its stderr is handed over")
    func refusals() async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await OpenSSLTool.keyPair("p256", name: "k", in: directory)
        try await OpenSSLTool.keyPair("p256", name: "other", in: directory)

        // Signs with another key: a real signature, but not by the key named.
        await Self.expectRefusal(
            try Self.signer("openssl dgst -sha256 -sign other.pem", key: "k", in: directory),
            "is not a signature by the ECDSA P-256 public key sha256:")
        // Signs something else (the digest where the message was asked for).
        await Self.expectRefusal(try Self.signer("openssl pkeyutl -sign -inkey k.pem", key: "k", in: directory), "over the message")
        // Random bytes.
        await Self.expectRefusal(
            try Self.signer("head -c 72 /dev/urandom", key: "k", in: directory), "its answer (72 bytes) is not a signature")
        // Nothing.
        await Self.expectRefusal(try Self.signer("true", key: "k", in: directory), "wrote no signature on stdout")
        // Fails, with a reason on stderr.
        let log = StderrLog()
        await Self.expectRefusal(
            try Self.signer("sh -c 'echo \"kms: access denied\" >&2; exit 7'", key: "k", in: directory, log: log),
            "signer command sh exited with status 7")
        #expect(log.text == "kms: access denied\n")
        // Hangs.
        let started = Date()
        await Self.expectRefusal(try Self.signer("sleep 30", key: "k", in: directory, timeout: 1), "did not finish within 1 s")
        #expect(Date().timeIntervalSince(started) < 10)
        // Floods stdout.
        await Self.expectRefusal(try Self.signer("head -c 100000 /dev/zero", key: "k", in: directory), "printed more than 65536 bytes")
    }

    @Test("the command line: words and quotes without a shell; shell syntax, unknown programs and digests of Ed25519 refused")
    func commandLines() async throws {
        #expect(try SignerCommandLine.split(#"a 'b c' "d \"e\" \x" f\ g  'h'"i" '' "#) == ["a", "b c", #"d "e" \x"#, "f g", "hi", ""])
        for (line, fragment) in [
            ("openssl dgst -sign k.pem | base64", "shell syntax (|) is not interpreted"),
            ("sign > out", "shell syntax (>) is not interpreted"),
            ("sign $KEY", "shell syntax ($) is not interpreted"),
            ("sign `x`", "shell syntax (`) is not interpreted"),
            ("sign; rm -rf x", "shell syntax (;) is not interpreted"),
            ("sign\nx", "shell syntax (a line break)"),
            ("sign 'open", "unbalanced single quote"),
            (#"sign "open"#, "unbalanced double quote"),
            ("sign \\", "a trailing backslash"),
            ("   ", "is empty"),
        ] {
            do {
                _ = try SignerCommandLine.split(line)
            } catch {
                #expect(error.code == .externalSigner && error.message.contains(fragment), "\(line): \(error.message)")
            }
        }
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await OpenSSLTool.keyPair("ed25519", name: "k", in: directory)
        for (line, fragment) in [
            ("wheeltrust-no-such-signer --sign", "signer command wheeltrust-no-such-signer: not found on PATH"),
            ("./missing.sh", "signer command ./missing.sh: no such executable file"),
            ("k.pem", "not found on PATH"),
        ] {
            let error = #expect(throws: AttestationError.self) { _ = try Self.signer(line, key: "k", in: directory) }
            #expect(error?.code == .externalSigner && error?.message.contains(fragment) == true, "\(String(describing: error))")
        }
        let digest = #expect(throws: AttestationError.self) {
            _ = try Self.signer("openssl pkeyutl -sign -inkey k.pem", key: "k", in: directory, input: .digest)
        }
        #expect(digest?.message.contains("an Ed25519 key signs the message itself") == true)
    }

    @Test("attesting with a signer whose answer does not verify writes nothing")
    func attesterWritesNothing() async throws {
        let directory = try OpenSSLTool.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await OpenSSLTool.keyPair("p256", name: "k", in: directory)
        try await OpenSSLTool.keyPair("p256", name: "other", in: directory)
        let wheel = "\(directory)/demo-1.0-py3-none-any.whl"
        try Data("not really a zip".utf8).write(to: URL(fileURLWithPath: wheel))
        let provenance = SLSAProvenance(buildType: "urn:t", builderID: "urn:b")

        let lying = try Self.signer("openssl dgst -sha256 -sign other.pem", key: "k", in: directory)
        let error = await #expect(throws: AttestationError.self) {
            _ = try await Attester.attest(wheel: wheel, signer: lying, provenance: provenance)
        }
        #expect(
            error?.code == .externalSigner
                && error?.message.hasPrefix("cannot sign the attestation for demo-1.0-py3-none-any.whl: signer command openssl: its answer")
                    == true
        )
        #expect(!FileManager.default.fileExists(atPath: wheel + ".slsa.attestation"))

        let honest = try Self.signer("openssl dgst -sha256 -sign k.pem", key: "k", in: directory)
        let written = try await Attester.attest(wheel: wheel, signer: honest, provenance: provenance)
        let attestation = try Attestation.decode(Data(contentsOf: URL(fileURLWithPath: written)))
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        #expect(honest.publicKey.acceptsSignature(attestation.envelope.signature, for: pae))
        #expect(try Statement(parsing: attestation.envelope.statement).build.builderID == "urn:b")
    }
}
