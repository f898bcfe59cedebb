import Crypto
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// Rekor v2 entries in the private log (Ed25519 log key, C2SP signed-note checkpoint with the
/// key hint, dsse / hashedrekord 0.0.2 bodies, no SET, no integrated time): the one real v2
/// vector shows the happy path; these show each refusal on an entry that verifies but for the
/// one knob turned.
@Suite("private Sigstore: Rekor v2 entries")
struct PrivateSigstoreRekorV2Tests {
    typealias Scenario = PrivateSigstore.Scenario
    typealias Window = PrivateSigstore.Window
    typealias Spec = PrivateSigstore.TimestampSpec

    static let signingTime = Scenario().integratedTime

    /// A Rekor v2 scenario with one TSA token (the verified time), changed by `change`.
    static func scenario(_ change: (inout Scenario) -> Void = { _ in }) -> Scenario {
        var scenario = Scenario()
        scenario.rekorVersion = .v2
        scenario.timestamps = [Spec()]
        change(&scenario)
        return scenario
    }

    static func verdict(_ scenario: Scenario) async throws -> SignatureVerdict {
        try await PrivateSigstore().issue(scenario).verify(PrivateSigstore.gitHubPublisher())
    }

    static func failure(_ scenario: Scenario) async throws -> String {
        PrivateSigstoreTests.reason(try await verdict(scenario))
    }

    // MARK: Keyless PEP 740 attestation, dsse 0.0.2

    @Test func aRekorV2AttestationVerifies() async throws {
        let issued = try PrivateSigstore().issue(Self.scenario())
        let material = try #require(try issued.attestation().verificationMaterial)
        let entry = try #require(try TransparencyLogEntry.entries(of: material).first)
        #expect(entry.kind == "dsse" && entry.version == "0.0.2")
        #expect(entry.integratedTime == 0 && entry.signedEntryTimestamp == nil)
        let verdict = try await issued.verify(PrivateSigstore.gitHubPublisher())
        guard case .verified(let line, _) = verdict else {
            Issue.record("not verified: \(verdict)")
            return
        }
        #expect(line.contains("Rekor v2 log index 1000005"), "\(line)")
        #expect(line.contains("RFC 3161 timestamp"), "\(line)")
        #expect(!line.contains("integratedTime"), "\(line)")
    }

