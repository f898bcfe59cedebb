import AttestationsTestSupport
import Crypto
import Foundation
import Testing
import X509

@testable import Attestations
@testable import Sigstore

/// Rekor `intoto` v0.0.2 entries (what `cosign attest` logs) from the private Sigstore: the log
/// (a key made in the test) signs whatever body it is given, so every variant below carries a
/// valid SET, inclusion proof and checkpoint and only the body check can refuse it. Each variant
/// must fail in exactly that check, for the named reason, through PEP 740 (`SigstoreVerifier`'s
/// evidence) and through bundles (`BundleVerifier`).
@Suite("private Sigstore: intoto 0.0.2 entries")
struct PrivateSigstoreIntotoTests {
    /// One issued attestation and what an intoto body needs from it.
    struct Material {
        let sigstore: PrivateSigstore
        let issued: PrivateSigstore.Issued
        let attestation: [String: Any]
        let statement: [UInt8]
        let signature: [UInt8]
        let leafPEM: String
    }

    static func material() throws -> Material {
        let sigstore = try PrivateSigstore()
        let issued = try sigstore.issue()
        let object = try JSONSerialization.jsonObject(with: issued.attestationJSON)
        let json = try #require(object as? [String: Any])
        let envelope = try #require(json["envelope"] as? [String: Any])
        let statementText = try #require(envelope["statement"] as? String)
        let signatureText = try #require(envelope["signature"] as? String)
        let statement = try #require(Data(base64Encoded: statementText))
        let signature = try #require(Data(base64Encoded: signatureText))
        return Material(
            sigstore: sigstore, issued: issued, attestation: json, statement: [UInt8](statement),
            signature: [UInt8](signature), leafPEM: try issued.leaf.serializeAsPEM().pemString + "\n")
    }

    static func b64(_ bytes: some Sequence<UInt8>) -> String { Data(Array(bytes)).base64EncodedString() }

    /// The intoto 0.0.2 body Rekor stores for this envelope (double-encoded `sig`, PEM `publicKey`),
    /// as a mutable dictionary.
    static func body(_ m: Material) throws -> [String: Any] {
        let payloadType = "application/vnd.in-toto+json"
        let envelopeJSON = try PrivateSigstore.canonical([
            "payload": b64(m.statement), "payloadType": payloadType, "signatures": [["keyid": "", "sig": b64(m.signature)]],
        ])
        return [
            "apiVersion": "0.0.2", "kind": "intoto",
            "spec": [
                "content": [
                    "envelope": [
                        "payloadType": payloadType,
                        "signatures": [["sig": b64(Array(b64(m.signature).utf8)), "publicKey": b64(Array(m.leafPEM.utf8))]],
                    ] as [String: Any],
                    "hash": ["algorithm": "sha256", "value": PrivateSigstore.hex(SHA256.hash(data: envelopeJSON))],
                    "payloadHash": ["algorithm": "sha256", "value": PrivateSigstore.hex(SHA256.hash(data: m.statement))],
                ] as [String: Any]
            ] as [String: Any],
        ]
    }

    /// The attestation with its entry replaced by `body` logged (SET, proof, checkpoint) as `kind`/`version`.
    static func attestation(_ m: Material, body: [String: Any], kind: String = "intoto", version: String = "0.0.2") throws -> Attestation {
        let entry = try m.sigstore.logEntry(
            body: try PrivateSigstore.canonical(body), kind: kind, version: version, PrivateSigstore.Scenario())
        var json = m.attestation
        var material = try #require(json["verification_material"] as? [String: Any])
        material["transparency_entries"] = [entry]
        json["verification_material"] = material
        return try Attestation.decode(Data(try PrivateSigstore.canonical(json)))
    }

    /// `SigstoreCore` on the attestation as PEP 740 verifies it (all log evidence required).
    static func pep740(_ m: Material, _ attestation: Attestation) async throws -> SigstoreCoreVerdict {
        let material = try #require(attestation.verificationMaterial)
        return await SigstoreCore.verify(
            try SigstoreVerifier.evidence(of: attestation, material: material),
            trustedRoot: try m.issued.trustedRoot()
        ) { identity in
            PublisherIdentityPolicy.evaluate(PrivateSigstore.gitHubPublisher(), identity: identity)
        }
    }

