import Foundation
import Testing
@_spi(FixedExpiryValidationTime) import X509

@testable import Attestations
@testable import Sigstore

@Suite struct FulcioChainTests {
    @Test func prodLeafChainsAtIntegratedTime() async throws {
        let verdict = await FulcioChain.verify(
            leafDER: try TrustFixtures.leafDER(TrustFixtures.prodGitHub), trustedRoot: try TrustFixtures.root("prod"),
            at: TrustFixtures.prodTime)
        let chain = try #require(verdict.chain, "\(verdict.failure ?? "")")
        #expect(chain.certificates.count == 3)
        #expect(chain.issuer.subject.description.contains("sigstore-intermediate"))
        let root = try #require(chain.certificates.last)
        #expect(root.subject == root.issuer)
        #expect(chain.authority.validFor.end == nil)  // the 2022 CA, not the retired 2021 one
    }

    /// The 3.6.1 layout lists the root first: the path is still found (by issuer + signature).
    @Test func rootFirstLayoutChains() async throws {
        let verdict = await FulcioChain.verify(
            leafDER: try TrustFixtures.leafDER(TrustFixtures.prodGitHub),
            trustedRoot: try TrustFixtures.root("3.6.1-prod"), at: TrustFixtures.prodTime)
        #expect(verdict.chain?.certificates.count == 3, "\(verdict.failure ?? "")")
    }

    @Test func stagingLeafChainsOnStagingOnly() async throws {
        let der = try TrustFixtures.leafDER(TrustFixtures.stagingEmail)
        let ok = await FulcioChain.verify(leafDER: der, trustedRoot: try TrustFixtures.root("staging"), at: TrustFixtures.stagingTime)
        #expect(ok.chain != nil, "\(ok.failure ?? "")")
        let old = await FulcioChain.verify(
            leafDER: der, trustedRoot: try TrustFixtures.root("3.6.1-staging"), at: TrustFixtures.stagingTime)
        #expect(old.chain != nil, "\(old.failure ?? "")")
        let wrong = await FulcioChain.verify(leafDER: der, trustedRoot: try TrustFixtures.root("prod"), at: TrustFixtures.stagingTime)
        #expect(wrong.failure?.contains("does not chain") == true, "\(wrong)")
    }

    @Test(arguments: [
        "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",
        "pypi_attestations-0.0.19.tar.gz.slsa.attestation",
        "abi3info-2024.10.3-py3-none-any.whl.provenance",
    ])
    func otherProdLeavesChainAtTheirNotBefore(name: String) async throws {
        let leaf = try TrustFixtures.leaf(name)
        let verdict = await FulcioChain.verify(leaf: leaf, trustedRoot: try TrustFixtures.root("prod"), at: leaf.notValidBefore)
        #expect(verdict.chain != nil, "\(verdict.failure ?? "")")
    }

    /// The leaf is a 10-minute certificate from 2024: verifying it "now" must fail.
    @Test func expiredLeafFailsNow() async throws {
        let verdict = await FulcioChain.verify(
            leafDER: try TrustFixtures.leafDER(TrustFixtures.prodGitHub), trustedRoot: try TrustFixtures.root("prod"),
            at: Date())
        #expect(verdict.failure?.contains("not valid at") == true, "\(verdict)")
    }

    @Test func leafBoundsAreInclusive() async throws {
        let leaf = try TrustFixtures.leaf(TrustFixtures.prodGitHub)
        let root = try TrustFixtures.root("prod")
        #expect(await FulcioChain.verify(leaf: leaf, trustedRoot: root, at: leaf.notValidBefore).chain != nil)
        #expect(await FulcioChain.verify(leaf: leaf, trustedRoot: root, at: leaf.notValidAfter).chain != nil)
        #expect(await FulcioChain.verify(leaf: leaf, trustedRoot: root, at: leaf.notValidBefore - 1).chain == nil)
        #expect(await FulcioChain.verify(leaf: leaf, trustedRoot: root, at: leaf.notValidAfter + 1).chain == nil)
    }

    /// The CA's `validFor` must contain the time, even when every certificate is valid.
    @Test func caWindowMustContainTime() async throws {
        let root = try TrustFixtures.root(
            "3.6.1-prod", replacing: "\"start\": \"2022-04-13T20:06:15.000Z\"", with: "\"start\": \"2025-01-01T00:00:00.000Z\"")
        let verdict = await FulcioChain.verify(
            leafDER: try TrustFixtures.leafDER(TrustFixtures.prodGitHub), trustedRoot: root, at: TrustFixtures.prodTime)
        #expect(verdict.failure?.contains("no Fulcio CA") == true, "\(verdict)")
    }

