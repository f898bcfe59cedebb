import Attestations
import Foundation
import TestSupport
import Testing
import Verification

/// `wheeltrust attest` run as a user runs it: a full SLSA v1 predicate from flags or a file,
/// signed with an encrypted key or through an external signer command, then verified by
/// `verify`, `verify-wheel` and shown by `inspect`; every bad input one line and exit 2.
@Suite("attest: predicates, encrypted keys, external signers (command line)")
struct AttestCommandTests {
    static let wheel = "datatool-0.3-py3-none-any.whl"
    static let sourceSHA = String(repeating: "5e", count: 32)
    static let logSHA = String(repeating: "10", count: 32)

    /// A scratch folder holding a copy of the fixture wheel and an openssl-made P-256 key pair
    /// (`k.pem`, `k.pub`), plus its encrypted copies `k.enc.pem` (PBKDF2) and `k.scrypt.pem`.
    struct Folder {
        let path: String
        var wheel: String { path + "/" + AttestCommandTests.wheel }
        var attestation: String { wheel + ".slsa.attestation" }

        init() async throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("wt-attest-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: Scenario.fixtureWheels.appendingPathComponent(AttestCommandTests.wheel).path, toPath: wheel)
            try await run("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.pem"])
            try await run("/usr/bin/openssl", ["pkey", "-in", "k.pem", "-pubout", "-out", "k.pub"])
            try await run("/usr/bin/openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.pem"])
            try await run(
                "/usr/bin/openssl",
                ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", "k.pem", "-out", "k.enc.pem", "-passout", "env:WT_TEST_PASS"],
                environment: ["WT_TEST_PASS": AttestCommandTests.passphrase])
            try await run(
                "/usr/bin/openssl", ["pkcs8", "-topk8", "-scrypt", "-in", "k.pem", "-out", "k.scrypt.pem", "-passout", "env:WT_TEST_PASS"],
                environment: ["WT_TEST_PASS": AttestCommandTests.passphrase])
        }

        func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws {
            let result = try await ChildProcess.run(
                executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                currentDirectory: path)
            guard result.status == 0 else { throw SetupFailed(description: "\(executable) \(arguments) failed") }
        }

        func write(_ text: String, to name: String, mode: Int = 0o644) throws {
            try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path + "/" + name)
        }

        func wheeltrust(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
            try await TestProcess.run(
                TestProcess.wheeltrust, arguments, environment: environment.merging(["HOME": path]) { $1 }, currentDirectory: path)
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }
    }

    static let passphrase = "pipeline passphrase 7"

    struct SetupFailed: Error, CustomStringConvertible { let description: String }

    /// The predicate the full set of flags below describes.
    static func flags(finished: String = "2026-02-01T10:05:00Z") -> [String] {
        [
            "--builder-id", "https://ci.example/builders/linux-42",
            "--build-type", "https://wheeltrust.example/buildtypes/attest/v1",
            "--external-parameters", #"{"source":{"name":"datatool","version":"0.3"},"buildTag":""}"#,
            "--internal-parameters", "@internal.json",
            "--resolved-dependency", "datatool-0.3.tar.gz=sha256:\(sourceSHA)@https://files.example/datatool-0.3.tar.gz",
            "--resolved-dependency", "setuptools-80.0-py3-none-any.whl=sha256:\(String(repeating: "a0", count: 32))",
            "--byproduct", "build.log=sha256:\(logSHA)",
            "--invocation-id", "https://ci.example/runs/7",
            "--started-on", "2026-02-01T10:00:00Z",
            "--finished-on", finished,
        ]
    }

    static func expectedProvenance() -> SLSAProvenance {
        SLSAProvenance(
            buildType: "https://wheeltrust.example/buildtypes/attest/v1", builderID: "https://ci.example/builders/linux-42",
            externalParameters: ["source": .object(["name": .string("datatool"), "version": .string("0.3")]), "buildTag": .string("")],
            internalParameters: ["isolation": .string("unshare -rn")],
            resolvedDependencies: [
                ResourceDescriptor(
                    uri: "https://files.example/datatool-0.3.tar.gz", digest: ["sha256": sourceSHA], name: "datatool-0.3.tar.gz"),
                ResourceDescriptor(digest: ["sha256": String(repeating: "a0", count: 32)], name: "setuptools-80.0-py3-none-any.whl"),
            ],
            invocationID: "https://ci.example/runs/7", startedOn: "2026-02-01T10:00:00Z", finishedOn: "2026-02-01T10:05:00Z",
            byproducts: [ResourceDescriptor(digest: ["sha256": logSHA], name: "build.log")])
    }

    /// A signer script as a KMS client would be: reads stdin, signs, says something on stderr.
    static let signerScript = """
        #!/bin/sh
        echo "kms: signing with $1" >&2
        exec /usr/bin/openssl dgst -sha256 -sign "$1"
        """

    static func statement(ofAttestationAt path: String) throws -> (Attestation, Statement) {
        let attestation = try Attestation.decode(Data(contentsOf: URL(fileURLWithPath: path)))
        return (attestation, try Statement(parsing: attestation.envelope.statement))
    }

    @Test(
        "end to end: a full predicate signed by an external signer verifies with verify and verify-wheel, inspect shows it, and a field changed after signing fails the signature check"
    )
    func endToEnd() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            // The scenario's signing key, held by a "KMS" (the signer script), not given to attest.
            let kmsKey = scenario.root + "/kms/key.pem"
            try FileManager.default.createDirectory(atPath: scenario.root + "/kms", withIntermediateDirectories: true)
            try scenario.key.pemRepresentation.write(toFile: kmsKey, atomically: true, encoding: .utf8)
            let script = scenario.root + "/kms/sign.sh"
            try Self.signerScript.write(toFile: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            try #"{"isolation":"unshare -rn"}"#.write(toFile: scenario.root + "/internal.json", atomically: true, encoding: .utf8)

            let wheel = scenario.indexDirectory + "/" + Self.wheel
            let attested = try await TestProcess.run(
                TestProcess.wheeltrust,
                ["attest", wheel, "--signer-command", "'\(script)' '\(kmsKey)'", "--public-key", scenario.publicKeyPath] + Self.flags(),
                environment: ["HOME": scenario.root], currentDirectory: scenario.root)
            #expect(attested.status == 0, "\(attested.output)")
            #expect(attested.stdout == wheel + ".slsa.attestation\n")
            #expect(attested.stderr == "signer: kms: signing with \(kmsKey)\n")
            let (attestation, statement) = try Self.statement(ofAttestationAt: wheel + ".slsa.attestation")
            #expect(try SLSAProvenance(parsing: statement.predicate) == Self.expectedProvenance())
            #expect(statement.subjects.map(\.name) == [Self.wheel])

            // verify (installed package, index, signature, statement, files) passes with the public key.
            let verified = try ReportJSON(await scenario.wheeltrust(["verify", "datatool", "--format", "json"]))
            verified.expect("datatool", .signature, .pass, scenario.publicKeyPath)
            verified.expect(
                "datatool", .statement, .pass, "builder https://ci.example/builders/linux-42",
                "build type https://wheeltrust.example/buildtypes/attest/v1")
            #expect(verified.result.status == 0 && verified.package("datatool")?.status == .verified, "\(verified.result.output)")
            // verify-wheel of the local file with its attestation.
            let local = try ReportJSON(
                await TestProcess.run(
                    TestProcess.wheeltrust,
                    [
                        "verify-wheel", wheel, "--provenance", wheel + ".slsa.attestation", "--key", scenario.publicKeyPath, "--format",
                        "json",
                    ],
                    environment: ["HOME": scenario.root]))
            local.expect(Self.wheel, .statement, .pass, "builder https://ci.example/builders/linux-42")
            #expect(local.result.status == 0, "\(local.result.output)")
            // inspect shows the builder.
            let inspected = try await TestProcess.run(
                TestProcess.wheeltrust, ["inspect", wheel + ".slsa.attestation"], environment: ["HOME": scenario.root])
            #expect(inspected.stdout.contains("    builder: https://ci.example/builders/linux-42\n"), "\(inspected.output)")

            // A builder id changed after signing: the signature no longer covers the statement.
            let forged = Array(
                String(decoding: attestation.envelope.statement, as: UTF8.self)
                    .replacingOccurrences(of: "https://ci.example/builders/linux-42", with: "https://ci.example/builders/trusted").utf8)
            #expect(forged != attestation.envelope.statement)
            let tampered = Attestation(
                verificationMaterial: nil, envelope: Envelope(statement: forged, signature: attestation.envelope.signature))
            try tampered.encoded().write(to: URL(fileURLWithPath: wheel + ".slsa.attestation"))
            let refused = try ReportJSON(await scenario.wheeltrust(["verify", "datatool", "--format", "json"]))
            refused.expect("datatool", .signature, .fail)
            #expect(refused.failing("datatool").map(\.name) == [.signature], "\(refused.result.output)")
            let refusedLocal = try ReportJSON(
                await TestProcess.run(
                    TestProcess.wheeltrust,
                    [
                        "verify-wheel", wheel, "--provenance", wheel + ".slsa.attestation", "--key", scenario.publicKeyPath, "--format",
                        "json",
                    ],
                    environment: ["HOME": scenario.root]))
            refusedLocal.expect(Self.wheel, .signature, .fail)
        }
    }

    @Test("--predicate FILE with an encrypted key (PBKDF2 and scrypt): the file's predicate is signed as given")
    func predicateFileAndEncryptedKey() async throws {
        let folder = try await Folder()
        defer { folder.remove() }
        let predicate = Self.expectedProvenance()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try folder.write(String(decoding: try encoder.encode(predicate.json), as: UTF8.self), to: "predicate.json")
        for key in ["k.enc.pem", "k.scrypt.pem"] {
            let result = try await folder.wheeltrust(
                ["attest", folder.wheel, "--key", key, "--key-passphrase-env", "WT_KEY_PASS", "--predicate", "predicate.json"],
                environment: ["WT_KEY_PASS": Self.passphrase])
            #expect(result.status == 0, "\(key): \(result.output)")
            let (attestation, statement) = try Self.statement(ofAttestationAt: folder.attestation)
            #expect(try SLSAProvenance(parsing: statement.predicate) == predicate)
            let verifying = try PublicKey(pem: String(contentsOfFile: folder.path + "/k.pub", encoding: .utf8))
            let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
            #expect(verifying.isValidSignature(attestation.envelope.signature, for: pae, rsaPadding: .pkcs1v15))
        }
    }

    @Test(
        "keygen --key-passphrase-env writes an encrypted key that attest opens from the environment; an unset or empty variable is exit 2")
    func keygenEncrypted() async throws {
        let folder = try await Folder()
        defer { folder.remove() }
        let made = try await folder.wheeltrust(
            ["keygen", "--type", "ed25519", "--out", "signer", "--key-passphrase-env", "WT_KEY_PASS"],
            environment: ["WT_KEY_PASS": Self.passphrase])
        #expect(made.status == 0, "\(made.output)")
        #expect(made.stdout.hasPrefix("signer.pem (encrypted)\nsigner.pub\nkey id "), "\(made.stdout)")
        let pem = try String(contentsOfFile: folder.path + "/signer.pem", encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let attested = try await folder.wheeltrust(
            ["attest", folder.wheel, "--key", "signer.pem", "--key-passphrase-env", "WT_KEY_PASS"],
            environment: ["WT_KEY_PASS": Self.passphrase])
        #expect(attested.status == 0, "\(attested.output)")
        let (attestation, _) = try Self.statement(ofAttestationAt: folder.attestation)
        let verifying = try PublicKey(pem: String(contentsOfFile: folder.path + "/signer.pub", encoding: .utf8))
        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        #expect(verifying.isValidSignature(attestation.envelope.signature, for: pae, rsaPadding: .pkcs1v15))

        let unset = try await folder.wheeltrust(["keygen", "--out", "second", "--key-passphrase-env", "WT_UNSET_PASS"])
        unset.expectError(2, "--key-passphrase-env WT_UNSET_PASS: the environment variable is not set")
        let empty = try await folder.wheeltrust(
            ["keygen", "--out", "second", "--key-passphrase-env", "WT_KEY_PASS"], environment: ["WT_KEY_PASS": ""])
        empty.expectError(2, "--key-passphrase-env WT_KEY_PASS: the passphrase is empty")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/second.pem"))
    }

    @Test(
        "bad input is one line naming the flag or field and the problem, exit 2, nothing written, no passphrase printed",
        arguments: [
            ([] as [String], [:] as [String: String], "give --key PRIVATE.pem, or --signer-command with --public-key"),
            (["--key", "k.pem", "--signer-command", "x", "--public-key", "k.pub"], [:], "--key and --signer-command cannot be combined"),
            (["--signer-command", "openssl dgst -sha256 -sign k.pem"], [:], "--signer-command needs --public-key PUBLIC.pem"),
            (["--key", "k.pem", "--public-key", "k.pub"], [:], "--public-key goes with --signer-command"),
            (
                ["--key", "k.pem", "--predicate", "p.json", "--builder-id", "urn:b"], [:],
                "--predicate p.json cannot be combined with --builder-id"
            ),
            (
                ["--key", "k.pem", "--predicate", "bad-predicate.json"], [:],
                "--predicate bad-predicate.json: predicate.runDetails.builder.id: missing required field"
            ),
            (["--key", "k.pem", "--predicate", "missing.json"], [:], "--predicate missing.json: cannot read the file"),
            (
                ["--key", "k.pem", "--builder-id", "my laptop"], [:],
                "--builder-id: predicate.runDetails.builder.id: not a URI with a scheme"
            ),
            (["--key", "k.pem", "--build-type", ""], [:], "--build-type: predicate.buildDefinition.buildType: is empty"),
            (
                ["--key", "k.pem", "--started-on", "yesterday"], [:],
                "--started-on: predicate.runDetails.metadata.startedOn: yesterday is not an RFC 3339 timestamp"
            ),
            (
                ["--key", "k.pem", "--started-on", "2026-02-01T11:00:00Z", "--finished-on", "2026-02-01T10:00:00Z"], [:],
                "--started-on/--finished-on: predicate.runDetails.metadata: startedOn 2026-02-01T11:00:00Z is after finishedOn"
            ),
            (["--key", "k.pem", "--external-parameters", "[1]"], [:], "--external-parameters: expected a JSON object, found an array"),
            (["--key", "k.pem", "--internal-parameters", "@nope.json"], [:], "--internal-parameters nope.json: cannot read the file"),
            (
                ["--key", "k.pem", "--internal-parameters", "@bad-predicate.json", "--external-parameters", "{"], [:],
                "--external-parameters: not valid JSON"
            ),
            (
                ["--key", "k.pem", "--resolved-dependency", "src=sha256:ABC"], [:],
                "--resolved-dependency src=sha256:ABC: digest.sha256: not lowercase hex"
            ),
            (
                ["--key", "k.pem", "--byproduct", "log=sha256:\(String(repeating: "0", count: 63))"], [:],
                "--byproduct log=sha256:\(String(repeating: "0", count: 63)): digest.sha256: 63 hex digits, expected 64"
            ),
            (["--key", "k.pem", "--resolved-dependency", "src"], [:], "--resolved-dependency src: expected NAME=ALGORITHM:HEX[@URI]"),
            (
                ["--key", "k.enc.pem"], [:],
                "--key k.enc.pem: the key is encrypted; name the environment variable holding its passphrase with --key-passphrase-env"
            ),
            (
                ["--key", "k.enc.pem", "--key-passphrase-env", "WT_UNSET_PASS"], [:],
                "--key-passphrase-env WT_UNSET_PASS: the environment variable is not set"
            ),
            (
                ["--key", "k.enc.pem", "--key-passphrase-env", "WT_KEY_PASS"], ["WT_KEY_PASS": "guess-\(passphrase)"],
                "--key k.enc.pem: wrong passphrase in $WT_KEY_PASS (or a damaged key file)"
            ),
            (
                ["--key", "k.scrypt.pem", "--key-passphrase-env", "WT_KEY_PASS"], ["WT_KEY_PASS": ""],
                "--key k.scrypt.pem: wrong passphrase in $WT_KEY_PASS"
            ),
            (
                ["--key", "k.pem", "--key-passphrase-env", "WT_KEY_PASS"], ["WT_KEY_PASS": passphrase],
                "--key-passphrase-env WT_KEY_PASS: the --key k.pem is not encrypted"
            ),
            (
                ["--signer-command", "openssl dgst -sha256 -sign k.pem | base64", "--public-key", "k.pub"], [:],
                "--signer-command: signer command: shell syntax (|) is not interpreted"
            ),
            (
                ["--signer-command", "wt-no-such-kms-client sign", "--public-key", "k.pub"], [:],
                "--signer-command: signer command wt-no-such-kms-client: not found on PATH"
            ),
            (
                ["--signer-command", "openssl dgst -sha256 -sign k.pem", "--public-key", "k.pem"], [:],
                "--public-key k.pem: public key: found PEM PRIVATE KEY, expected PUBLIC KEY or RSA PUBLIC KEY"
            ),
            (
                ["--signer-command", "openssl dgst -sha256 -sign k.pem", "--public-key", "k.pub", "--signer-input", "prehashed"], [:],
                "--signer-input prehashed: expected message or digest"
            ),
            (
                ["--signer-command", "openssl dgst -sha256 -sign k.pem", "--public-key", "k.pub", "--signer-timeout", "0"], [:],
                "--signer-timeout 0: expected 1 to 3600 seconds"
            ),
        ])
    func usageErrors(_ arguments: [String], _ environment: [String: String], _ expected: String) async throws {
        let folder = try await Folder()
        defer { folder.remove() }
        try folder.write(
            #"{"buildDefinition":{"buildType":"urn:t","externalParameters":{}},"runDetails":{"builder":{}}}"#, to: "bad-predicate.json")
        let result = try await folder.wheeltrust(["attest", folder.wheel] + arguments, environment: environment)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.hasPrefix("wheeltrust: error: \(expected)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(!result.stderr.contains(Self.passphrase), "the passphrase never reaches the output")
        #expect(!FileManager.default.fileExists(atPath: folder.attestation), "nothing written")
    }

    @Test("a signer that lies (another key), fails or answers garbage: exit 3, its stderr passed through escaped, nothing written")
    func lyingSigners() async throws {
        let folder = try await Folder()
        defer { folder.remove() }
        try folder.write("#!/bin/sh\nprintf 'kms: \\033[31mdenied\\033[0m\\n' >&2\nexit 4\n", to: "deny.sh", mode: 0o755)
        let cases: [(String, String)] = [
            ("openssl dgst -sha256 -sign other.pem", "signer command openssl: its answer (7"),
            (
                "head -c 64 /dev/urandom",
                "signer command head: its answer (64 bytes) is not a signature by the ECDSA P-256 public key sha256:"
            ),
            ("./deny.sh", "signer command deny.sh exited with status 4"),
        ]
        for (command, expected) in cases {
            let result = try await folder.wheeltrust(["attest", folder.wheel, "--signer-command", command, "--public-key", "k.pub"])
            #expect(result.status == 3, "\(command): \(result.output)")
            #expect(
                result.stderr.contains("wheeltrust: error: cannot sign the attestation for \(Self.wheel): \(expected)"), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.attestation), "\(command): nothing written")
        }
        let denied = try await folder.wheeltrust(["attest", folder.wheel, "--signer-command", "./deny.sh", "--public-key", "k.pub"])
        #expect(denied.stderr.hasPrefix("signer: kms: \\x1b[31mdenied\\x1b[0m\n"), "escaped: \(denied.stderr)")
        #expect(!denied.stderr.contains("\u{1b}"))
        // The honest signer, given as a digest signer, works too.
        let honest = try await folder.wheeltrust(
            [
                "attest", folder.wheel, "--signer-command", "openssl pkeyutl -sign -inkey k.pem", "--signer-input", "digest",
                "--public-key", "k.pub",
            ])
        #expect(honest.status == 0, "\(honest.output)")
        #expect(FileManager.default.fileExists(atPath: folder.attestation))
    }
}
