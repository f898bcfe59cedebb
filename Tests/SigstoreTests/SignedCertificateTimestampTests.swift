import Foundation
import SwiftASN1
import Testing
import X509

@testable import Attestations
@testable import Sigstore

@Suite struct SignedCertificateTimestampTests {
    static func chain(_ name: String, root: String, at time: Date) async throws -> FulcioChain {
        let verdict = await FulcioChain.verify(
            leafDER: try TrustFixtures.leafDER(name), trustedRoot: try TrustFixtures.root(root), at: time)
        return try #require(verdict.chain, "\(verdict.failure ?? "")")
    }

    /// Fields from GOLDEN-intermediates.md.
    @Test func prodSCTFields() throws {
        let scts = try SignedCertificateTimestamp.embedded(in: try TrustFixtures.leaf(TrustFixtures.prodGitHub))
        let sct = try #require(scts.first)
        #expect(scts.count == 1)
        #expect(sct.version == 0)
        #expect(Encoding.base64String(sct.logID) == "3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4=")
        #expect(sct.timestamp == 1_733_354_041_630)
        #expect(sct.date == RFC3339.parse("2024-12-04T23:14:01.630Z"))
        #expect(sct.extensions.isEmpty)
        #expect(sct.hashAlgorithm == 4)
        #expect(sct.signatureAlgorithm == 3)
    }

