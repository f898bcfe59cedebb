import Crypto
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// sigstore-conformance's `bundle-verify` suite (Fixtures/sigstore-conformance/bundle-verify, see
/// SOURCES.md): every case run in process the way the suite's client protocol runs
/// `verify-bundle` (docs/cli_protocol.md, test/client.py): `key.pub` → `--key`, else
/// `identity`/`issuer` (or the suite's defaults) → `--certificate-identity` /
/// `--certificate-oidc-issuer`; `trusted_root.json` → `--trusted-root`, else the production
/// root; `artifact` (or the shared `a.txt`) → its SHA-256. A case whose name ends in `_fail` must
/// fail, and the table says where: the key or trusted root is refused, the bundle does not
/// decode, or the verifier refuses it at a named stage (for the transparency log, exactly which
/// checks failed and why). `scripts/conformance.sh` runs the same cases, by path and by
/// `sha256:` digest, against the built binary.
@Suite("sigstore-conformance bundle-verify")
struct ConformanceBundleVerifyTests {
    /// What a case must give.
    enum Expected: Sendable {
        case verifies
        /// `key.pub` is not a usable public key (the CLI exits 2 naming the file).
        case keyRefused(String)
        /// `trusted_root.json` is refused (the CLI exits 2 naming the file).
        case trustedRootRefused(String)
        /// `SigstoreBundle.decode` refuses the bundle; the message contains the string.
        case bundleRefused(String)
        /// The verifier refuses at `stage`; the reason contains the string.
        case refused(SigstoreFailure.Stage, String)
        /// The transparency entry does not verify: exactly these checks failed, for these reasons.
        case logRefused([String: LogCheckFailure.Reason])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let expected: Expected
        var testDescription: String { name }
    }

    /// The suite's defaults (test/client.py, test/assets/bundle-verify/README.md).
    static let defaultIdentity =
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
    static let defaultIssuer = "https://token.actions.githubusercontent.com"

    static let body = TransparencyLogVerifier.bodyCheck
    static let set = TransparencyLogVerifier.signedEntryTimestampCheck
    static let proof = TransparencyLogVerifier.inclusionProofCheck
    static let checkpoint = TransparencyLogVerifier.checkpointCheck

