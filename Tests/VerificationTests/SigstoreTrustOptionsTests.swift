import Attestations
import Foundation
import PythonPackaging
import Sigstore
import Testing
import Verification

/// The keyless trust options (`--trusted-root`, `--staging`, identity pins) and `inspect`'s
/// certificate claims, on the real pypi-attestations 0.0.19 provenance (GitHub publisher
/// trailofbits/pypi-attestations, release.yml; Sigstore production).
@Suite("Sigstore trust options")
struct SigstoreTrustOptionsTests {
    static let filename = SigstoreProvenanceChecksTests.filename
    static let sha256 = SigstoreProvenanceChecksTests.sha256
    static let san = "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"
    static let gitHubIssuer = "https://token.actions.githubusercontent.com"

    static var provenancePath: String {
        get throws {
            try #require(Bundle.module.url(forResource: "\(filename).provenance", withExtension: nil, subdirectory: "Fixtures/sigstore"))
                .path
        }
    }

    /// The embedded trusted roots, read from the source tree (the same bytes the binary embeds).
    static func embeddedRoot(_ instance: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Sigstore/Resources/sigstore/\(instance)/trusted_root.json").path
    }

    static func scratchFile(_ name: String, _ contents: Data) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-trust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try contents.write(to: url)
        return url.path
    }

    static func verifySignature(_ extra: [String], provenance: String? = nil) async throws -> ProcessResult {
        try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify-signature", "--provenance", try provenance ?? provenancePath, filename, "--sha256", sha256,
            ] + extra)
    }

    /// `verify-signature … --format json`, decoded.
    static func verifySignatureJSON(_ extra: [String], provenance: String? = nil) async throws -> ReportJSON {
        try ReportJSON(try await verifySignature(extra + ["--format", "json"], provenance: provenance))
    }

    /// The staging root does not know the production log that recorded the attestation.
    static let unknownLog =
        "transparency entry (log index 153454663) does not verify: signedEntryTimestamp: unknownLog: "
        + "no usable log in the trusted root has id c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"

    // MARK: - CLI

    @Test("the GitHub publisher provenance verifies, with and without matching pins")
    func verifiesWithMatchingPins() async throws {
        let plain = try await Self.verifySignature([])
        #expect(plain.status == 0, "\(plain.output)")
        let pinned = try await Self.verifySignature([
            "--repository", "trailofbits/pypi-attestations", "--workflow", "release.yml",
            "--identity", Self.san, "--issuer", Self.gitHubIssuer,
        ])
        #expect(pinned.status == 0, "\(pinned.output)")
        #expect(pinned.stdout.contains("pinned"), "\(pinned.output)")
    }

    @Test("a pin that disagrees with the certificate fails the signature check (exit 1), naming the pin and the claim")
    func disagreeingPinsFail() async throws {
        let repository = "https://github.com/trailofbits/pypi-attestations"
        for (extra, reason) in [
            (["--repository", "other/repo"], "pinned repository other/repo is not the certificate's source repository \(repository)"),
            (["--workflow", "other.yml"], "pinned workflow other.yml is not the certificate's build config \(Self.san)"),
            (
                ["--identity", Self.san, "--issuer", "https://gitlab.com"],
                "pinned issuer: certificate OIDC issuer \(Self.gitHubIssuer) is not https://gitlab.com"
            ),
            (
                ["--gcp-service-account", "builder@project.iam.gserviceaccount.com"],
                "pinned GCP service account: certificate OIDC issuer \(Self.gitHubIssuer) is not https://accounts.google.com"
            ),
        ] {
            let json = try await Self.verifySignatureJSON(extra)
            json.expect(Self.filename, .signature, .fail, "attestation 1.1: Sigstore: \(reason)")
            #expect(json.check(.statement, of: Self.filename) == nil, "\(extra): no statement judged without a trusted signature")
        }
    }

    @Test("a lone attestation (no index publisher) is bound by the pins alone: a complete pin verifies, none or a workflow alone fails")
    func loneAttestationIsBoundByPins() async throws {
        let provenance = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: try Self.provenancePath)))
        let bundles = try #require((provenance as? [String: Any])?["attestation_bundles"] as? [[String: Any]])
        let attestation = try #require((bundles.first?["attestations"] as? [Any])?.first)
        let path = try Self.scratchFile("\(Self.filename).publish.attestation", try JSONSerialization.data(withJSONObject: attestation))
        let pinned = try await Self.verifySignature(
            [
                "--repository", "trailofbits/pypi-attestations", "--identity", Self.san, "--issuer", Self.gitHubIssuer,
            ], provenance: path)
        #expect(pinned.status == 0, "\(pinned.output)")
        let unpinned = try await Self.verifySignature([], provenance: path)
        #expect(unpinned.status == 1 && unpinned.stdout.contains("names no publisher"), "\(unpinned.output)")
        let noPublisher =
            "attestation 1.1: Sigstore: a lone attestation names no publisher; pin the signer: an identity with its issuer, "
            + "a source repository or a GCP service account"
        let unpinnedJSON = try await Self.verifySignatureJSON([], provenance: path)
        unpinnedJSON.expect(Self.filename, .signature, .fail, noPublisher)
        let workflowOnly = try await Self.verifySignatureJSON(["--workflow", "release.yml"], provenance: path)
        workflowOnly.expect(Self.filename, .signature, .fail, noPublisher)
        let otherRepository = try await Self.verifySignatureJSON(["--repository", "someone/else"], provenance: path)
        otherRepository.expect(
            Self.filename, .signature, .fail,
            "pinned repository someone/else is not the certificate's source repository https://github.com/trailofbits/pypi-attestations")
    }

    @Test("--staging: a production attestation does not verify against the staging root (exit 1)")
    func stagingRoot() async throws {
        let json = try await Self.verifySignatureJSON(["--staging"])
        json.expect(Self.filename, .signature, .fail, "attestation 1.1: Sigstore: \(Self.unknownLog)")
    }

    @Test("--trusted-root: the production root file verifies, the staging root file does not")
    func trustedRootFile() async throws {
        let prod = try await Self.verifySignature(["--trusted-root", Self.embeddedRoot("prod")])
        #expect(prod.status == 0, "\(prod.output)")
        let staging = try await Self.verifySignatureJSON(["--trusted-root", Self.embeddedRoot("staging")])
        staging.expect(Self.filename, .signature, .fail, "attestation 1.1: Sigstore: \(Self.unknownLog)")
    }

    @Test("--trusted-root on a garbage, missing or conflicting file is a usage error naming it (exit 2)")
    func trustedRootUsageErrors() async throws {
        let garbage = try Self.scratchFile("garbage_root.json", Data("this is not a trusted root {".utf8))
        let bad = try await Self.verifySignature(["--trusted-root", garbage])
        bad.expectError(2, "trusted root file \(garbage): trusted root: not valid JSON")
        let wrongShape = try Self.scratchFile("wrong_root.json", Data(#"{"mediaType": "application/json"}"#.utf8))
        let shape = try await Self.verifySignature(["--trusted-root", wrongShape])
        shape.expectError(2, "trusted root file \(wrongShape): trustedRoot.mediaType: unsupported media type \"application/json\"")
        let missing = try await Self.verifySignature(["--trusted-root", "/nonexistent/trusted_root.json"])
        missing.expectError(2, "cannot read the trusted root file /nonexistent/trusted_root.json")
        let both = try await Self.verifySignature(["--trusted-root", Self.embeddedRoot("prod"), "--staging"])
        both.expectError(2, "--trusted-root and --staging cannot be used together")
    }

    @Test("--identity and --issuer only together; --repository must be OWNER/NAME (exit 2)")
    func pinUsageErrors() async throws {
        let identityOnly = try await Self.verifySignature(["--identity", Self.san])
        identityOnly.expectError(2, "--identity and --issuer must be given together")
        let issuerOnly = try await Self.verifySignature(["--issuer", Self.gitHubIssuer])
        issuerOnly.expectError(2, "--identity and --issuer must be given together")
        let badRepository = try await Self.verifySignature(["--repository", "justaname"])
        badRepository.expectError(2, "--repository justaname is not OWNER/NAME")
    }

    // MARK: - library

    @Test func setupChoosesTheRoot() throws {
        let missingRoot = #expect(throws: VerificationError.self) {
            try VerificationSetup(environment: [:], trustedRootFile: "/nonexistent").provenanceVerifier()
        }
        #expect(missingRoot?.code == .usage)
        #expect(missingRoot?.message == "cannot read the trusted root file /nonexistent", "\(String(describing: missingRoot))")
        let halfPin = #expect(throws: VerificationError.self) {
            try VerificationSetup(environment: [:], identityPins: IdentityPins(identity: "x")).provenanceVerifier()
        }
        #expect(halfPin?.code == .usage)
        #expect(halfPin?.pinProblem == .identityWithoutIssuer, "\(String(describing: halfPin))")
        #expect(halfPin?.message == "the identity and issuer pins must be given together", "\(String(describing: halfPin))")
        let staging = try VerificationSetup(environment: [:], staging: true).sigstoreTrustedRoot()
        let production = try VerificationSetup(environment: [:]).sigstoreTrustedRoot()
        #expect(staging.tlogs.map(\.baseURL) != production.tlogs.map(\.baseURL))
    }

    @Test func setupPinsReachTheVerifier() async throws {
        let provenance = try SigstoreProvenanceChecksTests.provenance()
        let good = try VerificationSetup(environment: [:], identityPins: IdentityPins(repository: "trailofbits/pypi-attestations"))
            .provenanceVerifier()
        #expect(await good.verify(provenance, distribution: Self.filename, sha256Hex: try #require(SHA256Hex(Self.sha256))).isVerified)
        let bad = try VerificationSetup(environment: [:], identityPins: IdentityPins(repository: "other/repo")).provenanceVerifier()
        let verdict = await bad.verify(provenance, distribution: Self.filename, sha256Hex: try #require(SHA256Hex(Self.sha256)))
        #expect(!verdict.isVerified)
        #expect(
            verdict.attestations.first?.signature
                == .failed(
                    "Sigstore: pinned repository other/repo is not the certificate's "
                        + "source repository https://github.com/trailofbits/pypi-attestations"),
            "\(String(describing: verdict.attestations.first?.signature))")
        #expect(verdict.attestations.first?.checks.allSatisfy(\.passed) == true, "only the signature's binding failed")
    }

    // MARK: - inspect

    @Test func describeShowsTheFulcioClaims() throws {
        let text = ProvenanceDescription.describe(try SigstoreProvenanceChecksTests.provenance())
        for line in [
            "identity (SAN): \(Self.san)",
            "issuer: \(Self.gitHubIssuer)",
            "source repository: https://github.com/trailofbits/pypi-attestations",
            "workflow: \(Self.san)",
            "ref: refs/tags/v0.0.19",
            "commit: 08802efe1f8e5fec4ad842d6b8ce97656092ee72",
            "trigger: ",
            "run: https://github.com/trailofbits/pypi-attestations/actions/runs/",
        ] {
            #expect(text.contains(line), "missing \(line) in\n\(text)")
        }
    }

    @Test("inspect shows the certificate claims of a keyless attestation")
    func inspectCommand() async throws {
        let result = try await TestProcess.run(TestProcess.wheeltrust, ["inspect", try Self.provenancePath])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("source repository: https://github.com/trailofbits/pypi-attestations"), "\(result.output)")
        #expect(result.stdout.contains("commit: 08802efe1f8e5fec4ad842d6b8ce97656092ee72"), "\(result.output)")
    }
}
