import AttestationsTestSupport
import Foundation
import Testing
import X509

@testable import Attestations
@testable import Sigstore

/// RFC 3161 timestamps as verified times (real tokens from the prod TSA and sigstore-python's test TSA).
@Suite("RFC 3161 timestamps")
struct TimestampVerificationTests {
    static let withTimestamp = "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp"
    static let jku = IdentityPins(identity: "jku@goto.fi", issuer: "https://github.com/login/oauth")

    static func attestation() throws -> Attestation {
        try Attestation.decode(try Fixtures.data(withTimestamp))
    }

    static func token() throws -> [UInt8] {
        try #require(try attestation().verificationMaterial?.timestamps.first)
    }

    /// The trusted root inside sigstore-python's `tsa/trust_config.json` (a ClientTrustConfig).
    static func tsaTestRoot() throws -> TrustedRoot {
        let json = try JSONSerialization.jsonObject(with: try TrustFixtures.data("bundles/tsa/trust_config.json")) as? [String: Any]
        let root = try #require(json?["trustedRoot"])
        return try TrustedRoot.decode(try JSONSerialization.data(withJSONObject: root))
    }

    static func core(_ attestation: Attestation, root: TrustedRoot) async throws -> SigstoreCoreVerdict {
        let material = try #require(attestation.verificationMaterial)
        return await SigstoreCore.verify(try SigstoreVerifier.evidence(of: attestation, material: material), trustedRoot: root) {
            jku.evaluate($0)
        }
    }

    static func failure(_ verdict: SigstoreCoreVerdict) -> String? {
        if case .failed(let failure) = verdict { return failure.reason }
        return nil
    }