    /// A CA that lists only the intermediate (no self-signed anchor) is unusable.
    @Test func caWithoutAnchorFails() async throws {
        let prod = try TrustFixtures.root("prod")
        let ca = try #require(prod.certificateAuthorities.last)
        let intermediateOnly = try CertificateAuthority(
            uri: ca.uri,
            chainDER: ca.chainDER.filter { der in
                guard let cert = try? Certificate(derEncoded: der) else { return false }
                return cert.subject != cert.issuer
            }, validFor: ca.validFor)
        #expect(intermediateOnly.certificates.count == 1)
        let root = TrustedRoot(
            mediaType: prod.mediaType, certificateAuthorities: [intermediateOnly], tlogs: prod.tlogs,
            ctlogs: prod.ctlogs, timestampAuthorities: [])
        let verdict = await FulcioChain.verify(
            leafDER: try TrustFixtures.leafDER(TrustFixtures.prodGitHub), trustedRoot: root, at: TrustFixtures.prodTime)
        #expect(verdict.failure?.contains("no self-signed trust anchor") == true, "\(verdict)")
    }

    /// A CA whose anchor is a different root (the staging one) does not verify the prod leaf.
    @Test func foreignAnchorFails() async throws {
        let prod = try TrustFixtures.root("prod")
        let staging = try TrustFixtures.root("staging")
        let mixed = TrustedRoot(
            mediaType: prod.mediaType, certificateAuthorities: staging.certificateAuthorities,
            tlogs: prod.tlogs, ctlogs: prod.ctlogs, timestampAuthorities: [])
        let verdict = await FulcioChain.verify(
            leafDER: try TrustFixtures.leafDER(TrustFixtures.prodGitHub), trustedRoot: mixed, at: TrustFixtures.prodTime)
        #expect(verdict.chain == nil)
    }

    /// A CA certificate presented as the signing certificate fails the leaf profile.
    @Test func caCertificateAsLeafFails() async throws {
        let prod = try TrustFixtures.root("prod")
        let intermediate = try #require(prod.certificateAuthorities.last?.intermediates.first)
        let verdict = await FulcioChain.verify(leaf: intermediate, trustedRoot: prod, at: TrustFixtures.prodTime)
        #expect(verdict.failure?.contains("CA certificate") == true, "\(verdict)")
    }

    @Test func garbageAndTamperedLeafFail() async throws {
        let prod = try TrustFixtures.root("prod")
        let garbage = await FulcioChain.verify(leafDER: [0x30, 0x03, 0x02, 0x01, 0x01], trustedRoot: prod, at: TrustFixtures.prodTime)
        #expect(garbage.failure?.contains("not a DER") == true)
        // Flip the last byte of the leaf's signature: the issuer's signature no longer verifies.
        var der = try TrustFixtures.leafDER(TrustFixtures.prodGitHub)
        der[der.count - 1] ^= 0x01
        let leaf = try Certificate(derEncoded: der)
        let verdict = await FulcioChain.verify(leaf: leaf, trustedRoot: prod, at: TrustFixtures.prodTime)
        #expect(verdict.failure?.contains("does not chain") == true, "\(verdict)")
        // Change one byte of the signed TBS (the .1.20 build trigger): the signature no longer covers it.
        var tbsTampered = try TrustFixtures.leafDER(TrustFixtures.prodGitHub)
        let at = try #require(firstIndex(of: [0x0C, 0x07] + Array("release".utf8), in: tbsTampered))
        tbsTampered[at + 2] = UInt8(ascii: "R")
        let tampered = await FulcioChain.verify(leafDER: tbsTampered, trustedRoot: prod, at: TrustFixtures.prodTime)
        #expect(tampered.failure?.contains("does not chain") == true, "\(tampered)")
    }

    @Test func profilePolicyNamesMissingUsages() throws {
        #expect(FulcioLeafProfilePolicy.problem(with: try TrustFixtures.leaf(TrustFixtures.prodGitHub)) == nil)
        let root = try #require(try TrustFixtures.root("prod").certificateAuthorities.last?.trustAnchor)
        #expect(FulcioLeafProfilePolicy.problem(with: root) == "is a CA certificate")
    }
}

/// Why `FulcioLeafProfilePolicy` declares SAN as handled: swift-certificates refuses any leaf with
/// a critical extension no policy claims, and a Fulcio leaf's SAN is critical (empty subject).
@Suite struct FulcioCriticalExtensionTests {
    @Test func rfc5280AloneRejectsTheCriticalSAN() async throws {
        let prod = try TrustFixtures.root("prod")
        let ca = try #require(prod.certificateAuthorities.last)
        let leaf = try TrustFixtures.leaf(TrustFixtures.prodGitHub)
        let san = try #require(leaf.extensions.first { $0.oid == .X509ExtensionID.subjectAlternativeName })
        #expect(san.critical)
        var plain = Verifier(rootCertificates: CertificateStore(ca.trustAnchors)) {
            RFC5280Policy(fixedExpiryValidationTime: TrustFixtures.prodTime)
        }
        let result = await plain.validate(leaf: leaf, intermediates: CertificateStore(ca.intermediates))
        guard case .couldNotValidate = result else {
            Issue.record("expected the critical SAN to be refused without a policy that handles it")
            return
        }
    }
}
