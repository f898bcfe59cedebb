import Foundation
import Testing
import X509

@testable import Attestations
@testable import Sigstore

/// Expected values from vectors/CERT-CLAIMS.md.
@Suite struct FulcioIdentityTests {
    @Test func gitHubProdClaims() throws {
        for name in [TrustFixtures.prodGitHub, "pypi_attestations-0.0.19.tar.gz.slsa.attestation"] {
            let id = try FulcioIdentity(certificateDER: try TrustFixtures.leafDER(name))
            let workflow = "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"
            let sha = "08802efe1f8e5fec4ad842d6b8ce97656092ee72"
            #expect(id.subjectAlternativeName == .uri(workflow))
            #expect(id.issuerV1 == "https://token.actions.githubusercontent.com")
            #expect(id.issuer == "https://token.actions.githubusercontent.com")
            #expect(id.effectiveIssuer == "https://token.actions.githubusercontent.com")
            #expect(id.buildSignerURI == workflow)
            #expect(id.buildSignerDigest == sha)
            #expect(id.runnerEnvironment == "github-hosted")
            #expect(id.sourceRepositoryURI == "https://github.com/trailofbits/pypi-attestations")
            #expect(id.sourceRepositoryDigest == sha)
            #expect(id.sourceRepositoryRef == "refs/tags/v0.0.19")
            #expect(id.sourceRepositoryIdentifier == "772247423")
            #expect(id.sourceRepositoryOwnerURI == "https://github.com/trailofbits")
            #expect(id.sourceRepositoryOwnerIdentifier == "2314423")
            #expect(id.buildConfigURI == workflow)
            #expect(id.buildConfigDigest == sha)
            #expect(id.buildTrigger == "release")
            #expect(id.runInvocationURI == "https://github.com/trailofbits/pypi-attestations/actions/runs/12169989787/attempts/1")
            #expect(id.sourceRepositoryVisibility == "public")
        }
    }

    @Test func gitLabClaims() throws {
        let id = try FulcioIdentity(certificateDER: try TrustFixtures.leafDER("gitlab_oidc_project-0.0.3.tar.gz.publish.attestation"))
        let config = "https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main"
        #expect(id.subjectAlternativeName == .uri(config))
        #expect(id.issuerV1 == "https://gitlab.com")
        #expect(id.issuer == "https://gitlab.com")
        #expect(id.buildSignerURI == config)
        #expect(id.buildSignerDigest == "72f7c63b75eb55ea80864962f0e645c93414da34")
        #expect(id.runnerEnvironment == "gitlab-hosted")
        #expect(id.sourceRepositoryURI == "https://gitlab.com/facutuesca/gitlab-oidc-project")
        #expect(id.sourceRepositoryDigest == "72f7c63b75eb55ea80864962f0e645c93414da34")
        #expect(id.sourceRepositoryRef == "refs/heads/main")
        #expect(id.sourceRepositoryIdentifier == "55235664")
        #expect(id.sourceRepositoryOwnerURI == "https://gitlab.com/facutuesca")
        #expect(id.sourceRepositoryOwnerIdentifier == "12885801")
        #expect(id.buildConfigURI == config)
        #expect(id.buildConfigDigest == "72f7c63b75eb55ea80864962f0e645c93414da34")
        #expect(id.buildTrigger == "push")
        #expect(id.runInvocationURI == "https://gitlab.com/facutuesca/gitlab-oidc-project/-/jobs/8415754949")
        #expect(id.sourceRepositoryVisibility == "private")
    }

    @Test func conformanceBeaconClaims() throws {
        let id = try FulcioIdentity(certificateDER: try TrustFixtures.leafDER("shelf-reader-0.1.tar.gz.publish.attestation"))
        #expect(id.sourceRepositoryURI == "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon")
        #expect(id.buildTrigger == "workflow_dispatch")
        #expect(id.sourceRepositoryIdentifier == "632596897")
        #expect(id.sourceRepositoryOwnerIdentifier == "131804563")
        #expect(
            id.runInvocationURI
                == "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/actions/runs/19943030199/attempts/1")
    }

    @Test func abi3infoClaims() throws {
        let id = try FulcioIdentity(certificateDER: try TrustFixtures.leafDER("abi3info-2024.10.3-py3-none-any.whl.provenance"))
        #expect(
            id.subjectAlternativeName?.value == "https://github.com/woodruffw/abi3info/.github/workflows/release.yml@refs/tags/v2024.10.03")
        #expect(id.sourceRepositoryRef == "refs/tags/v2024.10.03")
        #expect(id.sourceRepositoryOwnerIdentifier == "3059210")
    }

    @Test(arguments: [
        "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
        "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation",
    ])
    func emailIdentityHasOnlyIssuer(name: String) throws {
        let id = try FulcioIdentity(certificateDER: try TrustFixtures.leafDER(name))
        #expect(id.subjectAlternativeName == .email("william@yossarian.net"))
        #expect(id.issuerV1 == "https://github.com/login/oauth")
        #expect(id.issuer == "https://github.com/login/oauth")
        #expect(id.sourceRepositoryURI == nil)
        #expect(id.buildConfigURI == nil)
        #expect(id.buildTrigger == nil)
    }

    @Test func googleServiceAccountPEM() throws {
        let id = try FulcioIdentity(certificate: try TrustFixtures.pem("200170367.pem"))
        #expect(id.subjectAlternativeName == .email("919436158236-compute@developer.gserviceaccount.com"))
        #expect(id.issuerV1 == "https://accounts.google.com")
        #expect(id.issuer == "https://accounts.google.com")
    }

    @Test func certificateWithoutRefExtension() throws {
        let id = try FulcioIdentity(certificate: try TrustFixtures.pem("no-source-repository-ref-extension.pem"))
        #expect(id.sourceRepositoryRef == nil)
        #expect(id.sourceRepositoryDigest != nil)
        #expect(id.subjectAlternativeName != nil)
    }

    @Test func garbageIsMalformedCertificate() {
        let error = #expect(throws: AttestationError.self) { try FulcioIdentity(certificateDER: [0x30, 0x00]) }
        #expect(error?.code == .malformedCertificate)
    }

    /// A `.1.8`+ extension that is not a DER UTF8String is an error, not silently skipped.
    @Test func nonUTF8StringExtensionRejected() throws {
        var der = try TrustFixtures.leafDER(TrustFixtures.prodGitHub)
        // .1.12 value: OCTET STRING { UTF8String(0x0C) len 0x30 "https://github.com/trailofbits/pypi-attestations" }
        let needle: [UInt8] = [0x0C, 0x30] + Array("https://github.com/trailofbits/pypi-attestations".utf8)
        let index = try #require(firstIndex(of: needle, in: der))
        der[index] = 0x04  // retag as OCTET STRING
        let cert = try Certificate(derEncoded: der)  // parses: the outer structure is intact
        let error = #expect(throws: AttestationError.self) { try FulcioIdentity(certificate: cert) }
        #expect(error?.message.contains("1.3.6.1.4.1.57264.1.12") == true, "\(String(describing: error))")
    }
}

func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
        return start
    }
    return nil
}