    /// `BundleVerifier` on the attestation converted to a v0.3 bundle, with the leaf's identity.
    static func bundle(_ m: Material, _ attestation: Attestation) async throws -> BundleVerdict {
        let identity = try FulcioIdentity(certificate: m.issued.leaf)
        let san = try #require(identity.subjectAlternativeName?.value)
        let issuer = try #require(identity.effectiveIssuer)
        let subject = [UInt8](repeating: 0xAB, count: 32)  // the statement's subject digest (ab…ab)
        return await BundleVerifier(trustedRoot: try m.issued.trustedRoot())
            .verify(try SigstoreBundle(attestation: attestation), artifactDigest: subject, policy: .identity(san, issuer: issuer))
    }

    @Test func intotoEntryVerifiesThroughPEP740AndBundles() async throws {
        let m = try Self.material()
        let attestation = try Self.attestation(m, body: try Self.body(m))
        let entryJSON = try #require(attestation.verificationMaterial?.transparencyEntries.first)
        let entry = try TransparencyLogEntry(json: entryJSON)
        #expect(!TransparencyLogVerifier.isRekorV2(entry), "intoto 0.0.2 is a Rekor v1 kind (SET and integrated time)")
        guard case .verified(let verified) = try await Self.pep740(m, attestation) else {
            Issue.record("PEP 740: \(try await Self.pep740(m, attestation))")
            return
        }
        #expect(verified.times.contains { if case .integratedTime = $0.source { true } else { false } })
        let verdict = try await Self.bundle(m, attestation)
        #expect(verdict.isVerified, "\(verdict)")
    }

    /// A body that also records the payload (double-encoded, as some logs keep it) verifies.
    @Test func recordedPayloadVerifies() async throws {
        let m = try Self.material()
        var body = try Self.body(m)
        Self.edit(&body, "envelope") { $0["payload"] = Self.b64(Array(Self.b64(m.statement).utf8)) }
        let verdict = try await Self.bundle(m, try Self.attestation(m, body: body))
        #expect(verdict.isVerified, "\(verdict)")
    }

    /// Applies `change` to the object at `spec.content[.<level>]` (`content`, `envelope`,
    /// `signature` = the first signature, `hash`, `payloadHash`) or to the top level (`top`).
    static func edit(_ body: inout [String: Any], _ level: String, _ change: (inout [String: Any]) -> Void) {
        if level == "top" { return change(&body) }
        var spec = body["spec"] as? [String: Any] ?? [:]
        var content = spec["content"] as? [String: Any] ?? [:]
        switch level {
        case "spec":
            change(&spec)
            body["spec"] = spec
            return
        case "content":
            change(&content)
        case "envelope", "signature":
            var envelope = content["envelope"] as? [String: Any] ?? [:]
            if level == "envelope" {
                change(&envelope)
            } else {
                var signatures = envelope["signatures"] as? [[String: Any]] ?? []
                change(&signatures[0])
                envelope["signatures"] = signatures
            }
            content["envelope"] = envelope
        default:
            var object = content[level] as? [String: Any] ?? [:]
            change(&object)
            content[level] = object
        }
        spec["content"] = content
        body["spec"] = spec
    }

    struct Variant: CustomTestStringConvertible, Sendable {
        let name: String
        let level: String
        let reason: LogCheckFailure.Reason
        let change: @Sendable (inout [String: Any], [UInt8], [UInt8]) -> Void
        var testDescription: String { name }
    }

