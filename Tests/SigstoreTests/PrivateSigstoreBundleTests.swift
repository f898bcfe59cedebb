import Crypto
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// Key-signed Sigstore bundles (`verify-bundle --key`, `BundleVerifier.Policy.key`) from the
/// private Sigstore: none exist in the real vectors, so each path is shown here — message
/// signatures logged as hashedrekord, DSSE envelopes logged as dsse, on Rekor v1 and v2.
@Suite("private Sigstore: key-signed bundles")
struct PrivateSigstoreBundleTests {
    typealias BundleScenario = PrivateSigstore.BundleScenario

    static func scenario(_ change: (inout BundleScenario) -> Void) -> BundleScenario {
        var scenario = BundleScenario()
        change(&scenario)
        return scenario
    }

    static func issue(_ change: (inout BundleScenario) -> Void = { _ in }) throws -> PrivateSigstore.IssuedBundle {
        try PrivateSigstore().issueBundle(scenario(change))
    }

    /// The bundle JSON rewritten by `edit`, decoded.
    static func edited(_ issued: PrivateSigstore.IssuedBundle, _ edit: (inout [String: Any]) -> Void) throws -> SigstoreBundle {
        var json = try #require(try JSONSerialization.jsonObject(with: issued.bundleJSON) as? [String: Any])
        edit(&json)
        return try SigstoreBundle.decode(try JSONSerialization.data(withJSONObject: json))
    }

    static func verify(_ bundle: SigstoreBundle, _ issued: PrivateSigstore.IssuedBundle) async throws -> BundleVerdict {
        await BundleVerifier(trustedRoot: try issued.trustedRoot())
            .verify(bundle, artifactDigest: Array(SHA256.hash(data: issued.artifact)), policy: .key(try issued.publicKey()))
    }

    /// Flips the byte at `position` of a base64 string.
    static func flip(_ base64: String, at position: Int = 10) -> String {
        var bytes = [UInt8](Data(base64Encoded: base64) ?? Data())
        if position < bytes.count { bytes[position] ^= 0x01 }
        return Data(bytes).base64EncodedString()
    }

    // MARK: Message signature (cosign sign-blob --key), hashedrekord 0.0.1

    @Test func messageSignatureVerifiesWithTheRightKey() async throws {
        let issued = try Self.issue()
        let bundle = try issued.bundle()
        #expect(bundle.version == 3)
        #expect(bundle.entry.kind == "hashedrekord" && bundle.entry.version == "0.0.1")
        guard case .publicKey = bundle.material else {
            Issue.record("not a key-signed bundle")
            return
        }
        let verdict = try await issued.verify()
        #expect(verdict.isVerified, "\(verdict)")
        if case .verified(let line) = verdict {
            #expect(line.hasPrefix("bundle v0.3 signed by key \(try issued.publicKey().keyID)"), "\(line)")
            #expect(line.contains("Rekor log index 1000005"), "\(line)")
        }
        // The key as `--key FILE` gives it (PEM text) verifies too; so does a re-encoded bundle.
        let encoded = try SigstoreBundle.decode(try issued.bundle().encoded())
        #expect(try await Self.verify(encoded, issued).isVerified)
    }

    /// Without `messageDigest` (optional in the spec) the artifact digest is still the one checked.
    @Test func messageSignatureWithoutADigestVerifiesAndStillBindsTheArtifact() async throws {
        let issued = try Self.issue { $0.includeDigest = false }
        #expect(try await issued.verify().isVerified)
        var other = issued.artifact
        other[0] ^= 0x01
        let verdict = try await issued.verify(artifact: other)
        #expect(verdict.failure?.contains("bodyMismatch") == true, "\(verdict)")
    }

    @Test func anotherKeyFails() async throws {
        let issued = try Self.issue()
        let other = try PublicKey(pem: P256.Signing.PrivateKey().publicKey.pemRepresentation)
        let verdict = try await issued.verify(key: other)
        #expect(verdict.failure?.contains("verifier is not the given public key") == true, "\(verdict)")
    }

    @Test func aChangedArtifactByteFails() async throws {
        let issued = try Self.issue()
        for position in [0, issued.artifact.count / 2, issued.artifact.count - 1] {
            var artifact = issued.artifact
            artifact[position] ^= 0x01
            let verdict = try await issued.verify(artifact: artifact)
            #expect(verdict.failure?.contains("is not the artifact's sha256") == true, "\(verdict)")
        }
    }

