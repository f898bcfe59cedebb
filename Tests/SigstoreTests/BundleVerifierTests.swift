import AttestationsTestSupport
import Crypto
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// Every Sigstore bundle of sigstore-python's test assets (Fixtures/sigstore/bundles) with its
/// expected verdict: names with bad, invalid, no_*, cve_* fail, and so do the TSA bundles its
/// suite rejects (late, duplicate, too many timestamps); the rest verify with their identity.
@Suite("Sigstore bundles")
struct BundleVerifierTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let bundle: String
        /// The artifact file, or nil to take the digest from the bundle's messageDigest.
        let artifact: String?
        let root: String
        let identity: String
        let issuer: String
        /// nil: verifies; otherwise a substring of the failure (decode or verification).
        let failure: String?
        var testDescription: String { bundle }
    }

    static let oauth = "https://github.com/login/oauth"
    static let actions = "https://token.actions.githubusercontent.com"
    static let google = "https://accounts.google.com"
    static let william = "william@yossarian.net"
    static let beacon =
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"

    static let cases: [Case] = [
        Case(bundle: "bundle.txt.sigstore", artifact: "bundle.txt", root: "staging", identity: "a@tny.town", issuer: oauth, failure: nil),
        Case(bundle: "bundle_v3.txt.sigstore", artifact: "bundle_v3.txt", root: "staging", identity: william, issuer: oauth, failure: nil),
        Case(
            bundle: "bundle_v3_alt.txt.sigstore", artifact: "bundle_v3_alt.txt", root: "staging", identity: william, issuer: oauth,
            failure: nil),
        Case(
            bundle: "integration/bundle_v3.txt.sigstore", artifact: "integration/bundle_v3.txt", root: "staging", identity: william,
            issuer: oauth, failure: nil),
        Case(
            bundle: "bundle_v3_github.whl.sigstore", artifact: "bundle_v3_github.whl", root: "prod",
            identity: "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2", issuer: actions,
            failure: nil),
        Case(
            bundle: "integration/Python-3.12.5.tgz.sigstore", artifact: nil, root: "prod", identity: "thomas@python.org", issuer: google,
            failure: nil),
        Case(
            bundle: "staging-rekor-v2.txt.sigstore.json", artifact: "staging-rekor-v2.txt", root: "staging", identity: "jku@goto.fi",
            issuer: oauth, failure: nil),
        // DSSE verified as an envelope (no artifact): its statement names a.txt with a digest
        // that is not the sha256 of the shipped a.dsse.staging-rekor-v2.txt (see dsseSubjectBinding).
        Case(
            bundle: "a.dsse.staging-rekor-v2.txt.sigstore.json", artifact: nil, root: "staging", identity: beacon, issuer: actions,
            failure: nil),
        // Expected failures.
        Case(
            bundle: "bundle_cve_2022_36056.txt.sigstore", artifact: "bundle_cve_2022_36056.txt", root: "staging", identity: william,
            issuer: oauth,
            failure: "bodyMismatch"),
        Case(
            bundle: "bundle_invalid_version.txt.sigstore", artifact: "bundle_invalid_version.txt", root: "staging", identity: william,
            issuer: oauth,
            failure: "unsupported media type"),
        Case(
            bundle: "bundle_no_cert_v1.txt.sigstore", artifact: "bundle_no_cert_v1.txt", root: "prod", identity: william, issuer: oauth,
            failure: "empty certificate chain"),
        Case(
            bundle: "bundle_no_checkpoint.txt.sigstore", artifact: "bundle_no_checkpoint.txt", root: "staging", identity: william,
            issuer: oauth,
            failure: "missingCheckpoint"),
        Case(
            bundle: "bundle_no_log_entry.txt.sigstore", artifact: "bundle_no_log_entry.txt", root: "staging",
            identity: "alex.cameron@trailofbits.com", issuer: oauth, failure: "exactly one transparency entry"),
        Case(
            bundle: "bundle_v3_no_signed_time.txt.sigstore.json", artifact: "bundle_v3_no_signed_time.txt", root: "prod", identity: william,
            issuer: oauth,
            failure: "no verified time"),
        Case(
            bundle: "tsa/bundle.txt.late_timestamp.sigstore", artifact: "tsa/bundle.txt", root: "tsa",
            identity: "insecure-cloudtop-shared-user@cloudtop-prod-us-east.iam.gserviceaccount.com", issuer: google, failure: "timestamp 0"),
        Case(
            bundle: "tsa/bundle.duplicate.sigstore", artifact: "tsa/bundle.txt", root: "tsa", identity: "alexis.challande@trailofbits.com",
            issuer: google, failure: "duplicate RFC 3161 timestamp"),
        Case(
            bundle: "tsa/bundle.many_timestamp.sigstore", artifact: "tsa/bundle.txt", root: "tsa",
            identity: "alexis.challande@trailofbits.com",
            issuer: google, failure: "at most 32"),
        // Strict where sigstore-python is lenient: its two tokens were issued (2024-10-31) by a TSA
        // certificate the test root does not list; sigstore-python skips them and counts the SET.
        Case(
            bundle: "tsa/bundle.txt.sigstore", artifact: "tsa/bundle.txt", root: "tsa", identity: "alexis.challande@trailofbits.com",
            issuer: google, failure: "no timestamp authority of the trusted root is valid at genTime 2024-10-31"),
    ]

    static func hexBytes(_ hex: String) -> [UInt8] {
        let characters = Array(hex)
        return stride(from: 0, to: characters.count - 1, by: 2).compactMap { UInt8(String(characters[$0...$0 + 1]), radix: 16) }
    }

    static func root(_ name: String) throws -> TrustedRoot {
        name == "tsa" ? try TimestampVerificationTests.tsaTestRoot() : try TrustFixtures.root(name)
    }

    static func bundle(_ name: String) throws -> SigstoreBundle {
        try SigstoreBundle.decode(try TrustFixtures.data("bundles/" + name))
    }

    static func digest(_ testCase: Case, _ bundle: SigstoreBundle) throws -> [UInt8]? {
        if let artifact = testCase.artifact {
            return Array(SHA256.hash(data: try TrustFixtures.data("bundles/" + artifact)))
        }
        switch bundle.content {
        case .messageSignature(let digest?, _): return digest
        case .dsse: return nil
        default: throw Fixtures.Missing(name: "message digest")
        }
    }

    static func verdict(_ testCase: Case) async throws -> BundleVerdict {
        let bundle: SigstoreBundle
        do {
            bundle = try Self.bundle(testCase.bundle)
        } catch let error as AttestationError {
            return .failed(SigstoreFailure(.bundleFormat, error.message))
        }
        return await BundleVerifier(trustedRoot: try root(testCase.root))
            .verify(bundle, artifactDigest: try digest(testCase, bundle), policy: .identity(testCase.identity, issuer: testCase.issuer))
    }

    @Test(arguments: cases)
    func expectedVerdict(_ testCase: Case) async throws {
        let verdict = try await Self.verdict(testCase)
        if let expected = testCase.failure {
            let reason = try #require(verdict.failure, "\(testCase.bundle) verified: \(verdict)")
            #expect(reason.contains(expected), "\(testCase.bundle): \(reason)")
        } else {
            #expect(verdict.isVerified, "\(testCase.bundle): \(verdict)")
        }
    }

    /// Every bundle in the fixture folder is in the table.
    @Test func everyBundleIsCovered() throws {
        let folder = try #require(Bundle.module.url(forResource: "bundles", withExtension: nil, subdirectory: "Fixtures/sigstore"))
        let files = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".sigstore") || $0.hasSuffix(".sigstore.json") }
        #expect(Set(files) == Set(Self.cases.map(\.bundle)))
    }

    static let positive = cases.filter { $0.failure == nil }

    @Test(arguments: positive)
    func aDifferentIdentityOrIssuerFails(_ testCase: Case) async throws {
        let bundle = try Self.bundle(testCase.bundle)
        let verifier = BundleVerifier(trustedRoot: try Self.root(testCase.root))
        let digest = try Self.digest(testCase, bundle)
        let other = await verifier.verify(
            bundle, artifactDigest: digest, policy: .identity(testCase.identity + "x", issuer: testCase.issuer))
        #expect(other.failure?.contains("pinned identity") == true, "\(other)")
        let issuer = await verifier.verify(
            bundle, artifactDigest: digest, policy: .identity(testCase.identity, issuer: "https://example.com"))
        #expect(issuer.failure?.contains("pinned issuer") == true, "\(issuer)")
    }

    @Test(arguments: positive)
    func anotherArtifactFails(_ testCase: Case) async throws {
        let bundle = try Self.bundle(testCase.bundle)
        guard var digest = try Self.digest(testCase, bundle) else { return }
        digest[0] ^= 0x01
        let verdict = await BundleVerifier(trustedRoot: try Self.root(testCase.root))
            .verify(bundle, artifactDigest: digest, policy: .identity(testCase.identity, issuer: testCase.issuer))
        var stated = Array(digest)
        stated[0] ^= 0x01  // what the bundle signed: the artifact's real digest
        #expect(
            verdict.failure == "the bundle's message digest \(Encoding.hex(stated)) is not the artifact's sha256 \(Encoding.hex(digest))",
            "\(testCase.bundle)")
    }

    /// A changed byte in the signature, certificate, log entry body, proof, checkpoint or
    /// timestamp of a verifying bundle: each fails.
    @Test(arguments: positive, ["signature", "certificate", "body", "proof", "checkpoint", "timestamp", "set"])
    func aChangedByteFails(_ testCase: Case, part: String) async throws {
        let text = try TrustFixtures.text("bundles/" + testCase.bundle)
        guard var json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            var material = json["verificationMaterial"] as? [String: Any],
            var entries = material["tlogEntries"] as? [[String: Any]]
        else {
            Issue.record("unreadable bundle")
            return
        }
        var entry = entries[0]
        var proof = entry["inclusionProof"] as? [String: Any] ?? [:]
        func flip(_ base64: String, at position: Int = 20) -> String {
            var bytes = [UInt8](Data(base64Encoded: base64) ?? Data())
            guard !bytes.isEmpty else { return base64 }
            bytes[min(position, bytes.count - 1)] ^= 0x01
            return Data(bytes).base64EncodedString()
        }
        switch part {
        case "signature":
            if var message = json["messageSignature"] as? [String: Any], let sig = message["signature"] as? String {
                message["signature"] = flip(sig)
                json["messageSignature"] = message
            } else if var envelope = json["dsseEnvelope"] as? [String: Any], var sigs = envelope["signatures"] as? [[String: Any]],
                let sig = sigs[0]["sig"] as? String
            {
                sigs[0]["sig"] = flip(sig)
                envelope["signatures"] = sigs
                json["dsseEnvelope"] = envelope
            }
        case "certificate":
            if var cert = material["certificate"] as? [String: Any], let raw = cert["rawBytes"] as? String {
                cert["rawBytes"] = flip(raw, at: 300)
                material["certificate"] = cert
            } else if var chain = material["x509CertificateChain"] as? [String: Any], var certs = chain["certificates"] as? [[String: Any]],
                let raw = certs[0]["rawBytes"] as? String
            {
                certs[0]["rawBytes"] = flip(raw, at: 300)
                chain["certificates"] = certs
                material["x509CertificateChain"] = chain
            }
        case "body":
            entry["canonicalizedBody"] = flip(entry["canonicalizedBody"] as? String ?? "", at: 40)
        case "proof":
            guard var hashes = proof["hashes"] as? [String], !hashes.isEmpty else { return }
            hashes[0] = flip(hashes[0], at: 3)
            proof["hashes"] = hashes
        case "checkpoint":
            // The log's own signature line (the first); witness cosignatures are not checked.
            guard var checkpoint = proof["checkpoint"] as? [String: Any], let note = checkpoint["envelope"] as? String,
                let line = note.split(separator: "\n").first(where: { $0.hasPrefix("\u{2014} ") }),
                let blob = line.split(separator: " ").last
            else { return }
            checkpoint["envelope"] = note.replacingOccurrences(of: String(blob), with: flip(String(blob), at: 10))
            proof["checkpoint"] = checkpoint
        case "timestamp":
            guard var data = material["timestampVerificationData"] as? [String: Any],
                var stamps = data["rfc3161Timestamps"] as? [[String: Any]], let token = stamps.first?["signedTimestamp"] as? String
            else { return }
            stamps[0]["signedTimestamp"] = flip(token, at: 600)
            data["rfc3161Timestamps"] = stamps
            material["timestampVerificationData"] = data
        default:
            guard var promise = entry["inclusionPromise"] as? [String: Any], let set = promise["signedEntryTimestamp"] as? String else {
                return
            }
            promise["signedEntryTimestamp"] = flip(set, at: 30)
            entry["inclusionPromise"] = promise
        }
        if !proof.isEmpty { entry["inclusionProof"] = proof }
        entries[0] = entry
        material["tlogEntries"] = entries
        json["verificationMaterial"] = material
        let data = try JSONSerialization.data(withJSONObject: json)
        let verdict: BundleVerdict
        do {
            let bundle = try SigstoreBundle.decode(data)
            verdict = await BundleVerifier(trustedRoot: try Self.root(testCase.root))
                .verify(
                    bundle, artifactDigest: try Self.digest(testCase, try Self.bundle(testCase.bundle)),
                    policy: .identity(testCase.identity, issuer: testCase.issuer))
        } catch let error as AttestationError {
            verdict = .failed(SigstoreFailure(.bundleFormat, error.message))
        }
        #expect(verdict.failure != nil, "\(testCase.bundle) with a changed \(part) verified")
    }

    @Test func dsseSubjectBinding() async throws {
        let bundle = try Self.bundle("a.dsse.staging-rekor-v2.txt.sigstore.json")
        let verifier = BundleVerifier(trustedRoot: try TrustFixtures.root("staging"))
        let policy = BundleVerifier.Policy.identity(Self.beacon, issuer: Self.actions)
        let shipped = Array(SHA256.hash(data: try TrustFixtures.data("bundles/a.dsse.staging-rekor-v2.txt")))
        let wrong = await verifier.verify(bundle, artifactDigest: shipped, policy: policy)
        #expect(wrong.failure?.contains("no subject of the DSSE statement has the artifact's sha256") == true)
        let named = Self.hexBytes("a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf")
        let right = await verifier.verify(bundle, artifactDigest: named, policy: policy)
        #expect(right.isVerified, "\(right)")
    }

    @Test func messageSignatureNeedsADigest() async throws {
        let verdict = await BundleVerifier(trustedRoot: try TrustFixtures.root("staging"))
            .verify(try Self.bundle("bundle_v3.txt.sigstore"), artifactDigest: nil, policy: .identity(Self.william, issuer: Self.oauth))
        #expect(verdict.failure?.contains("needs the artifact") == true)
    }

    @Test func keyPolicyRefusesACertificateBundle() async throws {
        let bundle = try Self.bundle("bundle_v3.txt.sigstore")
        let key = try PublicKey(pem: try Fixtures.text("cosign.pub"))
        let verdict = await BundleVerifier(trustedRoot: try TrustFixtures.root("staging"))
            .verify(bundle, artifactDigest: Array(SHA256.hash(data: try TrustFixtures.data("bundles/bundle_v3.txt"))), policy: .key(key))
        #expect(verdict.refusal?.stage == .material && verdict.refusal?.materialMismatch == .certificateForKeyPolicy)
        #expect(verdict.failure?.contains("a public key verifies key-signed bundles only") == true)
    }

    @Test func bundlesRoundTripThroughEncoding() throws {
        for testCase in Self.positive {
            let bundle = try Self.bundle(testCase.bundle)
            let again = try SigstoreBundle.decode(bundle.encoded())
            #expect(again.entry == bundle.entry)
            #expect(again.content == bundle.content)
            #expect(again.material == bundle.material)
            #expect(again.timestamps == bundle.timestamps)
        }
    }

    /// The bundle `name` with its JSON edited by `edit`, decoded.
    static func edited(_ name: String, _ edit: (inout [String: Any], inout [String: Any]) -> Void) throws -> SigstoreBundle {
        var json = try #require(try JSONSerialization.jsonObject(with: try TrustFixtures.data("bundles/" + name)) as? [String: Any])
        var entry = try #require((json["verificationMaterial"] as? [String: Any])?["tlogEntries"] as? [[String: Any]])[0]
        edit(&json, &entry)
        var material = try #require(json["verificationMaterial"] as? [String: Any])
        material["tlogEntries"] = [entry]
        json["verificationMaterial"] = material
        return try SigstoreBundle.decode(try JSONSerialization.data(withJSONObject: json))
    }

    @Test func v01RequiresAnInclusionPromise() async throws {
        let bundle = try Self.edited("bundle.txt.sigstore") { _, entry in entry["inclusionPromise"] = nil }
        let verdict = await BundleVerifier(trustedRoot: try TrustFixtures.root("staging"))
            .verify(
                bundle, artifactDigest: Array(SHA256.hash(data: try TrustFixtures.data("bundles/bundle.txt"))),
                policy: .identity("a@tny.town", issuer: Self.oauth))
        #expect(verdict.failure?.contains("missingSignedEntryTimestamp") == true, "\(verdict)")
    }

    @Test func v02AndLaterRequireAnInclusionProof() async throws {
        let bundle = try Self.edited("bundle_v3.txt.sigstore") { _, entry in entry["inclusionProof"] = nil }
        let verdict = await BundleVerifier(trustedRoot: try TrustFixtures.root("staging"))
            .verify(
                bundle, artifactDigest: Array(SHA256.hash(data: try TrustFixtures.data("bundles/bundle_v3.txt"))),
                policy: .identity(Self.william, issuer: Self.oauth))
        #expect(verdict.failure?.contains("missingInclusionProof") == true, "\(verdict)")
    }

    @Test func aV03BundleWithAChainIsRefused() throws {
        #expect(throws: AttestationError.self) {
            try Self.edited("bundle_v3.txt.sigstore") { json, _ in
                var material = json["verificationMaterial"] as? [String: Any] ?? [:]
                material["x509CertificateChain"] = ["certificates": [material["certificate"] ?? [:]]]
                material["certificate"] = nil
                json["verificationMaterial"] = material
            }
        }
    }

    @Test func aPEP740AttestationConvertsToABundleThatVerifiesAndBack() async throws {
        let attestation = try Attestation.decode(try Fixtures.data(TimestampVerificationTests.withTimestamp))
        let bundle = try SigstoreBundle(attestation: attestation)
        #expect(bundle.version == 3)
        let decoded = try SigstoreBundle.decode(bundle.encoded())
        let digest = Self.hexBytes(SigstoreVerifierTests.pypiAttestationsSHA256)
        let verdict = await BundleVerifier(trustedRoot: try TrustFixtures.root("prod"))
            .verify(decoded, artifactDigest: digest, policy: .identity("jku@goto.fi", issuer: Self.oauth))
        #expect(verdict.isVerified, "\(verdict)")
        #expect(try Attestation(bundle: decoded) == attestation)
        // A key-signed attestation has nothing to convert; a message-signature bundle is no attestation.
        #expect(throws: AttestationError.self) {
            try SigstoreBundle(attestation: Attestation(verificationMaterial: nil, envelope: attestation.envelope))
        }
        #expect(throws: AttestationError.self) { try Attestation(bundle: try Self.bundle("bundle_v3.txt.sigstore")) }
    }

    @Test func aKeySignedBundleNeedsTheKeyAndTheKeyMustBeTheLoggedOne() async throws {
        let bundle = try Self.edited("bundle_v3.txt.sigstore") { json, _ in
            var material = json["verificationMaterial"] as? [String: Any] ?? [:]
            material["certificate"] = nil
            material["publicKey"] = ["hint": "some-key"]
            json["verificationMaterial"] = material
        }
        #expect(bundle.material == .publicKey(hint: "some-key"))
        let verifier = BundleVerifier(trustedRoot: try TrustFixtures.root("staging"))
        let digest = Array(SHA256.hash(data: try TrustFixtures.data("bundles/bundle_v3.txt")))
        let byIdentity = await verifier.verify(bundle, artifactDigest: digest, policy: .identity(Self.william, issuer: Self.oauth))
        #expect(byIdentity.refusal?.materialMismatch == .keyHintForIdentityPolicy)
        #expect(byIdentity.failure?.contains("verify it with the signer's public key") == true)
        // The entry records a certificate, not this key.
        let key = try PublicKey(pem: try Fixtures.text("cosign.pub"))
        let byKey = await verifier.verify(bundle, artifactDigest: digest, policy: .key(key))
        #expect(byKey.failure?.contains("bodyMismatch") == true, "\(byKey)")
    }
}
