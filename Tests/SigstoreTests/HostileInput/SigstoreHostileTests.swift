import AttestationsTestSupport
import Foundation
import TestSupport
import Testing
import X509

@testable import Attestations
@testable import Sigstore

/// Mutated real Sigstore material (trusted roots, bundles, Rekor entries and bodies, checkpoints,
/// SCT lists, certificates, RFC 3161 tokens): refused with `AttestationError` or parsed; never a
/// trap or a hang; and no changed PEP 740 attestation verifies.
@Suite("Hostile input: Sigstore")
struct SigstoreHostileTests {
    static let roots = [
        "trust-prod.trusted_root.json", "trust-staging.trusted_root.json", "trust-bundles.trustedroot.v1.json",
        "trust-bundles.trustedroot.v1.local_tlog_ed25519_rekor-tiles.json",
    ]
    static let bundles = [
        "bundles/bundle_v3.txt.sigstore", "bundles/bundle.txt.sigstore", "bundles/staging-rekor-v2.txt.sigstore.json",
        "bundles/tsa/bundle.duplicate.sigstore", "bundles/a.dsse.staging-rekor-v2.txt.sigstore.json",
    ]
    static let attestations = [
        TrustFixtures.prodGitHub, TrustFixtures.stagingEmail,
        "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_rekor2_timestamp",
    ]

    static func entryJSONs() throws -> [JSONValue] {
        try attestations.flatMap { try #require(try Attestation.decode(TrustFixtures.data($0)).verificationMaterial).transparencyEntries }
    }

    @Test func mutatedTrustedRootsAreRefusedOrParse() throws {
        let seeds = try Self.roots.map { [UInt8](try TrustFixtures.data($0)) }
        HostileRun.cases("TrustedRoot.decode", seeds: seeds, count: 300, seed: 0x7275) { input, _ in
            _ = try? TrustedRoot.decode(Data(input))
        }
    }

    @Test func mutatedBundlesAreRefusedOrParse() throws {
        let seeds = try Self.bundles.map { [UInt8](try TrustFixtures.data($0)) }
        HostileRun.cases("SigstoreBundle.decode", seeds: seeds, count: 400, seed: 0xB0D1E) { input, _ in
            guard let bundle = try? SigstoreBundle.decode(Data(input)) else { return }
            _ = try? RekorBody(decoding: bundle.entry.canonicalizedBody)
            _ = try? Attestation(bundle: bundle)
        }
    }

    @Test func mutatedTransparencyEntriesAndRekorBodiesAreRefusedOrParse() throws {
        let seeds = try Self.entryJSONs().map(Mutator.encode)
        HostileRun.cases("TransparencyLogEntry", seeds: seeds, count: 600, seed: 0x7E4) { input, _ in
            guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(input)),
                let entry = try? TransparencyLogEntry(json: json)
            else { return }
            if let body = try? RekorBody(decoding: entry.canonicalizedBody) {
                _ = body
            }
        }
        let bodies = try Self.entryJSONs().map { try TransparencyLogEntry(json: $0).canonicalizedBody }
        HostileRun.cases("RekorBody", seeds: bodies, count: 800, seed: 0x8E4) { input, _ in
            _ = try? RekorBody(decoding: input)
        }
    }

