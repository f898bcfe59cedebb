import AttestationsTestSupport
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

@Suite struct TrustedRootTests {
    static let allRoots = [
        "prod", "staging", "3.6.1-prod", "3.6.1-staging", "bundles.trustedroot.v1.json",
        "bundles.trustedroot.v1.local_tlog_ed25519_rekor-tiles.json",
    ]

    @Test(arguments: allRoots)
    func everyRootParsesWithUsableCA(name: String) throws {
        let root = try TrustFixtures.root(name)
        #expect(!root.certificateAuthorities.isEmpty)
        #expect(!root.tlogs.isEmpty)
        for ca in root.certificateAuthorities {
            #expect(ca.trustAnchor != nil, "CA \(ca.uri ?? "?") has no anchor")
            #expect(ca.certificates.count == ca.chainDER.count)
        }
        for log in root.tlogs + root.ctlogs {
            #expect(!log.keyID.isEmpty)
            #expect(log.publicKey != nil, "\(log.baseURL) key \(log.keyDetails)")
        }
    }

    @Test func prodContents() throws {
        let root = try TrustFixtures.root("prod")
        #expect(root.mediaType == "application/vnd.dev.sigstore.trustedroot+json;version=0.1")
        #expect(root.certificateAuthorities.count == 2)
        #expect(root.certificateAuthorities[1].uri == "https://fulcio.sigstore.dev")
        #expect(root.certificateAuthorities[1].validFor.end == nil)
        #expect(root.certificateAuthorities[0].validFor.end == RFC3339.parse("2022-12-31T23:59:59.999Z"))
        #expect(root.timestampAuthorities.count == 1)
        let rekorID = try #require(Encoding.base64("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="))
        let rekor = try #require(root.tlog(keyID: rekorID))
        #expect(rekor.baseURL == "https://rekor.sigstore.dev")
        #expect(rekor.keyDetails == "PKIX_ECDSA_P256_SHA_256")
        #expect(rekor.publicKey?.fingerprint == rekorID.hex)  // Rekor v1 log id = SHA-256(SPKI)
        let ctID = try #require(Encoding.base64("3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4="))
        #expect(root.ctlog(keyID: ctID)?.baseURL == "https://ctfe.sigstore.dev/2022")
        #expect(root.tlog(keyID: ctID) == nil)
        #expect(root.ctlog(keyID: rekorID) == nil)
        #expect(root.ctlog(keyID: [UInt8](repeating: 0, count: 32)) == nil)
    }

    @Test func bundledRootsLoad() throws {
        let prod = try TrustedRoot.production
        let staging = try TrustedRoot.staging
        #expect(prod.certificateAuthorities.count == 2)
        #expect(prod.certificateAuthorities.first?.uri == "https://fulcio.sigstore.dev")
        #expect(staging.certificateAuthorities.first?.uri == "https://fulcio.sigstage.dev")
        let fixture = try TrustFixtures.root("staging")
        #expect(staging.ctlogs.count == fixture.ctlogs.count)
    }

    /// 3.6.1 lists the root first, 4.5.1 the intermediate first: the same anchor is found in both.
    @Test func chainOrderDoesNotMatter() throws {
        let old = try #require(try TrustFixtures.root("3.6.1-prod").certificateAuthorities.last)
        let new = try #require(try TrustFixtures.root("prod").certificateAuthorities.last)
        #expect(old.certificates.first?.issuer == old.certificates.first?.subject)  // root first
        #expect(new.certificates.first?.issuer != new.certificates.first?.subject)  // intermediate first
        #expect(old.trustAnchor == new.trustAnchor)
        #expect(old.intermediates == new.intermediates)
        #expect(old.intermediates.count == 1)
    }

    @Test func v02MediaTypeAccepted() throws {
        for media in [
            "application/vnd.dev.sigstore.trustedroot.v0.2+json",
            "application/vnd.dev.sigstore.trustedroot+json;version=0.2",
        ] {
            let root = try TrustFixtures.root(
                "prod", replacing: "application/vnd.dev.sigstore.trustedroot+json;version=0.1", with: media)
            #expect(root.mediaType == media)
        }
    }

