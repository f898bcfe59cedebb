import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// The edges the real vectors lack (issue #3 "How it is shown"), each on an attestation from the
/// private Sigstore that verifies but for the one knob turned, and each failing for its reason.
@Suite("private Sigstore: edges real vectors lack")
struct PrivateSigstoreEdgeTests {
    typealias Scenario = PrivateSigstore.Scenario
    typealias Window = PrivateSigstore.Window

    static let day: TimeInterval = 86_400
    /// The default integrated time (epoch + 150 days).
    static let signingTime = Scenario().integratedTime

    /// Issues `scenario` on a fresh instance and verifies it with the GitHub publisher (or `publisher`).
    static func verdict(
        _ scenario: Scenario, publisher: Publisher = PrivateSigstore.gitHubPublisher(),
        pins: IdentityPins = IdentityPins()
    ) async throws -> SignatureVerdict {
        try await PrivateSigstore().issue(scenario).verify(publisher, pins: pins)
    }

    /// The failure text of `scenario` ("verified" when it verified).
    static func failure(
        _ scenario: Scenario, publisher: Publisher = PrivateSigstore.gitHubPublisher(),
        pins: IdentityPins = IdentityPins()
    ) async throws -> String {
        PrivateSigstoreTests.reason(try await verdict(scenario, publisher: publisher, pins: pins))
    }

    static func scenario(_ change: (inout Scenario) -> Void) -> Scenario {
        var scenario = Scenario()
        change(&scenario)
        return scenario
    }

    // MARK: Validity windows of the trusted root

    @Test func caWindowExpiredBeforeTheSigningTime() async throws {
        let reason = try await Self.failure(
            Self.scenario {
                $0.caWindow = Window(start: PrivateSigstore.epoch, end: Self.signingTime - 30 * Self.day)
            })
        #expect(reason.contains("no Fulcio CA of the trusted root is valid at"), "\(reason)")
    }

    @Test func caWindowStartingAfterTheSigningTime() async throws {
        let reason = try await Self.failure(
            Self.scenario {
                $0.caWindow = Window(start: Self.signingTime + 1, end: nil)
            })
        #expect(reason.contains("no Fulcio CA of the trusted root is valid at"), "\(reason)")
    }

    /// Both ends are inclusive: a window ending exactly at the signing time still verifies.
    @Test func caWindowEndingAtTheSigningTimeVerifies() async throws {
        let verdict = try await Self.verdict(
            Self.scenario {
                $0.caWindow = Window(start: PrivateSigstore.epoch, end: Self.signingTime)
            })
        #expect(verdict.isVerified, "\(verdict)")
    }

    @Test func ctLogKeyExpiredBeforeTheSCT() async throws {
        let reason = try await Self.failure(
            Self.scenario {
                $0.ctWindow = Window(start: PrivateSigstore.epoch, end: Self.signingTime - 30 * Self.day)
            })
        #expect(reason.contains("CT log https://ct.private.test/2025 key is not valid at the SCT time"), "\(reason)")
    }

    @Test func ctLogKeyNotYetValidAtTheSCT() async throws {
        let reason = try await Self.failure(
            Self.scenario {
                $0.ctWindow = Window(start: Self.signingTime + Self.day, end: nil)
            })
        #expect(reason.contains("key is not valid at the SCT time"), "\(reason)")
    }

