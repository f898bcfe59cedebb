import Crypto
import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// RFC 3161 timestamps from the private TSA (`PrivateTSA`) on keyless PEP 740 attestations: the
/// edges the one real timestamped vector cannot show, each on an attestation that verifies but
/// for the one knob turned.
@Suite("private Sigstore: RFC 3161 timestamps from a private TSA")
struct PrivateSigstoreTSATests {
    typealias Scenario = PrivateSigstore.Scenario
    typealias Window = PrivateSigstore.Window
    typealias Spec = PrivateSigstore.TimestampSpec

    static let signingTime = Scenario().integratedTime

    static func scenario(_ timestamps: [Spec], _ change: (inout Scenario) -> Void = { _ in }) -> Scenario {
        var scenario = Scenario()
        scenario.timestamps = timestamps
        change(&scenario)
        return scenario
    }

    static func verdict(_ scenario: Scenario) async throws -> SignatureVerdict {
        try await PrivateSigstore().issue(scenario).verify(PrivateSigstore.gitHubPublisher())
    }

    static func failure(_ scenario: Scenario) async throws -> String {
        PrivateSigstoreTests.reason(try await verdict(scenario))
    }

    // MARK: Tokens that verify

    @Test func oneTokenVerifiesAndItsTimeIsCounted() async throws {
        let verdict = try await Self.verdict(Self.scenario([Spec()]))
        guard case .verified(let line, _) = verdict else {
            Issue.record("not verified: \(verdict)")
            return
        }
        #expect(line.contains("Rekor integratedTime"), "\(line)")
        #expect(line.contains("RFC 3161 timestamp"), "\(line)")
        #expect(line.contains("(TSA private-tsa)"), "\(line)")
    }

    /// The builder's token, read back by the module's parser: the fields it wrote.
    @Test func theTokenParsesToWhatWasIssued() throws {
        let sigstore = try PrivateSigstore()
        let signature = Array("a signature".utf8)
        let genTime = Self.signingTime.addingTimeInterval(30)
        let token = try RFC3161Timestamp(derEncoded: try sigstore.tsa.token(over: signature, genTime: genTime))
        #expect(token.genTime == genTime)
        #expect(token.imprint == Array(SHA256.hash(data: signature)))
        #expect(token.imprintAlgorithm == TimestampVerification.sha256OID)
        #expect(token.contentTypeAttribute == RFC3161Timestamp.tstInfoOID)
        #expect(token.messageDigestAttribute == Array(SHA256.hash(data: token.tstInfoDER)))
        let leaf = try #require(sigstore.tsa.leaves[.good])
        #expect(token.certificates == [leaf])
        #expect(token.signingCertificateHash?.hash == Array(SHA256.hash(data: try PrivateSigstore.der(leaf))))
        #expect(token.nonce != nil)
    }

    /// A TimeStampResp (status granted), a token without ESSCertIDv2, and one without the
    /// embedded certificate (the trusted root lists the TSA leaf) all verify.
    @Test(arguments: ["response", "noESSCertIDv2", "notEmbedded"])
    func tokenFormsVerify(form: String) async throws {
        var options = PrivateTSA.TokenOptions()
        switch form {
        case "response": options.asResponse = true
        case "noESSCertIDv2": options.essCertIDv2 = false
        default: options.embedCertificate = false
        }
        let verdict = try await Self.verdict(Self.scenario([Spec(options: options)]))
        #expect(verdict.isVerified, "\(form): \(verdict)")
    }

    @Test func twoValidTokensVerifyAndBothTimesAreCounted() async throws {
        let verdict = try await Self.verdict(
            Self.scenario([
                Spec(genTime: Self.signingTime.addingTimeInterval(10)),
                Spec(genTime: Self.signingTime.addingTimeInterval(100), options: .init(asResponse: true)),
            ]))
        guard case .verified(let line, _) = verdict else {
            Issue.record("not verified: \(verdict)")
            return
        }
        #expect(line.components(separatedBy: "RFC 3161 timestamp").count == 3, "\(line)")
    }

    /// Two identical tokens are refused, and one bad token beside a good one fails the signature.
    @Test func aDuplicateOrOneBadTokenAmongGoodOnesFails() async throws {
        let sigstore = try PrivateSigstore()
        let issued = try sigstore.issue(Self.scenario([Spec()]))
        var attestation = try issued.attestation()
        let token = try #require(attestation.verificationMaterial?.timestamps.first)
        attestation.verificationMaterial?.timestamps = [token, token]
        let duplicate = await SigstoreVerifier(trustedRoot: try issued.trustedRoot())
            .verifySignature(of: attestation, publisher: PrivateSigstore.gitHubPublisher())
        #expect(PrivateSigstoreTests.reason(duplicate).contains("duplicate RFC 3161 timestamp"), "\(duplicate)")
        let reason = try await Self.failure(Self.scenario([Spec(), Spec(authority: .foreign)]))
        #expect(reason.contains("timestamp 1:"), "\(reason)")
    }