    /// `trustedroot.badtype.json` carries `"mediaType": "bad-media-type"`: rejected.
    @Test func badMediaTypeRejected() throws {
        let error = #expect(throws: AttestationError.self) {
            try TrustedRoot.decode(try TrustFixtures.data("trust-bundles.trustedroot.badtype.json"))
        }
        #expect(error?.code == .malformedTrustedRoot)
        #expect(error?.message.contains("mediaType") == true)
    }

    /// `certificate_authority.json` is a lone CertificateAuthority (GitHub's TSA chain) with its root.
    @Test func loneCertificateAuthority() throws {
        let ca = try CertificateAuthority.decode(try TrustFixtures.data("trust-bundles.certificate_authority.json"))
        #expect(ca.certificates.count == 3)
        #expect(ca.trustAnchor != nil)
        #expect(ca.intermediates.count == 2)
        #expect(ca.commonName == "Internal Services Root")
    }

    /// `missingroot` lists leaf and intermediate only: it parses but has no trust anchor (unusable).
    @Test func missingRootHasNoAnchor() throws {
        let ca = try CertificateAuthority.decode(
            try TrustFixtures.data("trust-bundles.certificate_authority.missingroot.json"))
        #expect(ca.certificates.count == 2)
        #expect(ca.trustAnchor == nil)
        #expect(ca.trustAnchors.isEmpty)
    }

    /// `empty` has `certificates: []`: rejected.
    @Test func emptyChainRejected() throws {
        let error = #expect(throws: AttestationError.self) {
            try CertificateAuthority.decode(try TrustFixtures.data("trust-bundles.certificate_authority.empty.json"))
        }
        #expect(error?.code == .malformedTrustedRoot)
    }

    @Test(
        arguments: [
            ("\"rawBytes\": \"MIIB+DCC", "\"rawBytes\": \"!!!!DCC"),  // bad base64
            ("\"rawBytes\": \"MIIB+DCC", "\"rawBytes\": \"MIIA+DCC"),  // valid base64, DER length wrong: not a certificate
            ("\"start\": \"2022-04-13T20:06:15.000Z\"", "\"start\": \"13/04/2022\""),  // bad timestamp
            ("\"start\": \"2022-04-13T20:06:15.000Z\"", "\"start\": \"2032-04-13T20:06:15.000Z\""),  // fine: start after end? no end
            ("\"keyId\": \"wNI9", "\"keyid\": \"wNI9"),  // missing logId.keyId
            ("\"mediaType\"", "\"mediatype\""),  // missing mediaType
        ] as [(String, String)])
    func malformedRootsRejected(old: String, new: String) throws {
        let text = try TrustFixtures.text("trust-3.6.1-prod.trusted_root.json")
        #expect(text.contains(old))
        let edited = Data(text.replacingOccurrences(of: old, with: new).utf8)
        if new.contains("2032") {
            // Only a start moved: still valid, the CA just starts later.
            #expect(throws: Never.self) { try TrustedRoot.decode(edited) }
        } else {
            #expect(throws: AttestationError.self) { try TrustedRoot.decode(edited) }
        }
    }

    @Test func endBeforeStartRejected() throws {
        #expect(throws: AttestationError.self) {
            try TrustFixtures.root(
                "3.6.1-prod", replacing: "\"end\": \"2022-12-31T23:59:59.999Z\"",
                with: "\"end\": \"2020-12-31T23:59:59.999Z\"")
        }
    }

    @Test func notJSONRejected() {
        #expect(throws: AttestationError.self) { try TrustedRoot.decode(Data("{".utf8)) }
        #expect(throws: AttestationError.self) { try TrustedRoot.decode(Data("[]".utf8)) }
        #expect(throws: AttestationError.self) { try TrustedRoot.decode(Data(count: TrustedRoot.maxBytes + 1)) }
    }

    @Test func validityWindowBoundsAreInclusive() throws {
        let start = try #require(RFC3339.parse("2022-04-13T20:06:15Z"))
        let end = try #require(RFC3339.parse("2022-12-31T23:59:59.999Z"))
        let window = ValidityWindow(start: start, end: end)
        #expect(window.contains(start))
        #expect(window.contains(end))
        #expect(!window.contains(start.addingTimeInterval(-0.001)))
        #expect(!window.contains(end.addingTimeInterval(0.001)))
        let open = ValidityWindow(start: start, end: nil)
        #expect(open.contains(Date(timeIntervalSince1970: 4_000_000_000)))
        #expect(!open.contains(start.addingTimeInterval(-1)))
    }

    @Test func rfc3339Forms() throws {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(RFC3339.parse("2024-12-04T23:14:01Z") == Date(timeIntervalSince1970: 1_733_354_041))
        #expect(RFC3339.parse("2024-12-04T23:14:01.000Z") == Date(timeIntervalSince1970: 1_733_354_041))
        let frac = try #require(RFC3339.parse("2024-12-04T23:14:01.630Z"))
        #expect(abs(frac.timeIntervalSince1970 - 1_733_354_041.63) < 1e-6)
        #expect(RFC3339.parse("2024-12-04T23:14:01.630000000Z") != nil)
        #expect(RFC3339.parse("2024-12-05T01:14:01+02:00") == Date(timeIntervalSince1970: 1_733_354_041))
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
        for bad in [
            "2024-12-04 23:14:01Z", "2024-12-04T23:14:01", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
            "2024-12-04T23:14:01.Z", "2024-12-04T23:14:01.1234567890Z", "2024-12-04T24:00:00Z",
            "2024-12-04T23:14:01Zjunk", "",
        ] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }
}