    /// The builder's checkpoint carries the C2SP hint the module computes for the log key.
    @Test func theCheckpointCarriesTheSignedNoteKeyHint() throws {
        let sigstore = try PrivateSigstore()
        let root = try sigstore.issue(Self.scenario()).trustedRoot()
        let log = try #require(root.tlogs.first { $0.baseURL == PrivateSigstore.rekorV2URL })
        let (hint, name) = Checkpoint.keyHint(
            logKey: try #require(log.publicKey), logKeyID: log.keyID, logHostname: PrivateSigstore.rekorV2Host)
        #expect(hint == PrivateSigstore.ed25519Hint(name: PrivateSigstore.rekorV2Host, key: sigstore.rekorV2Key.publicKey))
        #expect(name == PrivateSigstore.rekorV2Host)
    }

    @Test(arguments: [1, 2, 6, 13])
    func everyTreeShapeVerifies(size: Int) async throws {
        let verdict = try await Self.verdict(
            Self.scenario {
                $0.treeSize = size
                $0.leafIndex = size - 1
            })
        #expect(verdict.isVerified, "size \(size): \(verdict)")
    }

    @Test func withoutATimestampThereIsNoVerifiedTime() async throws {
        let reason = try await Self.failure(Self.scenario { $0.timestamps = [] })
        #expect(reason.contains("no verified time: a Rekor v2 entry has no integrated time"), "\(reason)")
    }

    @Test func aCheckpointSignedByAnotherEd25519KeyFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.checkpointSigner = .other })
        #expect(reason.contains("no signature has the log's key hint"), "\(reason)")
        // Another key claiming the log key's hint: the signature does not verify.
        let claimed = try await Self.failure(Self.scenario { $0.checkpointSigner = .otherWithLogHint })
        #expect(claimed.contains("does not verify with the log key"), "\(claimed)")
    }

    @Test func aCheckpointOriginNamingAnotherLogFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.checkpointOrigin = PrivateSigstore.rekorHost })
        #expect(reason.contains("does not name the log"), "\(reason)")
    }

    @Test func theLogKeyMustBeValidAtTheTSATime() async throws {
        let ended = try await Self.failure(
            Self.scenario {
                $0.rekorV2Window = Window(start: PrivateSigstore.epoch, end: Self.signingTime)
            })
        #expect(ended.contains("the Rekor v2 log key is not valid at the verified time"), "\(ended)")
        let notStarted = try await Self.failure(
            Self.scenario {
                $0.rekorV2Window = Window(start: Self.signingTime.addingTimeInterval(60), end: nil)
            })
        #expect(notStarted.contains("the Rekor v2 log key is not valid at the verified time"), "\(notStarted)")
    }

    /// Rekor v2 signs no entry time: an entry stating one is refused.
    @Test func aNonZeroIntegratedTimeIsRefused() async throws {
        let reason = try await Self.failure(Self.scenario { $0.v2IntegratedTime = Int64(Self.signingTime.timeIntervalSince1970) })
        #expect(reason.contains("carries an integrated time or SET that v2 logs never sign"), "\(reason)")
    }

    /// Nor may it carry a SET (v2 logs sign none; whatever key made it, it is refused).
    @Test func aSETOnARekorV2EntryIsRefused() async throws {
        let issued = try PrivateSigstore().issue(Self.scenario())
        var attestation = try issued.attestation()
        var entry = try #require(attestation.verificationMaterial?.transparencyEntries.first?.objectValue)
        entry["inclusionPromise"] = .object(["signedEntryTimestamp": .string(Data(repeating: 0x30, count: 8).base64EncodedString())])
        attestation.verificationMaterial?.transparencyEntries = [.object(entry)]
        let verdict = await SigstoreVerifier(trustedRoot: try issued.trustedRoot())
            .verifySignature(of: attestation, publisher: PrivateSigstore.gitHubPublisher())
        #expect(PrivateSigstoreTests.reason(verdict).contains("v2 logs never sign"), "\(verdict)")
    }

    @Test func anEntryWithoutItsInclusionProofFails() async throws {
        let reason = try await Self.failure(Self.scenario { $0.omitInclusionProof = true })
        #expect(reason.contains("inclusionProof"), "\(reason)")
    }

    /// The leaf (valid integratedTime − 20 s … +10 min) must be valid at the TSA time.
    @Test func theLeafMustBeValidAtTheTSATime() async throws {
        let reason = try await Self.failure(Self.scenario { $0.timestamps = [Spec(genTime: Self.signingTime.addingTimeInterval(3600))] })
        #expect(reason.contains("RFC 3161 timestamp"), "\(reason)")
    }

    // MARK: Key-signed bundles on Rekor v2

    static func bundleScenario(
        _ content: PrivateSigstore.BundleContentKind, entryKind: PrivateSigstore.BundleEntryKind = .natural,
        _ change: (inout Scenario) -> Void = { _ in }
    ) -> PrivateSigstore.BundleScenario {
        var scenario = PrivateSigstore.BundleScenario()
        scenario.content = content
        scenario.entryKind = entryKind
        scenario.log = Self.scenario(change)
        return scenario
    }

    @Test(arguments: [("message", "hashedrekord"), ("dsse", "dsse"), ("dsse", "hashedrekord")])
    func keySignedV2BundlesVerify(content: String, kind: String) async throws {
        let issued = try PrivateSigstore().issueBundle(
            Self.bundleScenario(
                content == "dsse" ? .dsse : .messageSignature,
                entryKind: content == "dsse" && kind == "hashedrekord" ? .hashedRekord : .natural))
        let bundle = try issued.bundle()
        #expect(bundle.entry.kind == kind && bundle.entry.version == "0.0.2")
        let verdict = try await issued.verify()
        #expect(verdict.isVerified, "\(content) as \(kind): \(verdict)")
        let other = try PublicKey(pem: P256.Signing.PrivateKey().publicKey.pemRepresentation)
        #expect(try await issued.verify(key: other).failure?.contains("verifier is not the given public key") == true)
        var artifact = issued.artifact
        artifact[0] ^= 0x01
        let otherArtifact = try await issued.verify(artifact: artifact)
        let changed = SHA256.hash(data: artifact).map { String(format: "%02x", $0) }.joined()
        let reason = otherArtifact.failure ?? ""
        if content == "dsse" {
            #expect(reason == "no subject of the DSSE statement has the artifact's sha256 \(changed)", "\(content) as \(kind)")
        } else {
            #expect(
                reason.hasPrefix("the bundle's message digest ") && reason.hasSuffix(" is not the artifact's sha256 \(changed)"),
                "\(content) as \(kind): \(reason)")
        }
    }

    @Test func aKeySignedV2BundleFailsWhenTheLogKeyIsNotValidAtTheTSATime() async throws {
        let issued = try PrivateSigstore().issueBundle(
            Self.bundleScenario(.messageSignature) {
                $0.rekorV2Window = Window(start: PrivateSigstore.epoch, end: Self.signingTime)
            })
        let verdict = try await issued.verify()
        #expect(verdict.failure?.contains("the Rekor v2 log key is not valid at the verified time") == true, "\(verdict)")
    }

    @Test func aKeySignedV2BundleFailsWithAnotherCheckpointKeyOrAnIntegratedTime() async throws {
        let checkpoint = try PrivateSigstore().issueBundle(Self.bundleScenario(.messageSignature) { $0.checkpointSigner = .other })
        #expect(try await checkpoint.verify().failure?.contains("no signature has the log's key hint") == true)
        let time = try PrivateSigstore().issueBundle(Self.bundleScenario(.messageSignature) { $0.v2IntegratedTime = 1_750_000_000 })
        #expect(try await time.verify().failure?.contains("v2 logs never sign") == true)
    }

    /// Without a timestamp, nothing shows the Rekor v2 log key was valid when it signed the
    /// checkpoint: a key-signed bundle needs a verified time too.
    @Test func aKeySignedV2BundleNeedsAVerifiedTime() async throws {
        let issued = try PrivateSigstore().issueBundle(
            Self.bundleScenario(.messageSignature) {
                $0.timestamps = []
                $0.rekorV2Window = Window(start: PrivateSigstore.epoch, end: PrivateSigstore.epoch.addingTimeInterval(86_400))
            })
        let verdict = try await issued.verify()
        #expect(verdict.failure?.contains("no verified time") == true, "\(verdict)")
    }
}
