import Testing

@testable import PythonPackaging

@Suite struct PythonVersionTests {
    @Test(arguments: [
        ("1.0", "1.0"),
        ("1.0RC1", "1.0rc1"),
        ("v1.0", "1.0"),
        ("V1.0", "1.0"),
        ("1.0alpha1", "1.0a1"),
        ("1.0-alpha.1", "1.0a1"),
        ("1.0beta2", "1.0b2"),
        ("1.0c1", "1.0rc1"),
        ("1.0pre1", "1.0rc1"),
        ("1.0preview1", "1.0rc1"),
        ("1.0a", "1.0a0"),
        ("1.0-1", "1.0.post1"),
        ("1.0.post", "1.0.post0"),
        ("1.0-r4", "1.0.post4"),
        ("1.0rev4", "1.0.post4"),
        ("1.0_post_2", "1.0.post2"),
        ("1.0.dev", "1.0.dev0"),
        ("1.0-dev-3", "1.0.dev3"),
        ("1.0a1.post2.dev3", "1.0a1.post2.dev3"),
        ("1!2.0", "1!2.0"),
        ("0!2.0", "2.0"),
        ("01.002", "1.2"),
        ("1.0+Ubuntu-1", "1.0+ubuntu.1"),
        ("1.0+01", "1.0+1"),
        ("  1.0.0\n", "1.0.0"),
    ])
    func normalizesValidVersions(raw: String, normal: String) {
        let v = PythonVersion(raw)
        #expect(v.isValid, "\(raw)")
        #expect(v.normalized == normal)
        #expect(v.string == raw)
    }

    @Test(arguments: [
        ("1.0", "1.0.0"), ("1.0RC1", "1.0rc1"), ("v1.0", "1.0"), ("1.0-1", "1.0.post1"),
        ("1.0.post", "1.0.post0"), ("1", "1.0.0.0"), ("0!1.0", "1.0"), ("1.0+01", "1.0+1"),
        ("1.0c1", "1.0rc1"), ("1.0+A.b", "1.0+a-b"),
    ])
    func equalVersions(a: String, b: String) {
        #expect(PythonVersion(a) == PythonVersion(b))
        #expect(PythonVersion(a).hashValue == PythonVersion(b).hashValue)
        #expect(Set([PythonVersion(a), PythonVersion(b)]).count == 1)
    }

    @Test(arguments: [
        ("1.0", "1.0.1"), ("1.0", "1.0.post0"), ("1.0", "1.0a0"), ("1.0", "1.0+0"),
        ("1!1.0", "1.0"), ("1.0rc1", "1.0c2"), ("1.0.dev0", "1.0"),
    ])
    func differentVersions(a: String, b: String) {
        #expect(PythonVersion(a) != PythonVersion(b))
    }

    /// The ordering example from PEP 440.
    @Test func ordersAsPEP440() {
        let ordered = [
            "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
            "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7",
            "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1", "2!0.1",
        ].map(PythonVersion.init)
        for (i, a) in ordered.enumerated() {
            for b in ordered[(i + 1)...] {
                #expect(a < b, "\(a) < \(b)")
                #expect(!(b < a), "\(b) !< \(a)")
            }
        }
        #expect(ordered.shuffled().sorted() == ordered)
    }

    @Test func hugeNumbersCompareWithoutOverflow() {
        let small = PythonVersion("1.99999999999999999999999999999")
        let large = PythonVersion("1.100000000000000000000000000000")
        #expect(small.isValid && large.isValid)
        #expect(small < large)
        #expect(PythonVersion("1.00000000000000000000000000001") == PythonVersion("1.1"))
    }

    @Test(arguments: [
        "", "not-a-version", "1.0.", "1..0", "1.0+", "1.0+a..b", "1.0 beta", "1.0-", "a1.0",
        "1.0+ü", "1.0.post1.post2", "1!", "!1.0", "1.0\u{0}",
    ])
    func invalidVersionsStillConstruct(raw: String) {
        let v = PythonVersion(raw)
        #expect(!v.isValid)
        #expect(v.normalized == raw.trimmedOfASCIIWhitespace().lowercased())
        #expect(!v.isPrerelease)
    }

    @Test func invalidVersionsCompareByLowercasedString() {
        #expect(PythonVersion("Weird-Version") == PythonVersion("weird-version"))
        #expect(PythonVersion("weird-a") != PythonVersion("weird-b"))
        #expect(PythonVersion("weird") != PythonVersion("1.0"))
        #expect(PythonVersion("zzz") < PythonVersion("0.0.1"))
        #expect(!(PythonVersion("0.0.1") < PythonVersion("zzz")))
    }

    @Test func overlongInputIsInvalidNotSlow() {
        let long = String(repeating: "1.", count: 5000) + "1"
        #expect(!PythonVersion(long).isValid)
        #expect(PythonVersion(long) == PythonVersion(long))
    }

    @Test func prereleaseFlags() {
        #expect(PythonVersion("1.0rc1").isPrerelease)
        #expect(PythonVersion("1.0.dev1").isPrerelease)
        #expect(!PythonVersion("1.0.post1").isPrerelease)
        #expect(PythonVersion("1.0+x").hasLocalLabel)
        #expect(!PythonVersion("1.0").hasLocalLabel)
    }
}