    /// A changed signature byte in the bundle: the log recorded the original signature.
    @Test func aChangedSignatureByteInTheBundleFails() async throws {
        let issued = try Self.issue()
        let bundle = try Self.edited(issued) { json in
            var message = json["messageSignature"] as? [String: Any] ?? [:]
            message["signature"] = Self.flip(message["signature"] as? String ?? "", at: 12)
            json["messageSignature"] = message
        }
        let verdict = try await Self.verify(bundle, issued)
        #expect(verdict.failure?.contains("recorded signature differs") == true, "\(verdict)")
    }

    /// A bad signature logged as such (body and bundle agree): the signature check itself fails.
    @Test func aChangedSignatureByteThatWasLoggedFails() async throws {
        let issued = try Self.issue { $0.corruptSignature = true }
        let verdict = try await issued.verify()
        #expect(verdict.failure?.contains("message signature does not verify") == true, "\(verdict)")
    }

    @Test func aBodyNamingAnotherKeyFails() async throws {
        let issued = try Self.issue { $0.bodyKey = P256.Signing.PrivateKey().publicKey }
        let verdict = try await issued.verify()
        #expect(verdict.failure?.contains("verifier is not the given public key") == true, "\(verdict)")
    }

    @Test func aBodyNamingAnotherDigestFails() async throws {
        let issued = try Self.issue { $0.bodyDigest = Array(SHA256.hash(data: Array("another artifact".utf8))) }
        let verdict = try await issued.verify()
        #expect(verdict.failure?.contains("is not the signed artifact's digest") == true, "\(verdict)")
    }

    @Test func aMissingLogEntryIsRefused() async throws {
        let issued = try Self.issue { $0.omitEntry = true }
        #expect(throws: AttestationError.self) { try issued.bundle() }
    }

    /// v0.3 needs the inclusion proof (the SET alone does not do).
    @Test func anEntryWithoutItsInclusionProofFails() async throws {
        let issued = try Self.issue { $0.log.omitInclusionProof = true }
        let verdict = try await issued.verify()
        #expect(verdict.failure?.contains("inclusionProof") == true, "\(verdict)")
    }

    /// v0.1 needs the SET.
    @Test func aV01BundleWithoutItsSETFails() async throws {
        let issued = try Self.issue {
            $0.mediaType = "application/vnd.dev.sigstore.bundle+json;version=0.1"
            $0.log.omitSET = true
        }
        let verdict = try await issued.verify()
        #expect(verdict.failure?.contains("signedEntryTimestamp") == true, "\(verdict)")
        let withSET = try Self.issue { $0.mediaType = "application/vnd.dev.sigstore.bundle+json;version=0.1" }
        #expect(try await withSET.verify().isVerified)
    }

    /// A v0.3 bundle may carry its Rekor v1 entry without the SET, but then it needs another
    /// verified time (a timestamp), and the log key must be valid at it: otherwise nothing shows
    /// the key that signed the checkpoint was valid when it did. (Before this was tested, such a
    /// bundle verified with no verified time at all.)
    @Test func withoutItsSETAKeySignedBundleNeedsATimestampAtWhichTheLogKeyIsValid() async throws {
        let bare = try Self.issue { $0.log.omitSET = true }
        let verdict = try await bare.verify()
        #expect(verdict.failure?.contains("no verified time: the entry has no verified SET") == true, "\(verdict)")
        let stamped = try Self.issue {
            $0.log.omitSET = true
            $0.log.timestamps = [.init()]
        }
        #expect(try await stamped.verify().isVerified)
        let retired = try Self.issue {
            $0.log.omitSET = true
            $0.log.timestamps = [.init()]
            $0.log.rekorWindow = PrivateSigstore.Window(start: PrivateSigstore.epoch, end: $0.log.integratedTime)
        }
        #expect(try await retired.verify().failure?.contains("the Rekor log key is not valid at the verified time") == true)
    }

    @Test func aChangedByteOfTheLogEvidenceFails() async throws {
        let issued = try Self.issue()
        for part in ["body", "set", "proof"] {
            let bundle = try Self.edited(issued) { json in
                var material = json["verificationMaterial"] as? [String: Any] ?? [:]
                var entries = material["tlogEntries"] as? [[String: Any]] ?? []
                switch part {
                case "body": entries[0]["canonicalizedBody"] = Self.flip(entries[0]["canonicalizedBody"] as? String ?? "", at: 40)
                case "set":
                    entries[0]["inclusionPromise"] = [
                        "signedEntryTimestamp": Self.flip(
                            (entries[0]["inclusionPromise"] as? [String: Any])?["signedEntryTimestamp"] as? String ?? "", at: 20)
                    ]
                default:
                    var proof = entries[0]["inclusionProof"] as? [String: Any] ?? [:]
                    var hashes = proof["hashes"] as? [String] ?? []
                    hashes[0] = Self.flip(hashes[0])
                    proof["hashes"] = hashes
                    entries[0]["inclusionProof"] = proof
                }
                material["tlogEntries"] = entries
                json["verificationMaterial"] = material
            }
            let verdict = try await Self.verify(bundle, issued)
            #expect(!verdict.isVerified, "\(part): \(verdict)")
        }
    }