    /// Mutated `intoto` 0.0.2 bodies (sigstore-conformance's happy intoto bundle): refused or
    /// parsed, and any that still records the bundle's envelope decodes to the very same
    /// payload type, payload hash, signature and verifier (a mutation cannot change what binds).
    @Test func mutatedIntotoBodiesAreRefusedOrStillBindTheSameEnvelope() throws {
        let url = try ConformanceBundleVerifyTests.directory().appendingPathComponent("intoto-with-custom-trust-root/bundle.sigstore.json")
        let bundle = try SigstoreBundle.decode(try Data(contentsOf: url))
        guard case .intoto(let original) = try RekorBody(decoding: bundle.entry.canonicalizedBody),
            case .certificate(let certificate) = bundle.material,
            case .dsse(let type, let payload, let signature) = bundle.content
        else {
            Issue.record("the seed is not an intoto DSSE bundle")
            return
        }
        let content = SigstoreContent.dsse(payloadType: type, payload: payload, signature: signature)
        HostileRun.cases("RekorBody intoto", seeds: [bundle.entry.canonicalizedBody], count: 600, seed: 0x1470) { input, label in
            guard case .intoto(let body) = try? RekorBody(decoding: input) else { return }
            let entry = bundle.entry.replacing(body: input)
            guard RekorBody.checkConsistency(of: entry, content: content, signer: .certificate(certificate)).isVerified else { return }
            #expect(body.payloadType == original.payloadType && body.payloadHash == original.payloadHash, "\(label)")
            #expect(body.signatures.map(\.signature) == original.signatures.map(\.signature), "\(label)")
            #expect(
                (try? PEMBlock.first(in: body.signatures[0].verifierPEM, labels: ["CERTIFICATE"], what: "v").der) == certificate, "\(label)"
            )
        }
    }

    @Test func mutatedCheckpointsAreRefusedOrParse() throws {
        let seeds = try Self.entryJSONs().compactMap { try TransparencyLogEntry(json: $0).inclusionProof?.checkpoint }.map {
            Array($0.utf8)
        }
        try #require(!seeds.isEmpty)
        HostileRun.cases("Checkpoint", seeds: seeds, count: 3000, seed: 0xC4EC, mutate: Mutator.bytes) { input, _ in
            _ = try? Checkpoint(parsing: String(decoding: input, as: UTF8.self))
        }
    }

    @Test func mutatedCertificatesAndSCTListsAreRefusedOrParse() throws {
        let leaves = try Self.attestations.map {
            try #require(try Attestation.decode(TrustFixtures.data($0)).verificationMaterial).certificate
        }
        var sctLists: [[UInt8]] = []
        for der in leaves {
            let certificate = try Certificate(derEncoded: der)
            let ext = try #require(certificate.extensions.first { $0.oid == SignedCertificateTimestamp.extensionOID })
            sctLists.append(Array(try ASN1OctetStringBytes.bytes(ext.value)))
        }
        HostileRun.cases("SCT list", seeds: sctLists, count: 3000, seed: 0x5C7, mutate: Mutator.bytes) { input, _ in
            _ = try? SignedCertificateTimestamp.parseList(input)
        }
        HostileRun.cases("FulcioIdentity", seeds: leaves, count: 1500, seed: 0xF01C) { input, _ in
            _ = try? FulcioIdentity(certificateDER: input)
            if let certificate = try? Certificate(derEncoded: input) {
                _ = try? SignedCertificateTimestamp.embedded(in: certificate)
            }
        }
    }

    @Test func mutatedRFC3161TokensAreRefusedOrParse() throws {
        let material = try #require(
            try Attestation.decode(Fixtures.data("pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp")).verificationMaterial
        )
        try #require(!material.timestamps.isEmpty)
        HostileRun.cases("RFC3161Timestamp", seeds: material.timestamps, count: 2000, seed: 0x3161) { input, _ in
            _ = try? RFC3161Timestamp(derEncoded: input)
        }
    }

    /// No mutation of a real keyless attestation verifies against the production root unless the
    /// re-parsed attestation equals the original (a whitespace or member-order change).
    @Test func noMutatedKeylessAttestationVerifies() async throws {
        let original = try Attestation.decode(TrustFixtures.data(TrustFixtures.prodGitHub))
        let seed = [UInt8](try TrustFixtures.data(TrustFixtures.prodGitHub))
        var parsed: [(Attestation, String)] = []
        HostileRun.cases("SigstoreVerifier", seeds: [seed], count: 300, seed: 0x5157) { input, label in
            if let attestation = try? Attestation.decode(Data(input)) { parsed.append((attestation, label)) }
        }
        let verifier = SigstoreVerifier(trustedRoot: try TrustFixtures.root("prod"))
        let start = ContinuousClock.now
        for (attestation, label) in parsed.prefix(120) {
            let verdict = await verifier.verifySignature(of: attestation, publisher: SigstoreVerifierTests.gitHub)
            if verdict.isVerified {
                #expect(Self.verifiedContent(attestation) == Self.verifiedContent(original), "changed attestation verified: \(label)")
            }
        }
        #expect(ContinuousClock.now - start < .seconds(15))
    }
}