    /// The CT key listed twice, first with an expired window, then with a current one: the SCT
    /// verifies against the listing whose window contains its time, not merely the first.
    @Test func ctKeyListedTwiceUsesTheListingValidAtTheSCT() async throws {
        let issued = try PrivateSigstore().issue()
        var document = try #require(try JSONSerialization.jsonObject(with: issued.trustedRootJSON) as? [String: Any])
        var ctlogs = try #require(document["ctlogs"] as? [[String: Any]])
        var expired = try #require(ctlogs.first)
        var key = try #require(expired["publicKey"] as? [String: Any])
        key["validFor"] = ["start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59.999Z"]
        expired["publicKey"] = key
        expired["baseUrl"] = "https://ct.private.test/2024"
        ctlogs.insert(expired, at: 0)
        document["ctlogs"] = ctlogs
        let root = try TrustedRoot.decode(try JSONSerialization.data(withJSONObject: document))
        let verdict = await SigstoreVerifier(trustedRoot: root)
            .verifySignature(of: try issued.attestation(), publisher: PrivateSigstore.gitHubPublisher())
        #expect(verdict.isVerified, "\(verdict)")
        // With only the expired listing, it fails.
        document["ctlogs"] = [expired]
        let expiredOnly = try TrustedRoot.decode(try JSONSerialization.data(withJSONObject: document))
        let failed = await SigstoreVerifier(trustedRoot: expiredOnly)
            .verifySignature(of: try issued.attestation(), publisher: PrivateSigstore.gitHubPublisher())
        #expect(
            PrivateSigstoreTests.reason(failed).contains("CT log https://ct.private.test/2024 key is not valid at the SCT time"),
            "\(failed)")
    }

    @Test func rekorKeyWindowEndsBeforeTheIntegratedTime() async throws {
        let reason = try await Self.failure(
            Self.scenario {
                $0.rekorWindow = Window(start: PrivateSigstore.epoch, end: Self.signingTime - 1)
            })
        #expect(reason.contains("outsideKeyValidity"), "\(reason)")
    }

    @Test func rekorKeyWindowEndingAtTheIntegratedTimeVerifies() async throws {
        let verdict = try await Self.verdict(
            Self.scenario {
                $0.rekorWindow = Window(start: PrivateSigstore.epoch, end: Self.signingTime)
            })
        #expect(verdict.isVerified, "\(verdict)")
    }

    @Test func rekorKeyWindowStartsAfterTheIntegratedTime() async throws {
        let reason = try await Self.failure(
            Self.scenario {
                $0.rekorWindow = Window(start: Self.signingTime + 1, end: nil)
            })
        #expect(reason.contains("outsideKeyValidity"), "\(reason)")
    }

    // MARK: SCTs

    @Test func twoEmbeddedSCTsFail() async throws {
        let reason = try await Self.failure(Self.scenario { $0.sctCount = 2 })
        #expect(reason.contains("embeds 2 SCTs, expected exactly one"), "\(reason)")
    }

    @Test func noEmbeddedSCTFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.sctCount = 0 })
        #expect(reason.contains("embeds 0 SCTs, expected exactly one"), "\(reason)")
    }

    @Test func sctFromAnUnknownCTLogFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.sctSigner = .other })
        #expect(reason.contains("names no CT log of the trusted root"), "\(reason)")
    }

    /// RFC 6962: the issuer key hash is that of the certificate that issued the leaf.
    @Test func sctOverTheWrongIssuerKeyHashFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.sctOverRootKeyHash = true })
        #expect(reason.contains("SCT signature does not verify"), "\(reason)")
    }

    // MARK: Checkpoint, SET

    @Test func checkpointSizeDifferentFromTheProofFails() async throws {
        for delta: Int64 in [1, -1] {
            let reason = try await Self.failure(Self.scenario { $0.checkpointSizeDelta = delta })
            #expect(reason.contains("checkpointSizeMismatch"), "\(delta): \(reason)")
        }
    }

    @Test(arguments: [
        "rekor.sigstore.dev - 4242", "rekor.private.test.evil - 4242", "rekor.private.testx - 4242",
        "evil.rekor.private.test - 4242", "rekor.private.test-4242",
    ])
    func checkpointOriginNotNamingTheLogFails(origin: String) async throws {
        let reason = try await Self.failure(Self.scenario { $0.checkpointOrigin = origin })
        #expect(reason.contains("checkpointOriginMismatch"), "\(origin): \(reason)")
    }

    @Test func checkpointOriginOfTheBareHostVerifies() async throws {
        let verdict = try await Self.verdict(Self.scenario { $0.checkpointOrigin = PrivateSigstore.rekorHost })
        #expect(verdict.isVerified, "\(verdict)")
    }

    /// A witness cosignature before the log's own line does not disturb the check.
    @Test func checkpointWithAWitnessLineVerifies() async throws {
        let verdict = try await Self.verdict(Self.scenario { $0.checkpointWitness = true })
        #expect(verdict.isVerified, "\(verdict)")
    }

    /// The checkpoint signed by another key: no line carries the log's key hint.
    @Test func checkpointSignedByAnotherKeyFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.checkpointSigner = .other })
        #expect(reason.contains("noCheckpointSignatureForKey"), "\(reason)")
    }

    @Test func setSignedByAnotherKeyFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.setSigner = .other })
        #expect(reason.contains("invalidSignedEntryTimestamp"), "\(reason)")
    }

    // MARK: The leaf

    @Test func leafWithoutCodeSigningFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.codeSigningEKU = false })
        #expect(reason.contains("ExtendedKeyUsage lacks codeSigning"), "\(reason)")
    }

    @Test func leafWithoutDigitalSignatureFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.digitalSignature = false })
        #expect(reason.contains("KeyUsage lacks digitalSignature"), "\(reason)")
    }

    @Test func leafExpiredAtTheIntegratedTimeFails() async throws {
        let reason = try await Self.failure(
            Self.scenario {
                $0.leafNotBefore = Self.signingTime - 700
                $0.leafNotAfter = Self.signingTime - 100
            })
        #expect(reason.contains("signing certificate is not valid at"), "\(reason)")
    }

    @Test func leafNotYetValidAtTheIntegratedTimeFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.leafNotBefore = Self.signingTime + 60 })
        #expect(reason.contains("signing certificate is not valid at"), "\(reason)")
    }

    /// The CA's `validFor` contains the time, but the intermediate certificate itself has expired.
    @Test func intermediateExpiredAtTheSigningTimeFails() async throws {
        let sigstore = try PrivateSigstore(intermediateNotAfter: Self.signingTime - Self.day)
        let reason = PrivateSigstoreTests.reason(try await sigstore.issue().verify(PrivateSigstore.gitHubPublisher()))
        #expect(reason.contains("does not chain to a trusted Fulcio CA"), "\(reason)")
    }

    // MARK: Chain building by issuer and signature, never by position

    @Test func rootListedBeforeTheIntermediateVerifies() async throws {
        let verdict = try await Self.verdict(Self.scenario { $0.chainLayout = .rootThenIntermediate })
        #expect(verdict.isVerified, "\(verdict)")
    }

    @Test func onlyTheRootListedFailsForAnIntermediateIssuedLeaf() async throws {
        let reason = try await Self.failure(Self.scenario { $0.chainLayout = .rootOnly })
        #expect(reason.contains("does not chain to a trusted Fulcio CA"), "\(reason)")
    }

    @Test func onlyTheRootListedVerifiesALeafTheRootIssued() async throws {
        let verdict = try await Self.verdict(
            Self.scenario {
                $0.chainLayout = .rootOnly
                $0.leafIssuer = .root
            })
        #expect(verdict.isVerified, "\(verdict)")
    }

    @Test func onlyTheIntermediateListedHasNoTrustAnchor() async throws {
        let reason = try await Self.failure(Self.scenario { $0.chainLayout = .intermediateOnly })
        #expect(reason.contains("no self-signed trust anchor"), "\(reason)")
    }

    /// An untrusted CA whose intermediate has exactly the trusted intermediate's subject name:
    /// names match, the signature does not.
    @Test func leafFromAnUntrustedCAWithTheSameNamesFails() async throws {
        let sigstore = try PrivateSigstore()
        #expect(sigstore.foreign.intermediate.subject == sigstore.authority.intermediate.subject)
        #expect(sigstore.foreign.root.subject == sigstore.authority.root.subject)
        for layout in [PrivateSigstore.ChainLayout.intermediateThenRoot, .rootThenIntermediate] {
            let issued = try sigstore.issue(
                Self.scenario {
                    $0.leafIssuer = .foreignIntermediate
                    $0.chainLayout = layout
                })
            let reason = PrivateSigstoreTests.reason(try await issued.verify(PrivateSigstore.gitHubPublisher()))
            #expect(reason.contains("does not chain to a trusted Fulcio CA"), "\(layout): \(reason)")
        }
    }

    // MARK: Identity: the publisher, then the user's pins

    @Test func publisherNamingAnotherRepositoryFails() async throws {
        let reason = try await Self.failure(Scenario(), publisher: PrivateSigstore.gitHubPublisher(repository: "octo-org/other-pkg"))
        #expect(
            reason.contains("source repository https://github.com/octo-org/octo-pkg is not https://github.com/octo-org/other-pkg"),
            "\(reason)")
    }

    @Test func publisherNamingAnotherWorkflowFails() async throws {
        let reason = try await Self.failure(Scenario(), publisher: PrivateSigstore.gitHubPublisher(workflow: "other.yml"))
        #expect(reason.contains("build config"), "\(reason)")
    }

    @Test func publisherOfAnotherKindFails() async throws {
        let gitLab = Publisher(
            kind: "GitLab", fields: ["repository": .string("octo-org/octo-pkg"), "workflow_filepath": .string("release.yml")])
        let reason = try await Self.failure(Scenario(), publisher: gitLab)
        #expect(reason.contains("OIDC issuer https://token.actions.githubusercontent.com is not https://gitlab.com"), "\(reason)")
    }

    /// A build config at a ref the certificate does not state (neither its ref nor its digest).
    @Test func buildConfigAtAnotherRefFails() async throws {
        let reason = try await Self.failure(
            Self.scenario {
                $0.identity = .gitHub(configSuffix: "refs/heads/attacker")
            })
        #expect(reason.contains("build config"), "\(reason)")
    }

    @Test func buildConfigAtTheDigestVerifiesWithoutARef() async throws {
        let verdict = try await Self.verdict(Self.scenario { $0.identity = .gitHub(ref: nil) })
        #expect(verdict.isVerified, "\(verdict)")
    }

    @Test func agreeingPinsVerifyAndAreNamed() async throws {
        let pins = IdentityPins(repository: "octo-org/octo-pkg", workflow: "release.yml")
        let verdict = try await Self.verdict(Scenario(), pins: pins)
        guard case .verified(let signer, _) = verdict else {
            Issue.record("not verified: \(verdict)")
            return
        }
        #expect(signer.contains("pinned repository octo-org/octo-pkg, workflow release.yml"), "\(signer)")
    }

    @Test(arguments: [
        (IdentityPins(repository: "octo-org/other-pkg"), "pinned repository"),
        (IdentityPins(workflow: "other.yml"), "pinned workflow"),
        (
            IdentityPins(
                identity: "https://github.com/octo-org/octo-pkg/.github/workflows/other.yml@refs/tags/v1.0.0",
                issuer: PublisherIdentityPolicy.gitHubIssuer), "pinned identity"
        ),
        (
            IdentityPins(
                identity: "https://github.com/octo-org/octo-pkg/.github/workflows/release.yml@refs/tags/v1.0.0",
                issuer: "https://gitlab.com"), "pinned issuer"
        ),
        (IdentityPins(gcpServiceAccount: "builder@octo.iam.gserviceaccount.com"), "pinned GCP service account"),
    ])
    func disagreeingPinsFail(pins: IdentityPins, expected: String) async throws {
        let reason = try await Self.failure(Scenario(), pins: pins)
        #expect(reason.contains(expected), "\(reason)")
    }

    /// A pin never replaces the publisher: agreeing pins do not rescue a publisher mismatch.
    @Test func pinsDoNotReplaceThePublisher() async throws {
        let reason = try await Self.failure(
            Scenario(), publisher: PrivateSigstore.gitHubPublisher(repository: "octo-org/other-pkg"),
            pins: IdentityPins(repository: "octo-org/octo-pkg"))
        #expect(reason.contains("is not https://github.com/octo-org/other-pkg"), "\(reason)")
    }
}