    static let variants: [Variant] = [
        Variant(name: "sig encoded once (not the schema's double encoding)", level: "signature", reason: .malformedBody) { o, _, sig in
            o["sig"] = b64(sig)
        },
        Variant(name: "sig of another envelope", level: "signature", reason: .bodyMismatch) { o, _, sig in
            o["sig"] = b64(Array(b64(sig.reversed()).utf8))
        },
        Variant(name: "publicKey of another key", level: "signature", reason: .bodyMismatch) { o, _, _ in
            o["publicKey"] = b64(Array(P256.Signing.PrivateKey().publicKey.pemRepresentation.utf8))
        },
        Variant(name: "publicKey not base64", level: "signature", reason: .malformedBody) { o, _, _ in o["publicKey"] = "!!" },
        Variant(name: "unknown member in a signature", level: "signature", reason: .malformedBody) { o, _, _ in o["extra"] = "x" },
        Variant(name: "keyid not a string", level: "signature", reason: .malformedBody) { o, _, _ in o["keyid"] = 1 },
        Variant(name: "two signatures", level: "envelope", reason: .bodyMismatch) { o, _, _ in
            let signatures = o["signatures"] as? [[String: Any]] ?? []
            o["signatures"] = signatures + signatures
        },
        Variant(name: "no signature", level: "envelope", reason: .malformedBody) { o, _, _ in o["signatures"] = [Any]() },
        Variant(name: "another payloadType", level: "envelope", reason: .bodyMismatch) { o, _, _ in o["payloadType"] = "text/plain" },
        Variant(name: "recorded payload of other bytes", level: "envelope", reason: .bodyMismatch) { o, statement, _ in
            o["payload"] = b64(Array(b64(statement + [0x0A]).utf8))
        },
        Variant(name: "unknown member in the envelope", level: "envelope", reason: .malformedBody) { o, _, _ in o["payloadHash"] = "x" },
        Variant(name: "payloadHash of other bytes", level: "payloadHash", reason: .bodyMismatch) { o, statement, _ in
            o["value"] = PrivateSigstore.hex(SHA256.hash(data: statement + [0x0A]))
        },
        Variant(name: "payloadHash sha512", level: "payloadHash", reason: .malformedBody) { o, _, _ in o["algorithm"] = "sha512" },
        Variant(name: "payloadHash uppercase hex", level: "payloadHash", reason: .malformedBody) { o, _, _ in
            o["value"] = (o["value"] as? String ?? "").uppercased()
        },
        Variant(name: "envelope hash missing", level: "content", reason: .malformedBody) { o, _, _ in o["hash"] = nil },
        Variant(name: "payloadHash missing", level: "content", reason: .malformedBody) { o, _, _ in o["payloadHash"] = nil },
        Variant(name: "unknown member in content", level: "content", reason: .malformedBody) { o, _, _ in o["envelopeHash"] = "x" },
        Variant(name: "unknown member in spec", level: "spec", reason: .malformedBody) { o, _, _ in o["other"] = "x" },
        Variant(name: "unknown member at the top", level: "top", reason: .malformedBody) { o, _, _ in o["extra"] = "x" },
        Variant(name: "apiVersion 0.0.1 under an intoto 0.0.2 entry", level: "top", reason: .malformedBody) { o, _, _ in
            o["apiVersion"] = "0.0.1"
        },
        Variant(name: "a dsse body under an intoto entry", level: "top", reason: .malformedBody) { o, _, _ in o["kind"] = "dsse" },
    ]

    @Test(arguments: variants)
    func logSignedVariantFailsInTheBodyCheck(_ variant: Variant) async throws {
        let m = try Self.material()
        var body = try Self.body(m)
        Self.edit(&body, variant.level) { variant.change(&$0, m.statement, m.signature) }
        let attestation = try Self.attestation(m, body: body)
        let pep740 = try await Self.pep740(m, attestation)
        let bundle = try await Self.bundle(m, attestation)
        for (path, failure) in [("PEP 740", pep740.refusal), ("bundle", bundle.refusal)] {
            guard let failure else {
                Issue.record("\(variant.name) verified through \(path)")
                continue
            }
            #expect(failure.stage == .transparencyLog, "\(failure)")
            #expect(failure.logFailures.map(\.name) == [TransparencyLogVerifier.bodyCheck], "\(failure)")
            #expect(failure.logFailures.first?.result.failure?.reason == variant.reason, "\(failure)")
        }
    }

    /// A message signature is never recorded by an intoto body.
    @Test func intotoBodyDoesNotRecordAMessageSignature() throws {
        let m = try Self.material()
        let attestation = try Self.attestation(m, body: try Self.body(m))
        let entryJSON = try #require(attestation.verificationMaterial?.transparencyEntries.first)
        let entry = try TransparencyLogEntry(json: entryJSON)
        let result = RekorBody.checkConsistency(
            of: entry,
            content: .messageSignature(
                digest: Array(SHA256.hash(data: m.statement)),
                signature: m.signature),
            signer: .certificate(try PrivateSigstore.der(m.issued.leaf)))
        #expect(result.failure?.reason == .bodyMismatch)
        #expect(result.failure?.message.contains("does not record a message signature") == true)
    }

    /// intoto 0.0.1 (another schema) is not an accepted kind: refused before any log check.
    @Test func intotoVersion001IsNotAccepted() async throws {
        let m = try Self.material()
        var body = try Self.body(m)
        body["apiVersion"] = "0.0.1"
        guard case .failed(let failure) = try await Self.pep740(m, try Self.attestation(m, body: body, version: "0.0.1")) else {
            Issue.record("intoto 0.0.1 verified")
            return
        }
        #expect(failure.stage == .entryKind, "\(failure)")
        #expect(failure.reason.contains("kind intoto 0.0.1 is not accepted"), "\(failure)")
    }
}

extension SigstoreCoreVerdict {
    /// The typed failure, nil when verified.
    var refusal: SigstoreFailure? {
        if case .failed(let failure) = self { return failure }
        return nil
    }
}