extension SigstoreHostileTests {
    /// What the verifier consumes: envelope, certificate, timestamps and the PARSED log entries.
    /// (Unknown members of a log entry's JSON are ignored by `TransparencyLogEntry(json:)`, so a
    /// mutation adding one is a no-op for verification; see the report.)
    struct VerifiedContent: Equatable {
        let envelope: Envelope
        let certificate: [UInt8]?
        let timestamps: [[UInt8]]
        let entries: [TransparencyLogEntry]?
    }

    static func verifiedContent(_ attestation: Attestation) -> VerifiedContent {
        let material = attestation.verificationMaterial
        return VerifiedContent(
            envelope: attestation.envelope, certificate: material?.certificate, timestamps: material?.timestamps ?? [],
            entries: try? material?.transparencyEntries.map { json throws(AttestationError) in try TransparencyLogEntry(json: json) })
    }
}

/// The contents of a DER OCTET STRING extension value.
enum ASN1OctetStringBytes {
    struct NotOctetString: Error {}
    static func bytes(_ value: ArraySlice<UInt8>) throws -> ArraySlice<UInt8> {
        var r = Array(value)
        guard r.first == 0x04, r.count >= 2 else { throw NotOctetString() }
        var len = Int(r[1]); var start = 2
        if len & 0x80 != 0 {
            let k = len & 0x7F; len = 0
            guard k <= 3, r.count >= 2 + k else { throw NotOctetString() }
            for j in 0..<k { len = (len << 8) | Int(r[2 + j]) }
            start = 2 + k
        }
        guard start + len == r.count else { throw NotOctetString() }
        r = Array(r[start...])
        return r[...]
    }
}

extension SigstoreHostileTests {
    /// Merkle audit paths at the integer edges: refused as malformed, never a trap or a long loop.
    @Test func inclusionProofsAtIntegerEdgesAreRefused() {
        let leaf = MerkleInclusion.leafHash([1, 2, 3])
        let hash = [UInt8](repeating: 7, count: 32)
        let edges: [(Int64, Int64)] = [
            (0, 0), (-1, 1), (0, -1), (Int64.max, Int64.max), (Int64.max - 1, Int64.max), (0, Int64.max),
            (Int64.min, Int64.max), (5, 5), (1 << 62, Int64.max),
        ]
        for (index, size) in edges {
            for count in [0, 1, 63, 64, 65, 10_000] {
                let result = MerkleInclusion.root(leafHash: leaf, index: index, size: size, proof: Array(repeating: hash, count: count))
                if case .success = result { #expect(size > 0 && index >= 0 && index < size, "\(index)/\(size)/\(count)") }
            }
        }
    }

    /// RFC 3339 times as they appear in trusted roots, mutated.
    @Test func mutatedRFC3339TimesAreRefusedOrParse() {
        let seeds = [
            "2021-03-07T03:20:29.000Z", "2022-04-13T20:06:15Z", "2024-01-01T00:00:00+01:00", "2023-10-27T00:00:00.123456789-23:59",
        ]
        HostileRun.cases("RFC3339", seeds: seeds.map { Array($0.utf8) }, count: 3000, seed: 0x3339, mutate: Mutator.bytes) { input, _ in
            _ = RFC3339.parse(String(decoding: input, as: UTF8.self))
        }
        for text in [
            "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z", "2024-01-01T00:00:00+99:99", "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00.0000000000Z",
        ] {
            _ = RFC3339.parse(text)
        }
    }
}