    // MARK: Tokens that fail

    @Test func genTimeAfterTheTSAWindowFails() async throws {
        let reason = try await Self.failure(
            Self.scenario([Spec()]) {
                $0.tsaWindow = Window(start: PrivateSigstore.epoch, end: Self.signingTime)
            })
        #expect(reason.contains("no timestamp authority of the trusted root is valid at genTime"), "\(reason)")
    }

    @Test func genTimeBeforeTheTSAWindowFails() async throws {
        let reason = try await Self.failure(
            Self.scenario([Spec()]) {
                $0.tsaWindow = Window(start: Self.signingTime.addingTimeInterval(60), end: nil)
            })
        #expect(reason.contains("no timestamp authority of the trusted root is valid at genTime"), "\(reason)")
    }

    @Test(arguments: [PrivateTSA.Leaf.noEKU, .nonCriticalEKU, .codeSigningEKU])
    func aTSALeafWithoutACriticalTimeStampingEKUFails(leaf: PrivateTSA.Leaf) async throws {
        let reason = try await Self.failure(Self.scenario([Spec(options: .init(leaf: leaf))]))
        #expect(reason.contains("no valid chain at"), "\(leaf): \(reason)")
        #expect(reason.contains("TSA leaf profile"), "\(leaf): \(reason)")
    }

    @Test func aTokenOverAnotherSignatureFails() async throws {
        let reason = try await Self.failure(Self.scenario([Spec(overOtherBytes: Array("another signature".utf8))]))
        #expect(reason.contains("stamps another signature"), "\(reason)")
    }

    /// The leaf is valid at the SET time (integratedTime − 20 s … +10 min) but not an hour later,
    /// when the TSA stamped it: it must be valid at EVERY verified time.
    @Test func aLeafExpiredAtTheTSATimeButValidAtTheSETTimeFails() async throws {
        let reason = try await Self.failure(Self.scenario([Spec(genTime: Self.signingTime.addingTimeInterval(3600))]))
        #expect(reason.contains("RFC 3161 timestamp"), "\(reason)")
        #expect(!reason.contains("verified:"), "\(reason)")
        // The same token time inside the leaf's lifetime verifies.
        #expect(try await Self.verdict(Self.scenario([Spec(genTime: Self.signingTime.addingTimeInterval(500))])).isVerified)
    }

    /// A TSA with the trusted TSA's names but other keys: its token chains to no anchor.
    @Test func aTokenFromATSATheRootDoesNotListFails() async throws {
        let reason = try await Self.failure(Self.scenario([Spec(authority: .foreign)]))
        #expect(reason.contains("does not verify with a TSA of the trusted root"), "\(reason)")
        #expect(reason.contains("no valid chain"), "\(reason)")
    }

    /// The embedded leaf is the foreign TSA's while the root's listed leaf is not: a token
    /// whose ESSCertIDv2 binds another certificate than the embedded one fails.
    @Test func aTokenWithoutEmbeddedCertificateFromAForeignTSAFails() async throws {
        let reason = try await Self.failure(Self.scenario([Spec(authority: .foreign, options: .init(embedCertificate: false))]))
        #expect(reason.contains("no certificate matches the SignerInfo"), "\(reason)")
    }

    /// PEP 740 requires the SET of a Rekor v1 entry: a timestamp does not stand in for it.
    @Test func aPEP740RekorV1EntryWithoutItsSETFailsEvenWithATimestamp() async throws {
        let reason = try await Self.failure(Self.scenario([Spec()]) { $0.omitSET = true })
        #expect(reason.contains("signedEntryTimestamp"), "\(reason)")
    }

    /// Without any TSA listed, a token fails even though the SET alone would verify.
    @Test func aTokenWithNoTSAInTheRootFails() async throws {
        let issued = try PrivateSigstore().issue(Self.scenario([Spec()]))
        var document = try #require(try JSONSerialization.jsonObject(with: issued.trustedRootJSON) as? [String: Any])
        document["timestampAuthorities"] = [] as [Any]
        let root = try TrustedRoot.decode(try JSONSerialization.data(withJSONObject: document))
        let verdict = await SigstoreVerifier(trustedRoot: root).verifySignature(
            of: try issued.attestation(), publisher: PrivateSigstore.gitHubPublisher())
        #expect(PrivateSigstoreTests.reason(verdict).contains("no timestamp authority"), "\(verdict)")
    }
}