    @Test func prodSCTVerifies() async throws {
        let chain = try await Self.chain(TrustFixtures.prodGitHub, root: "prod", at: TrustFixtures.prodTime)
        let verdict = SCTVerification.verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: try TrustFixtures.root("prod"))
        guard case .verified(let sct, let log) = verdict else {
            Issue.record("SCT did not verify: \(verdict.failure ?? "")")
            return
        }
        #expect(log.baseURL == "https://ctfe.sigstore.dev/2022")
        #expect(sct.timestamp == 1_733_354_041_630)
        #expect(SCTVerification.verify(chain: chain, trustedRoot: try TrustFixtures.root("3.6.1-prod")).isVerified)
    }

    @Test func stagingSCTVerifies() async throws {
        let chain = try await Self.chain(TrustFixtures.stagingEmail, root: "staging", at: TrustFixtures.stagingTime)
        let verdict = SCTVerification.verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: try TrustFixtures.root("staging"))
        guard case .verified(let sct, let log) = verdict else {
            Issue.record("SCT did not verify: \(verdict.failure ?? "")")
            return
        }
        #expect(Encoding.base64String(sct.logID) == "KzC83GiIyeLh2CYpXnQfSDkxlgLynDPLXkNA/rKshno=")
        #expect(sct.timestamp == 1_717_699_145_718)
        #expect(log.baseURL == "https://ctfe.sigstage.dev/2022-2")
    }

    @Test(arguments: [
        "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",
        "abi3info-2024.10.3-py3-none-any.whl.provenance",
    ])
    func otherProdSCTsVerify(name: String) async throws {
        let leaf = try TrustFixtures.leaf(name)
        let chain = try await Self.chain(name, root: "prod", at: leaf.notValidBefore)
        let verdict = SCTVerification.verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: try TrustFixtures.root("prod"))
        #expect(verdict.isVerified, "\(verdict.failure ?? "")")
    }

    /// One flipped byte in the SCT signature (inside the leaf's SCT extension) fails.
    @Test func flippedSignatureByteFails() async throws {
        let chain = try await Self.chain(TrustFixtures.prodGitHub, root: "prod", at: TrustFixtures.prodTime)
        let sct = try #require(try SignedCertificateTimestamp.embedded(in: chain.leaf).first)
        var der = try TrustFixtures.leafDER(TrustFixtures.prodGitHub)
        let at = try #require(firstIndex(of: sct.signature, in: der))
        der[at + sct.signature.count - 1] ^= 0x01  // last byte of the ECDSA s integer: structure intact
        let tampered = try Certificate(derEncoded: der)
        let verdict = SCTVerification.verify(leaf: tampered, issuer: chain.issuer, trustedRoot: try TrustFixtures.root("prod"))
        #expect(verdict.failure?.contains("does not verify") == true, "\(verdict)")
    }

    @Test func tamperedTBSFails() async throws {
        // A changed byte of the certificate outside the SCT (here: in the .1.20 build trigger) breaks the SCT.
        let chain = try await Self.chain(TrustFixtures.prodGitHub, root: "prod", at: TrustFixtures.prodTime)
        var der = try TrustFixtures.leafDER(TrustFixtures.prodGitHub)
        let needle: [UInt8] = [0x0C, 0x07] + Array("release".utf8)
        let at = try #require(firstIndex(of: needle, in: der))
        der[at + 2] = UInt8(ascii: "R")
        let verdict = SCTVerification.verify(
            leaf: try Certificate(derEncoded: der), issuer: chain.issuer, trustedRoot: try TrustFixtures.root("prod"))
        #expect(verdict.failure?.contains("does not verify") == true, "\(verdict)")
    }

    @Test func wrongIssuerFails() async throws {
        let chain = try await Self.chain(TrustFixtures.prodGitHub, root: "prod", at: TrustFixtures.prodTime)
        let root = try #require(chain.certificates.last)
        let verdict = SCTVerification.verify(leaf: chain.leaf, issuer: root, trustedRoot: try TrustFixtures.root("prod"))
        #expect(verdict.failure?.contains("does not verify") == true, "\(verdict)")
    }

    @Test func rootWithoutThatCTLogFails() async throws {
        let chain = try await Self.chain(TrustFixtures.prodGitHub, root: "prod", at: TrustFixtures.prodTime)
        let prod = try TrustFixtures.root("prod")
        let noCT = TrustedRoot(
            mediaType: prod.mediaType, certificateAuthorities: prod.certificateAuthorities,
            tlogs: prod.tlogs, ctlogs: prod.ctlogs.filter { $0.baseURL != "https://ctfe.sigstore.dev/2022" },
            timestampAuthorities: prod.timestampAuthorities)
        let verdict = SCTVerification.verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: noCT)
        #expect(verdict.failure?.contains("names no CT log") == true, "\(verdict)")
        // The staging root's CT logs do not include the prod log either.
        let staging = SCTVerification.verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: try TrustFixtures.root("staging"))
        #expect(staging.failure?.contains("names no CT log") == true)
    }

    /// The CT log key's `validFor` must contain the SCT time.
    @Test func ctLogWindowMustContainSCTTime() async throws {
        let chain = try await Self.chain(TrustFixtures.prodGitHub, root: "prod", at: TrustFixtures.prodTime)
        let late = try TrustFixtures.root(
            "3.6.1-prod", replacing: "\"start\": \"2022-10-20T00:00:00.000Z\"", with: "\"start\": \"2025-10-20T00:00:00.000Z\"")
        let verdict = SCTVerification.verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: late)
        #expect(verdict.failure?.contains("not valid at the SCT time") == true, "\(verdict)")
        let ended = try TrustFixtures.root(
            "3.6.1-prod", replacing: "\"start\": \"2022-10-20T00:00:00.000Z\"",
            with: "\"start\": \"2022-10-20T00:00:00.000Z\", \"end\": \"2024-12-04T23:14:01.629Z\"")
        #expect(
            SCTVerification.verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: ended).failure
                == "CT log https://ctfe.sigstore.dev/2022 key is not valid at the SCT time 2024-12-04T23:14:01Z")
        let endsExactly = try TrustFixtures.root(
            "3.6.1-prod", replacing: "\"start\": \"2022-10-20T00:00:00.000Z\"",
            with: "\"start\": \"2022-10-20T00:00:00.000Z\", \"end\": \"2024-12-04T23:14:01.630Z\"")
        #expect(SCTVerification.verify(leaf: chain.leaf, issuer: chain.issuer, trustedRoot: endsExactly).isVerified)
    }

    @Test func certificateWithoutSCTFails() throws {
        let prod = try TrustFixtures.root("prod")
        let ca = try #require(prod.certificateAuthorities.last)
        let intermediate = try #require(ca.intermediates.first)
        let anchor = try #require(ca.trustAnchor)
        #expect(try SignedCertificateTimestamp.embedded(in: intermediate).isEmpty)
        let verdict = SCTVerification.verify(leaf: intermediate, issuer: anchor, trustedRoot: prod)
        #expect(verdict.failure?.contains("0 SCTs") == true)
    }

    @Test func malformedListsRejected() throws {
        let leaf = try TrustFixtures.leaf(TrustFixtures.prodGitHub)
        let ext = try #require(leaf.extensions.first { $0.oid == SignedCertificateTimestamp.extensionOID })
        let good = Array(try ASN1OctetString(derEncoded: ext.value).bytes)
        #expect(try SignedCertificateTimestamp.parseList(good).count == 1)
        #expect(throws: AttestationError.self) { try SignedCertificateTimestamp.parseList(Array(good.dropLast())) }
        #expect(throws: AttestationError.self) { try SignedCertificateTimestamp.parseList(good + [0]) }
        #expect(throws: AttestationError.self) { try SignedCertificateTimestamp.parseList([]) }
        var badVersion = good
        badVersion[4] = 1
        #expect(throws: AttestationError.self) { try SignedCertificateTimestamp.parseList(badVersion) }
        // Two copies of the SCT: parses, but verification requires exactly one.
        let item = Array(good.dropFirst(2))
        let n = item.count * 2
        let doubled = [UInt8(n >> 8), UInt8(n & 0xFF)] + item + item
        #expect(try SignedCertificateTimestamp.parseList(doubled).count == 2)
    }

    /// The rebuilt precertificate TBS is the TBS minus exactly the SCT extension.
    @Test func precertificateTBSDropsOnlyTheSCT() throws {
        let leaf = try TrustFixtures.leaf(TrustFixtures.prodGitHub)
        let tbs = try SCTVerification.precertificateTBS(of: leaf)
        let ext = try #require(leaf.extensions.first { $0.oid == SignedCertificateTimestamp.extensionOID })
        #expect(tbs.count < leaf.tbsCertificateBytes.count)
        #expect(firstIndex(of: Array(ext.value), in: tbs) == nil)
        let intermediate = try #require(try TrustFixtures.root("prod").certificateAuthorities.last?.intermediates.first)
        #expect(try SCTVerification.precertificateTBS(of: intermediate) == Array(intermediate.tbsCertificateBytes))
    }
}
