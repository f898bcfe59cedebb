import Testing

@testable import Attestations

@Suite struct TrustedKeyTests {
    @Test func bundledRedHatRelease3() throws {
        let key = TrustedKey.redHatRelease3
        #expect(key.name == "Red Hat release key 3")
        #expect(key.key.keyID == "E60D446E63405576")
        #expect(key.key.kind == .rsa(bits: 4096))
        #expect(key.allowedRSAPaddings == [.pkcs1v15, .pss])
        #expect(key.key == (try PublicKey(pem: Fixtures.text("redhat-release3.pub"))))
    }
}