    static let cases: [Case] = [
        Case(
            name: "bundle-empty-certificate-chain_fail",
            expected: .bundleRefused("x509CertificateChain.certificates: empty certificate chain")),
        Case(name: "bundle-from-wrong-instance_fail", expected: .logRefused([set: .unknownLog, checkpoint: .unknownLog])),
        Case(name: "bundle-invalid-base64-signature_fail", expected: .bundleRefused("messageSignature.signature: not valid base64")),
        Case(name: "bundle-malformed-json_fail", expected: .bundleRefused("not valid JSON")),
        Case(name: "bundle-negative-log-index_fail", expected: .bundleRefused("logIndex is not a non-negative decimal integer")),
        Case(name: "bundle-unknown-version_fail", expected: .bundleRefused("unsupported media type")),
        Case(name: "bundle-with-root-cert_fail", expected: .bundleRefused("certificates[1]: a self-signed (root) certificate")),
        Case(name: "bundle-with-sct-with-extensions", expected: .verifies),
        Case(name: "checkpoint-bad-keyhint_fail", expected: .logRefused([checkpoint: .noCheckpointSignatureForKey])),
        Case(name: "checkpoint-wrong-roothash_fail", expected: .logRefused([checkpoint: .checkpointSizeMismatch])),
        Case(name: "dsse-invalid-sig_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "dsse-mismatch-envelope_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "dsse-mismatch-sig_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "happy-path-intoto-in-dsse-v3", expected: .verifies),
        Case(name: "happy-path-v0.1", expected: .verifies),
        Case(name: "happy-path-v0.2", expected: .verifies),
        Case(name: "happy-path-v0.3-new-mediaType", expected: .verifies),
        Case(name: "happy-path-v0.3", expected: .verifies),
        Case(name: "inclusion-proof-corrupted-hash_fail", expected: .logRefused([proof: .rootMismatch])),
        Case(
            name: "incorrect-public-key_fail",
            expected: .logRefused([body: .bodyMismatch, set: .invalidSignedEntryTimestamp, proof: .rootMismatch])),
        Case(
            name: "integrated-time-in-future_fail",
            expected: .refused(.certificateChain, "signing certificate is not valid at 2026-05-07T15:34:11Z")),
        Case(
            name: "intoto-expired-certificate_fail",
            expected: .refused(.certificateChain, "signing certificate is not valid at 2023-02-01T00:00:00Z (valid 2030-01-01")),
        Case(name: "intoto-log-entry-mismatch_fail", expected: .logRefused([body: .malformedBody])),
        Case(
            name: "intoto-missing-inclusion-proof_fail",
            expected: .logRefused([proof: .missingInclusionProof, checkpoint: .missingInclusionProof])),
        Case(
            name: "intoto-set-outside-signing-cert-validity_fail",
            expected: .refused(
                .certificateChain,
                "not valid at 2023-02-02T00:00:00Z (valid 2023-02-01T00:00:00Z to 2023-02-01T00:10:00Z) [Rekor integratedTime")),
        Case(
            name: "intoto-tsa-timestamp-outside-cert-validity_fail",
            expected: .refused(
                .certificateChain,
                "not valid at 2023-02-02T00:00:00Z (valid 2023-02-01T00:00:00Z to 2023-02-01T00:10:00Z) [RFC 3161 timestamp")),
        Case(name: "intoto-with-custom-trust-root", expected: .verifies),
        Case(name: "invalid-checkpoint-signature_fail", expected: .logRefused([checkpoint: .invalidCheckpointSignature])),
        Case(name: "invalid-ct-key_fail", expected: .refused(.certificateTransparency, "names no CT log of the trusted root")),
        Case(name: "invalid-inclusion-proof_fail", expected: .logRefused([proof: .rootMismatch, checkpoint: .missingCheckpoint])),
        Case(name: "managed-key-and-trusted-root", expected: .verifies),
        Case(name: "managed-key-happy-path", expected: .verifies),
        Case(name: "managed-key-no-key_fail", expected: .refused(.material, "the bundle is key-signed")),
        Case(name: "managed-key-wrong-key_fail", expected: .keyRefused("EC point is not valid for its curve")),
        Case(name: "message-digest-mismatch_fail", expected: .refused(.artifact, "the bundle's message digest a1cfc712")),
        Case(name: "rekor2-checkpoint-cosigned", expected: .verifies),
        Case(name: "rekor2-checkpoint-missing-log-signature_fail", expected: .logRefused([checkpoint: .malformedCheckpoint])),
        Case(name: "rekor2-checkpoint-missing-origin_fail", expected: .logRefused([checkpoint: .malformedCheckpoint])),
        Case(name: "rekor2-checkpoint-missing-root-hash_fail", expected: .logRefused([checkpoint: .malformedCheckpoint])),
        Case(name: "rekor2-checkpoint-missing-size_fail", expected: .logRefused([checkpoint: .malformedCheckpoint])),
        Case(name: "rekor2-checkpoint-multiple-cosigs", expected: .verifies),
        Case(name: "rekor2-checkpoint-no-matching-signature_fail", expected: .logRefused([checkpoint: .noCheckpointSignatureForKey])),
        Case(name: "rekor2-checkpoint-origin-not-first", expected: .verifies),
        Case(name: "rekor2-checkpoint-two-sigs-cosigned", expected: .verifies),
        Case(name: "rekor2-checkpoint-two-sigs-from-origin", expected: .verifies),
        Case(name: "rekor2-dsse-happy-path", expected: .verifies),
        Case(name: "rekor2-dsse-invalid-sig_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "rekor2-dsse-mismatch-envelope_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "rekor2-dsse-mismatch-sig_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "rekor2-happy-path", expected: .verifies),
        Case(
            name: "rekor2-no-inclusion-proof_fail",
            expected: .logRefused([proof: .missingInclusionProof, checkpoint: .missingInclusionProof])),
        Case(
            name: "rekor2-no-timestamp_fail",
            expected: .refused(.timePolicy, "a Rekor v2 entry has no integrated time and no RFC 3161 timestamp verified")),
        Case(
            name: "rekor2-timestamp-outside-trust-root-tsa-validity_fail",
            expected: .refused(.timestamp, "no timestamp authority of the trusted root is valid at genTime")),
        Case(
            name: "rekor2-timestamp-outside-tsa-cert-validity_fail",
            expected: .refused(.timestamp, "no valid chain at 2025-08-07T15:38:32Z")),
        Case(
            name: "rekor2-timestamp-payload-mismatch_fail",
            expected: .refused(.timestamp, "message imprint is not the hash of this signature")),
        Case(
            name: "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
            expected: .refused(.timestamp, "does not verify with a TSA of the trusted root")),
        Case(
            name: "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
            expected: .refused(.timestamp, "no certificate matches the SignerInfo")),
        Case(name: "rekor2-timestamp-with-embedded-cert", expected: .verifies),
        Case(name: "rekor2-timestamp-with-expired-cert-chain", expected: .verifies),
        Case(
            name: "rekor2-timestamp-with-incorrect-time_fail",
            expected: .refused(
                .certificateChain,
                "not valid at 2025-07-15T10:33:31Z (valid 2025-06-12T12:02:16Z to 2025-06-12T12:12:16Z) [RFC 3161 timestamp")),
        Case(name: "rekor2-timestamp-without-embedded-cert", expected: .verifies),
        Case(name: "set-invalid-signature_fail", expected: .logRefused([set: .invalidSignedEntryTimestamp])),
        Case(name: "signature-mismatch_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(
            name: "trust-root-tlog-missing-validity-start_fail",
            expected: .trustedRootRefused("tlogs[1].publicKey.validFor.start: missing required field")),
        Case(name: "trust-root-tlog-validity-end-inclusive", expected: .verifies),
        Case(name: "trust-root-tsa-validity-end-inclusive", expected: .verifies),
        Case(name: "wrong-hashedrekord-artifact_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "wrong-hashedrekord-cert-and-sig_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "wrong-hashedrekord-entry_fail", expected: .logRefused([body: .bodyMismatch])),
        Case(name: "wrong-material_fail", expected: .refused(.artifact, "is not the artifact's sha256 1fa70528")),
    ]

    /// What running one case gave.
    enum Outcome: CustomStringConvertible {
        case keyRefused(String)
        case trustedRootRefused(String)
        case bundleRefused(String)
        case verdict(BundleVerdict)

        var description: String {
            switch self {
            case .keyRefused(let message): "key refused: \(message)"
            case .trustedRootRefused(let message): "trusted root refused: \(message)"
            case .bundleRefused(let message): "bundle refused: \(message)"
            case .verdict(.verified(let line)): "verified: \(line)"
            case .verdict(.failed(let failure)):
                "failed at \(failure.stage): \(failure.reason) \(failure.logFailures.map { "[\($0.name): \($0.result.failure?.reason.rawValue ?? "?")]" })"
            }
        }
    }

    static func directory() throws -> URL {
        guard
            let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
                .appendingPathComponent("sigstore-conformance/bundle-verify"),
            FileManager.default.fileExists(atPath: url.path)
        else {
            throw Fixtures.Missing(name: "sigstore-conformance/bundle-verify")
        }
        return url
    }

    static func file(_ url: URL) -> Data? { FileManager.default.contents(atPath: url.path) }

    /// Runs `name` as the client protocol does (the order of the CLI: key, artifact, trusted
    /// root, bundle, verification).
    static func run(_ name: String) async throws -> Outcome {
        let base = try directory()
        let dir = base.appendingPathComponent(name)
        let policy: BundleVerifier.Policy
        if let keyPEM = file(dir.appendingPathComponent("key.pub")) {
            do {
                policy = .key(try PublicKey(pem: String(decoding: keyPEM, as: UTF8.self)))
            } catch {
                return .keyRefused(error.message)
            }
        } else {
            let identity = file(dir.appendingPathComponent("identity")).map { String(decoding: $0, as: UTF8.self) }
            let issuer = file(dir.appendingPathComponent("issuer")).map { String(decoding: $0, as: UTF8.self) }
            policy = .identity(
                identity?.trimmingCharacters(in: .whitespacesAndNewlines) ?? defaultIdentity,
                issuer: issuer?.trimmingCharacters(in: .whitespacesAndNewlines) ?? defaultIssuer)
        }
        let artifact = try #require(file(dir.appendingPathComponent("artifact")) ?? file(base.appendingPathComponent("a.txt")))
        let digest = Array(SHA256.hash(data: artifact))
        let root: TrustedRoot
        if let custom = file(dir.appendingPathComponent("trusted_root.json")) {
            do {
                root = try TrustedRoot.decode(custom)
            } catch {
                return .trustedRootRefused(error.message)
            }
        } else {
            root = try TrustedRoot.production
        }
        let bundleBytes = try #require(file(dir.appendingPathComponent("bundle.sigstore.json")))
        let bundle: SigstoreBundle
        do {
            bundle = try SigstoreBundle.decode(bundleBytes)
        } catch {
            return .bundleRefused(error.message)
        }
        return .verdict(await BundleVerifier(trustedRoot: root).verify(bundle, artifactDigest: digest, policy: policy))
    }

    @Test(arguments: cases)
    func verdict(_ testCase: Case) async throws {
        let outcome = try await Self.run(testCase.name)
        #expect(
            testCase.name.hasSuffix("_fail") != { if case .verifies = testCase.expected { true } else { false } }(),
            "the table contradicts the case name")
        switch (testCase.expected, outcome) {
        case (.verifies, .verdict(.verified)):
            break
        case (.keyRefused(let text), .keyRefused(let message)),
            (.trustedRootRefused(let text), .trustedRootRefused(let message)),
            (.bundleRefused(let text), .bundleRefused(let message)):
            #expect(message.contains(text), "\(outcome)")
        case (.refused(let stage, let text), .verdict(.failed(let failure))):
            #expect(failure.stage == stage, "\(outcome)")
            #expect(failure.reason.contains(text), "\(outcome)")
        case (.logRefused(let checks), .verdict(.failed(let failure))):
            #expect(failure.stage == .transparencyLog, "\(outcome)")
            var failed: [String: LogCheckFailure.Reason] = [:]
            for check in failure.logFailures { failed[check.name] = check.result.failure?.reason }
            #expect(failed == checks, "\(outcome)")
        default:
            Issue.record("\(testCase.name): expected \(testCase.expected), got \(outcome)")
        }
    }

    /// Every case directory of the suite is in the table (70), and only those.
    @Test func everyCaseIsInTheTable() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: try Self.directory().path).filter {
            FileManager.default.fileExists(atPath: try! Self.directory().appendingPathComponent("\($0)/bundle.sigstore.json").path)
        }
        #expect(Set(names) == Set(Self.cases.map(\.name)))
        #expect(Self.cases.count == 70)
    }
}