    /// The key policy refuses no certificate bundle it could be confused with, and an identity
    /// policy refuses this key-signed bundle.
    @Test func anIdentityPolicyRefusesTheKeySignedBundle() async throws {
        let issued = try Self.issue()
        let verdict = await BundleVerifier(trustedRoot: try issued.trustedRoot())
            .verify(
                try issued.bundle(), artifactDigest: Array(SHA256.hash(data: issued.artifact)),
                policy: .identity("someone@example.test", issuer: "https://issuer.example.test"))
        #expect(verdict.refusal?.materialMismatch == .keyHintForIdentityPolicy, "\(verdict)")
        #expect(verdict.failure?.contains("verify it with the signer's public key") == true, "\(verdict)")
    }

    // MARK: DSSE (cosign attest-blob --key), dsse 0.0.1

    @Test func dsseEnvelopeVerifiesWithTheRightKey() async throws {
        let issued = try Self.issue { $0.content = .dsse }
        #expect(try issued.bundle().entry.kind == "dsse")
        let verdict = try await issued.verify()
        #expect(verdict.isVerified, "\(verdict)")
        // The envelope alone (no artifact) verifies too, as sigstore clients' verify_dsse.
        let alone = await BundleVerifier(trustedRoot: try issued.trustedRoot())
            .verify(try issued.bundle(), artifactDigest: nil, policy: .key(try issued.publicKey()))
        #expect(alone.isVerified, "\(alone)")
    }

    @Test func dsseFailsWithAnotherKeyArtifactSignatureOrBody() async throws {
        let issued = try Self.issue { $0.content = .dsse }
        let otherKey = try PublicKey(pem: P256.Signing.PrivateKey().publicKey.pemRepresentation)
        #expect(try await issued.verify(key: otherKey).failure?.contains("verifier is not the given public key") == true)
        var artifact = issued.artifact
        artifact[3] ^= 0x01
        #expect(try await issued.verify(artifact: artifact).failure?.contains("no subject of the DSSE statement") == true)
        let logged = try Self.issue {
            $0.content = .dsse; $0.corruptSignature = true
        }
        #expect(try await logged.verify().failure?.contains("DSSE signature does not verify") == true)
        let anotherKeyLogged = try Self.issue {
            $0.content = .dsse; $0.bodyKey = P256.Signing.PrivateKey().publicKey
        }
        #expect(try await anotherKeyLogged.verify().failure?.contains("verifier is not the given public key") == true)
        let anotherPayload = try Self.issue {
            $0.content = .dsse; $0.bodyDigest = [0]
        }
        #expect(try await anotherPayload.verify().failure?.contains("payloadHash") == true)
        let bundle = try Self.edited(issued) { json in
            var envelope = json["dsseEnvelope"] as? [String: Any] ?? [:]
            envelope["signatures"] = [["sig": Self.flip((envelope["signatures"] as? [[String: Any]])?.first?["sig"] as? String ?? "")]]
            json["dsseEnvelope"] = envelope
        }
        #expect(try await Self.verify(bundle, issued).failure?.contains("recorded signature differs") == true)
    }

    /// A DSSE envelope may not be logged as a v1 hashedrekord (only Rekor v2's 0.0.2 form is accepted).
    @Test func dsseLoggedAsAV1HashedRekordIsRefused() async throws {
        let issued = try Self.issue {
            $0.content = .dsse; $0.entryKind = .hashedRekord
        }
        let verdict = try await issued.verify()
        #expect(verdict.failure?.contains("is not accepted here") == true, "\(verdict)")
    }

    // MARK: With RFC 3161 timestamps (Rekor v1)

    @Test func aTimestampIsCountedAndAForeignOneFails() async throws {
        let issued = try Self.issue { $0.log.timestamps = [.init()] }
        let verdict = try await issued.verify()
        #expect(verdict.isVerified, "\(verdict)")
        if case .verified(let line) = verdict { #expect(line.contains("RFC 3161 timestamp"), "\(line)") }
        let foreign = try Self.issue { $0.log.timestamps = [.init(authority: .foreign)] }
        #expect(try await foreign.verify().failure?.contains("does not verify with a TSA of the trusted root") == true)
    }
}