    @Test func tokenParses() throws {
        let token = try RFC3161Timestamp(derEncoded: try Self.token())
        #expect(token.genTime == Date(timeIntervalSince1970: 1_760_084_548))  // 2025-10-10T08:22:28Z
        #expect(token.imprintAlgorithm == TimestampVerification.sha256OID)
        #expect(token.certificates.count == 1)
        #expect(token.signedAttributesDER.first == 0x31)
        // RFC 5816 signing-certificate-v2 binds the embedded TSA certificate by its SHA-256.
        let bound = try #require(token.signingCertificateHash)
        #expect(bound.algorithm == TimestampVerification.sha256OID)
        #expect(Encoding.hex(bound.hash) == "85f927bc07ab62cac3b44356c10efc81b2c6883fda7ab9e6d870d9d13acd05b7")
        #expect(
            TimestampVerification.digest(bound.algorithm, TimestampVerification.derBytes(try #require(token.certificates.first)))
                == bound.hash)
        guard case .issuerAndSerialNumber(_, let serial) = token.signer else {
            Issue.record("signer is not issuer and serial")
            return
        }
        #expect(Encoding.hex(serial.bytes) == "3a13542f0c9061eebcc1432fcb8a8e8b2a238b0c")
    }

    @Test func realTimestampVerifiesOverTheSignature() async throws {
        let attestation = try Self.attestation()
        let verdict = await TimestampVerification.verify(
            token: try Self.token(), signature: attestation.envelope.signature,
            trustedRoot: try TrustFixtures.root("prod"))
        let stamp = try #require(verdict.timestamp, "\(verdict)")
        #expect(stamp.authority.commonName == "sigstore-tsa-selfsigned")
        #expect(stamp.tsaCertificate.subject.description.contains("sigstore-tsa"))
    }

    @Test func attestationVerifiesWithItsTimestampCounted() async throws {
        guard case .verified(let verified) = try await Self.core(try Self.attestation(), root: try TrustFixtures.root("prod")) else {
            Issue.record("not verified")
            return
        }
        #expect(verified.times.count == 2)
        #expect(verified.times.contains { if case .timestampAuthority("sigstore-tsa-selfsigned") = $0.source { true } else { false } })
        #expect(verified.times.contains { if case .integratedTime = $0.source { true } else { false } })
        #expect(verified.identity?.contains("jku@goto.fi") == true)
    }

    @Test func throughSigstoreVerifierEveryCryptoStepPassesAndOnlyThePublisherDiffers() async throws {
        // The email identity has no PEP 740 publisher kind: the verifier gets to the identity step.
        let verdict = await SigstoreVerifier(trustedRoot: try .production)
            .verifySignature(of: try Self.attestation(), publisher: Publisher(kind: "Google", fields: ["email": .string("jku@goto.fi")]))
        guard case .failed(let reason) = verdict else {
            Issue.record("expected the issuer mismatch, got \(verdict)")
            return
        }
        #expect(reason.contains("OIDC issuer https://github.com/login/oauth"), "\(reason)")
    }

    @Test func aDifferentIdentityFails() async throws {
        let attestation = try Self.attestation()
        let material = try #require(attestation.verificationMaterial)
        let verdict = await SigstoreCore.verify(
            try SigstoreVerifier.evidence(of: attestation, material: material),
            trustedRoot: try TrustFixtures.root("prod")
        ) {
            IdentityPins(identity: "someone@example.com", issuer: "https://github.com/login/oauth").evaluate($0)
        }
        #expect(Self.failure(verdict)?.contains("pinned identity") == true)
    }

    @Test(arguments: [100, 300, 500, 700, 1000, 1200, 1250])
    func aFlippedByteInTheTokenFails(offset: Int) async throws {
        var attestation = try Self.attestation()
        var token = try Self.token()
        token[offset] ^= 0x01
        attestation.verificationMaterial?.timestamps = [token]
        let reason = try #require(Self.failure(try await Self.core(attestation, root: try TrustFixtures.root("prod"))))
        #expect(reason.hasPrefix("timestamp 0: RFC 3161 timestamp"), "\(reason)")
    }

    @Test func aTokenOverAnotherSignatureFails() async throws {
        var attestation = try Self.attestation()
        attestation.envelope.signature[10] ^= 0x01
        let verdict = await TimestampVerification.verify(
            token: try Self.token(), signature: attestation.envelope.signature,
            trustedRoot: try TrustFixtures.root("prod"))
        #expect(verdict.failure?.contains("message imprint is not the hash of this signature") == true, "\(verdict)")
        // The token of the GitHub vector's signature does not stamp this attestation.
        let other = try Attestation.decode(try TrustFixtures.data(TrustFixtures.prodGitHub))
        var swapped = try Self.attestation()
        swapped.verificationMaterial?.timestamps = [try Self.token()]
        let otherVerdict = await TimestampVerification.verify(
            token: try Self.token(), signature: other.envelope.signature,
            trustedRoot: try TrustFixtures.root("prod"))
        #expect(otherVerdict.failure?.contains("message imprint") == true)
    }

    @Test func aTSANotInTheRootFails() async throws {
        let prod = try TrustFixtures.root("prod")
        let noTSA = TrustedRoot(
            mediaType: prod.mediaType, certificateAuthorities: prod.certificateAuthorities, tlogs: prod.tlogs,
            ctlogs: prod.ctlogs, timestampAuthorities: [])
        let reason = try #require(Self.failure(try await Self.core(try Self.attestation(), root: noTSA)))
        #expect(reason.contains("no timestamp authority of the trusted root is valid"), "\(reason)")
        // Another TSA (sigstore-python's test TSA, valid then) in its place.
        let otherTSA = TrustedRoot(
            mediaType: prod.mediaType, certificateAuthorities: prod.certificateAuthorities, tlogs: prod.tlogs,
            ctlogs: prod.ctlogs, timestampAuthorities: try Self.tsaTestRoot().timestampAuthorities)
        let other = try #require(Self.failure(try await Self.core(try Self.attestation(), root: otherTSA)))
        #expect(other.contains("does not verify with a TSA of the trusted root"), "\(other)")
    }

    @Test func genTimeOutsideTheTSAWindowFails() async throws {
        let prod = try TrustFixtures.root("prod")
        let tsa = try #require(prod.timestampAuthorities.first)
        let ended = try CertificateAuthority(
            organization: tsa.organization, commonName: tsa.commonName, uri: tsa.uri, chainDER: tsa.chainDER,
            validFor: ValidityWindow(start: tsa.validFor.start, end: Date(timeIntervalSince1970: 1_760_000_000)))
        let root = TrustedRoot(
            mediaType: prod.mediaType, certificateAuthorities: prod.certificateAuthorities, tlogs: prod.tlogs,
            ctlogs: prod.ctlogs, timestampAuthorities: [ended])
        let reason = try #require(Self.failure(try await Self.core(try Self.attestation(), root: root)))
        #expect(reason.contains("valid at genTime 2025-10-10T08:22:28Z"), "\(reason)")
    }

    @Test func theLeafMustBeValidAtEveryVerifiedTime() async throws {
        // The token's genTime (2025-10-10T08:22:28Z) is inside the 10-minute leaf; moving the SET
        // time is impossible without breaking the SET, so check the policy on the chain step:
        // a TSA time outside the leaf's validity fails even though integratedTime is inside.
        let leaf = try Certificate(derEncoded: try #require(try Self.attestation().verificationMaterial).certificate)
        let late = leaf.notValidAfter.addingTimeInterval(1)
        let verdict = await FulcioChain.verify(leaf: leaf, trustedRoot: try TrustFixtures.root("prod"), at: late)
        #expect(verdict.failure?.contains("is not valid at") == true)
    }

    @Test func duplicateAndTooManyTimestampsFail() async throws {
        var attestation = try Self.attestation()
        attestation.verificationMaterial?.timestamps = [try Self.token(), try Self.token()]
        #expect(Self.failure(try await Self.core(attestation, root: try TrustFixtures.root("prod"))) == "duplicate RFC 3161 timestamp")
        attestation.verificationMaterial?.timestamps = (0..<33).map { [UInt8($0)] }
        #expect(Self.failure(try await Self.core(attestation, root: try TrustFixtures.root("prod")))?.contains("at most 32") == true)
    }

    @Test func aTimestampWithoutEmbeddedCertificateUsesTheRootsOrFailsClearly() async throws {
        // sigstore-python issue 1482: a token with an empty certificate set, naming a TSA leaf
        // (serial 0a35a106…) that the production root does not list: a clean failure, no crash.
        let token = Array(try TrustFixtures.data("bundles/tsa/issue1482-timestamp-with-no-cert"))
        let message = Array(try TrustFixtures.data("bundles/tsa/issue1482-message"))
        let parsed = try RFC3161Timestamp(derEncoded: token)
        #expect(parsed.certificates.isEmpty)
        let verdict = await TimestampVerification.verify(parsed, signature: message, trustedRoot: try TrustFixtures.root("prod"))
        #expect(verdict.failure?.contains("no certificate matches the SignerInfo") == true, "\(verdict)")
    }

    @Test func testTSATokensIssuedBeforeTheTSAWindowFail() async throws {
        // sigstore-python's tsa/bundle.txt.sigstore: two tokens of its test TSA, genTime
        // 2024-10-31, signed by a TSA leaf (serial 2e4d4f8c…) that trust_config.json does not list,
        // whose TSA window starts 2024-11-07. sigstore-python skips such tokens and counts the SET;
        // this verifier refuses any token that does not verify.
        let json = try #require(
            try JSONSerialization.jsonObject(with: try TrustFixtures.data("bundles/tsa/bundle.txt.sigstore")) as? [String: Any])
        let signature = try #require(
            ((json["messageSignature"] as? [String: Any])?["signature"] as? String).flatMap { Data(base64Encoded: $0) })
        let material = json["verificationMaterial"] as? [String: Any]
        let stamps = ((material?["timestampVerificationData"] as? [String: Any])?["rfc3161Timestamps"] as? [[String: Any]]) ?? []
        #expect(stamps.count == 2)
        var reasons: [String] = []
        for stamp in stamps {
            let token = try #require((stamp["signedTimestamp"] as? String).flatMap { Data(base64Encoded: $0) })
            let verdict = await TimestampVerification.verify(
                token: Array(token), signature: Array(signature), trustedRoot: try Self.tsaTestRoot())
            reasons.append(try #require(verdict.failure))
        }
        #expect(reasons.first?.contains("no timestamp authority of the trusted root is valid at genTime 2024-10-31") == true, "\(reasons)")
        // The second token stamps another signature.
        #expect(reasons.last?.contains("message imprint is not the hash of this signature") == true, "\(reasons)")
    }

    @Test func theTSALeafProfileNeedsACriticalTimeStampingEKU() throws {
        let fulcioLeaf = try TrustFixtures.leaf(TrustFixtures.prodGitHub)
        #expect(TimestampingLeafPolicy.problem(with: fulcioLeaf) == "ExtendedKeyUsage is not critical")
        let token = try RFC3161Timestamp(derEncoded: try Self.token())
        #expect(TimestampingLeafPolicy.problem(with: try #require(token.certificates.first)) == nil)
    }

    @Test(arguments: [0, 1, 3, 9])
    func truncatedOrGarbageTokensAreMalformed(cut: Int) throws {
        let token = try Self.token()
        #expect(throws: AttestationError.self) { try RFC3161Timestamp(derEncoded: Array(token.prefix(cut))) }
        #expect(throws: AttestationError.self) { try RFC3161Timestamp(derEncoded: Array(token.dropLast(cut + 1))) }
        #expect(throws: AttestationError.self) { try RFC3161Timestamp(derEncoded: token + Array(repeating: 0, count: cut + 1)) }
    }

    @Test(arguments: ["signature", "statement", "certificate", "body", "set", "proof", "checkpoint"])
    func aChangedByteInAnyPartFails(part: String) async throws {
        var attestation = try Self.attestation()
        var entry = try #require(attestation.verificationMaterial?.transparencyEntries.first?.objectValue)
        var proof = try #require(entry["inclusionProof"]?.objectValue)
        func flip(_ value: JSONValue?, at position: Int) -> JSONValue {
            var bytes = Encoding.base64(value?.stringValue ?? "") ?? []
            if !bytes.isEmpty { bytes[min(position, bytes.count - 1)] ^= 0x01 }
            return .string(Encoding.base64String(bytes))
        }
        switch part {
        case "signature": attestation.envelope.signature[30] ^= 0x01
        case "statement": attestation.envelope.statement[30] ^= 0x01
        case "certificate": attestation.verificationMaterial?.certificate[400] ^= 0x01
        case "body": entry["canonicalizedBody"] = flip(entry["canonicalizedBody"], at: 100)
        case "set":
            entry["inclusionPromise"] = .object(["signedEntryTimestamp": flip(entry["inclusionPromise"]?["signedEntryTimestamp"], at: 20)])
        case "proof":
            var hashes = proof["hashes"]?.arrayValue ?? []
            hashes[1] = flip(hashes[1], at: 5)
            proof["hashes"] = .array(hashes)
        default:
            let note = proof["checkpoint"]?["envelope"]?.stringValue ?? ""
            proof["checkpoint"] = .object(["envelope": .string(note.replacingOccurrences(of: "\n\n", with: "\nx\n\n"))])
        }
        entry["inclusionProof"] = .object(proof)
        attestation.verificationMaterial?.transparencyEntries = [.object(entry)]
        #expect(Self.failure(try await Self.core(attestation, root: try TrustFixtures.root("prod"))) != nil, "changed \(part) verified")
    }
}
