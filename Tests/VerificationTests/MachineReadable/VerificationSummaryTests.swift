import Attestations
import Foundation
import PythonPackaging
import Testing
import Verification

/// `verify --vsa FILE --vsa-key PEM` and `verify-vsa`: summaries made by real runs (real venv,
/// real pip, our index on 127.0.0.1, the real binary, keys generated here), checked and refused
/// in the named check.
@Suite("SLSA verification summaries")
struct VerificationSummaryTests {
    static let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"
    static let clitool = "clitool-2.0-py3-none-any.whl"
    static let datatool = "datatool-0.3-py3-none-any.whl"

    /// `verify-vsa … --format json`, decoded.
    static func check(
        _ scenario: Scenario, _ file: String, key: String, subject: String? = nil
    ) async throws -> (
        VSAVerification, ProcessResult
    ) {
        let result = try await TestProcess.run(
            TestProcess.wheeltrust, ["verify-vsa", file, "--key", key, "--format", "json"] + (subject.map { ["--subject", $0] } ?? []))
        let outcome = try JSONDecoder().decode(VSAVerification.self, from: result.stdoutBytes)
        return (outcome, result)
    }

    static func status(_ outcome: VSAVerification, _ name: VSACheckName) -> CheckStatus? {
        outcome.checks.first { $0.name == name }?.status
    }

    static func detail(_ outcome: VSAVerification, _ name: VSACheckName) -> String {
        outcome.checks.first { $0.name == name }?.detail ?? ""
    }

    /// The envelope's JSON with `change` applied to its decoded payload or first signature.
    static func altered(_ data: Data, payload: Bool, _ change: (inout [UInt8]) -> Void) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        if payload {
            let text = try #require(object["payload"] as? String)
            var bytes = [UInt8](try #require(Data(base64Encoded: text)))
            change(&bytes)
            object["payload"] = Data(bytes).base64EncodedString()
        } else {
            var signatures = try #require(object["signatures"] as? [[String: Any]])
            let text = try #require(signatures[0]["sig"] as? String)
            var bytes = [UInt8](try #require(Data(base64Encoded: text)))
            change(&bytes)
            signatures[0]["sig"] = Data(bytes).base64EncodedString()
            object["signatures"] = signatures
        }
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test("a summary from a real run verifies; one changed byte, another key or a wheel not in it is refused in the named check")
    func passedSummary() async throws {
        try await Scenario.with(packages: ["dotted.pkg", "clitool"]) { scenario in
            let signer = try PrivateKey.generate(.ecdsaP256)
            let keys = KeyPairFiles(prefix: scenario.root + "/vsa")
            #expect(keys.write(signer) == nil)
            let vsa = scenario.root + "/run.vsa.json"
            let run = try await scenario.wheeltrust(["verify", "--all", "--format", "json", "--vsa", vsa, "--vsa-key", keys.privatePath])
            #expect(run.status == 0, "\(run.output)")
            let report = try ReportJSON(run)
            let envelopeData = try Data(contentsOf: URL(fileURLWithPath: vsa))
            let text = String(decoding: envelopeData, as: UTF8.self)
            #expect(!text.contains(Scenario.token), "no credential in the summary")

            // What it says.
            let envelope = try DSSEEnvelope.decode(envelopeData)
            #expect(envelope.payloadType == "application/vnd.in-toto+json")
            let statement = try #require(try JSONSerialization.jsonObject(with: Data(envelope.payload)) as? [String: Any])
            #expect(statement["_type"] as? String == "https://in-toto.io/Statement/v1")
            #expect(statement["predicateType"] as? String == "https://slsa.dev/verification_summary/v1")
            let subjects = try #require(statement["subject"] as? [[String: Any]])
            let dottedSHA = try await scenario.sha256(ofIndexFile: Self.dotted)
            let clitoolSHA = try await scenario.sha256(ofIndexFile: Self.clitool)
            #expect(subjects.map { $0["name"] as? String } == [Self.clitool, Self.dotted])
            #expect(subjects.map { ($0["digest"] as? [String: String])?["sha256"] } == [clitoolSHA, dottedSHA])
            let predicate = try #require(statement["predicate"] as? [String: Any])
            #expect(predicate["verificationResult"] as? String == "PASSED")
            #expect(predicate["verifiedLevels"] as? [String] == ["SLSA_BUILD_LEVEL_1"], "SLSA v1 provenance, signed by a trusted key")
            #expect((predicate["verifier"] as? [String: Any])?["id"] as? String == VerificationSummary.verifierID)
            let resource = try #require(predicate["resourceUri"] as? String)
            #expect(resource == "http://127.0.0.1:\(scenario.server.port)/pypi/wheeltrust/main/simple/", "the index, no credentials")
            let policy = try #require(predicate["policy"] as? [String: Any])
            #expect(policy["uri"] as? String == VerificationSummaryPolicy.builtInURI)
            let contentText = try #require(policy["content"] as? String)
            let content = try #require(Data(base64Encoded: contentText))
            let fingerprint = scenario.key.publicKey.fingerprint
            #expect(String(decoding: content, as: UTF8.self).contains("trusted key: sha256:\(fingerprint)"))
            #expect(
                (policy["digest"] as? [String: String])?["sha256"] == VerificationSummaryPolicy(uri: "", content: [UInt8](content)).sha256)

            // inputAttestations: the sha256 of each provenance document as the index served it,
            // fetched again here with Python (independent of wheeltrust's HTTP client).
            let inputs = try #require(predicate["inputAttestations"] as? [[String: Any]])
            #expect(inputs.count == 2)
            for input in inputs {
                let uri = try #require(input["uri"] as? String)
                #expect(!uri.contains("@"), "no userinfo: \(uri)")
                let fetched = try await TestProcess.run(
                    TestProcess.python3,
                    [
                        "-c",
                        """
                        import base64, hashlib, sys, urllib.request
                        request = urllib.request.Request(sys.argv[1], headers={"Authorization": "Basic " + base64.b64encode(sys.argv[2].encode()).decode()})
                        print(hashlib.sha256(urllib.request.urlopen(request).read()).hexdigest())
                        """,
                        uri, "\(Scenario.user):\(Scenario.token)",
                    ])
                #expect(fetched.status == 0, "\(fetched.output)")
                let served = fetched.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect((input["digest"] as? [String: String])?["sha256"] == served, "\(uri)")
                #expect(report.report.packages.contains { $0.provenanceDocument?.sha256 == served }, "the report carries it too")
            }

            // It verifies, with and without a subject.
            let (ok, okRun) = try await Self.check(scenario, vsa, key: keys.publicPath)
            #expect(okRun.status == 0 && ok.verified, "\(okRun.output)")
            #expect(Self.status(ok, .subject) == .skip)
            #expect(Self.detail(ok, .subject) == "no --subject given", "\(ok.checks)")
            #expect(ok.verificationResult == "PASSED" && ok.verifiedLevels == ["SLSA_BUILD_LEVEL_1"])
            let dottedWheel = scenario.indexDirectory + "/" + Self.dotted
            let (withSubject, subjectRun) = try await Self.check(scenario, vsa, key: keys.publicPath, subject: dottedWheel)
            #expect(subjectRun.status == 0, "\(subjectRun.output)")
            #expect(Self.status(withSubject, .subject) == .pass)
            let text1 = try await TestProcess.run(TestProcess.wheeltrust, ["verify-vsa", vsa, "--key", keys.publicPath])
            #expect(text1.status == 0 && text1.stdout.contains("OK \(vsa)"), "\(text1.output)")
            #expect(text1.stdout.contains("  [SKIP] subject: no --subject given\n"), "\(text1.output)")

            // One changed byte of the payload, or of the signature: the signature check fails.
            for (what, payload) in [("payload", true), ("signature", false)] {
                let changed = scenario.root + "/changed-\(what).json"
                try Self.altered(envelopeData, payload: payload) { $0[$0.count / 2] ^= 0x01 }.write(to: URL(fileURLWithPath: changed))
                let (outcome, result) = try await Self.check(scenario, changed, key: keys.publicPath)
                #expect(result.status == 1, "\(what): \(result.output)")
                #expect(Self.status(outcome, .envelope) == .pass, "\(what)")
                #expect(Self.status(outcome, .signature) == .fail, "\(what): \(outcome.checks)")
                #expect(Self.detail(outcome, .signature).contains("no signature verifies"))
                #expect(Self.status(outcome, .statement) == .skip, "nothing of an unsigned payload is read")
                #expect(outcome.verificationResult == nil)
            }
            // One changed byte of the file itself (a payload character): refused, never verified.
            var raw = [UInt8](envelopeData)
            let at = try #require(text.range(of: "\"payload\":\"")).upperBound.utf16Offset(in: text) + 40
            raw[at] = raw[at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let rawChanged = scenario.root + "/changed-raw.json"
            try Data(raw).write(to: URL(fileURLWithPath: rawChanged))
            let (rawOutcome, rawRun) = try await Self.check(scenario, rawChanged, key: keys.publicPath)
            #expect(rawRun.status == 1 && Self.status(rawOutcome, .signature) == .fail, "\(rawOutcome.checks)")

            // Another key (the scenario's wheel-signing key): refused in the signature check.
            let (wrongKey, wrongRun) = try await Self.check(scenario, vsa, key: scenario.publicKeyPath)
            #expect(wrongRun.status == 1)
            #expect(Self.status(wrongKey, .signature) == .fail)
            #expect(Self.detail(wrongKey, .signature).contains(scenario.key.publicKey.fingerprint))

            // A wheel that is not a subject, and a file under a subject's name with other bytes.
            let (notSubject, notRun) = try await Self.check(
                scenario, vsa, key: keys.publicPath, subject: scenario.indexDirectory + "/" + Self.datatool)
            #expect(notRun.status == 1)
            #expect(Self.status(notSubject, .subject) == .fail)
            #expect(Self.detail(notSubject, .subject).contains("\(Self.datatool) (sha256"), "\(notSubject.checks)")
            #expect(Self.status(notSubject, .signature) == .pass && Self.status(notSubject, .result) == .pass)
            try FileManager.default.createDirectory(atPath: scenario.root + "/other", withIntermediateDirectories: true)
            let impostor = scenario.root + "/other/" + Self.dotted
            try FileManager.default.copyItem(atPath: scenario.indexDirectory + "/" + Self.clitool, toPath: impostor)
            let (swapped, swappedRun) = try await Self.check(scenario, vsa, key: keys.publicPath, subject: impostor)
            #expect(swappedRun.status == 1)
            #expect(Self.status(swapped, .subject) == .fail)
            #expect(Self.detail(swapped, .subject).contains("has sha256 \(dottedSHA), but the file's is \(clitoolSHA)"))

            // A failed run writes a FAILED summary: authentic, and refused in the result check.
            try scenario.tamper(scenario.sitePackages + "/dotted_pkg/core.py")
            let failedVSA = scenario.root + "/failed.vsa.json"
            let failedRun = try await scenario.wheeltrust(["verify", "--all", "--vsa", failedVSA, "--vsa-key", keys.privatePath])
            #expect(failedRun.status == 1, "\(failedRun.output)")
            let (failed, failedCheck) = try await Self.check(scenario, failedVSA, key: keys.publicPath, subject: dottedWheel)
            #expect(failedCheck.status == 1)
            #expect(Self.status(failed, .signature) == .pass && Self.status(failed, .statement) == .pass)
            #expect(Self.status(failed, .result) == .fail)
            #expect(Self.detail(failed, .result).contains("FAILED"))
            #expect(failed.verificationResult == "FAILED" && failed.verifiedLevels == ["FAILED"])
            #expect(Self.status(failed, .subject) == .pass, "the wheel was judged; the summary says it failed")
        }
    }

    @Test("--vsa needs --vsa-key, and an unusable key stops before verifying (exit 2)")
    func usage() async throws {
        let missing = try await TestProcess.run(TestProcess.wheeltrust, ["verify", "--all", "--vsa", "/tmp/x.json"])
        #expect(missing.status == 2 && missing.stderr.contains("--vsa FILE and --vsa-key PEM go together"), "\(missing.output)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-vsa-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notKey = directory + "/not-a-key.pem"
        try "hello\n".write(toFile: notKey, atomically: true, encoding: .utf8)
        let bad = try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify", "--all", "--python", TestProcess.python3, "--index-url", "http://127.0.0.1:9/simple/", "--vsa",
                directory + "/out.json", "--vsa-key", notKey,
            ])
        #expect(bad.status == 2, "\(bad.output)")
        #expect(bad.stderr.contains("signing key \(notKey)"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/out.json"))
        let noFile = try await TestProcess.run(TestProcess.wheeltrust, ["verify-vsa", directory + "/absent.json", "--key", notKey])
        #expect(noFile.status == 2, "\(noFile.output)")
    }

    @Test("a statement of another predicate type, signed by the right key, is refused in predicate-type")
    func otherPredicateType() throws {
        let key = try PrivateKey.generate(.ed25519)
        let statement = AttestationBuilder.slsaV1Statement(
            filename: Self.dotted, sha256Hex: try #require(SHA256Hex(String(repeating: "c", count: 64))), builderID: "urn:x",
            buildType: "urn:y",
            finishedOn: Date(timeIntervalSince1970: 0))
        let envelope = try VerificationSummary.envelope(statement: statement, key: key)
        let data = try JSONEncoder().encode(envelope)
        let outcome = VSAVerifier.verify(data, file: "x", key: key.publicKey, subject: nil)
        #expect(Self.status(outcome, .signature) == .pass)
        #expect(Self.status(outcome, .statement) == .pass)
        #expect(Self.status(outcome, .predicateType) == .fail)
        #expect(Self.detail(outcome, .predicateType).contains("https://slsa.dev/provenance/v1"))
        #expect(!outcome.verified && outcome.exitCode == 1)
    }

    /// A payload signed by `key` in an envelope of `payloadType`.
    static func signed(_ payload: String, key: PrivateKey, payloadType: String = DSSE.inTotoPayloadType) throws -> Data {
        let bytes = Array(payload.utf8)
        let signature = try key.sign(DSSE.pae(payloadType: payloadType, payload: bytes))
        return try JSONEncoder().encode(
            DSSEEnvelope(payloadType: payloadType, payload: bytes, signatures: [DSSEEnvelope.Signature(sig: signature)]))
    }

    static let validPredicate = """
        {"verifier":{"id":"urn:x"},"timeVerified":"2026-01-01T00:00:00Z","resourceUri":"urn:r","policy":{"uri":"urn:p"},\
        "verificationResult":"PASSED","verifiedLevels":["SLSA_BUILD_LEVEL_1"]}
        """

    @Test(
        "malformed summaries are refused in the named check",
        arguments: [
            ("not json at all", nil, VSACheckName.envelope, "not a DSSE envelope"),
            ("{}", "text/plain", .envelope, "payloadType"),
            (
                "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"subject\":[],\"predicateType\":\"\(VerificationSummary.predicateType)\",\"predicate\":{}}",
                nil, .statement, "is not https://in-toto.io/Statement/v1"
            ),
            (
                "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a.whl\",\"digest\":{\"sha256\":\"ABC\"}}],\"predicateType\":\"\(VerificationSummary.predicateType)\",\"predicate\":{}}",
                nil, .statement, "not 64 lowercase hex digits"
            ),
            (
                "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"\(VerificationSummary.predicateType)\",\"predicate\":\(validPredicate.replacingOccurrences(of: "PASSED", with: "MAYBE"))}",
                nil, .predicateType, "neither PASSED nor FAILED"
            ),
            (
                "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"\(VerificationSummary.predicateType)\",\"predicate\":\(validPredicate.replacingOccurrences(of: "2026-01-01T00:00:00Z", with: "yesterday"))}",
                nil, .predicateType, "not an RFC 3339 timestamp"
            ),
        ] as [(String, String?, VSACheckName, String)])
    func malformed(payload: String, payloadType: String?, check: VSACheckName, fragment: String) throws {
        let key = try PrivateKey.generate(.ecdsaP256)
        let data =
            payload == "not json at all"
            ? Data(payload.utf8) : try Self.signed(payload, key: key, payloadType: payloadType ?? DSSE.inTotoPayloadType)
        let outcome = VSAVerifier.verify(data, file: "x", key: key.publicKey, subject: nil)
        #expect(Self.status(outcome, check) == .fail, "\(outcome.checks)")
        #expect(Self.detail(outcome, check).contains(fragment), "\(outcome.checks)")
        #expect(!outcome.verified && outcome.verificationResult == nil)
        // Everything after the failed check is skipped, never passed.
        let after = VSACheckName.allCases.drop { $0 != check }.dropFirst()
        #expect(after.allSatisfy { Self.status(outcome, $0) == .skip }, "\(outcome.checks)")
    }

    @Test("a well-formed summary signed by the key verifies (the malformed cases above differ from it in one field)")
    func wellFormed() throws {
        let key = try PrivateKey.generate(.rsa(bits: 2048))
        let payload =
            "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],\"predicateType\":\"\(VerificationSummary.predicateType)\",\"predicate\":\(Self.validPredicate)}"
        let outcome = VSAVerifier.verify(try Self.signed(payload, key: key), file: "x", key: key.publicKey, subject: nil)
        #expect(outcome.verified, "\(outcome.checks)")
        // No subject named: a skip stating the fact, the remedy a value (the command line names its option).
        #expect(outcome.checks.last == VSACheckResult(.subject, .skip, "no subject given", remedy: .nameSubject))
        #expect(outcome.worded(by: LibraryWording()).checks.last?.detail == "no subject given (name the file that should be a subject)")
    }

    @Test("subjects are the judged wheels; levels are FAILED, or level 1 only for SLSA provenance")
    func statementContents() throws {
        var verified = PackageReport(
            name: "a", version: "1", wheel: "a-1-py3-none-any.whl", sha256: String(repeating: "a", count: 64),
            checks: [CheckResult(.signature, .pass, "signed")])
        verified.provenanceDocument = ProvenanceDocumentDigest(
            sha256: String(repeating: "d", count: 64), url: "https://idx.test/a.provenance", predicateType: Statement.pypiPublishV1)
        let notFound = PackageReport(name: "b", version: "2", checks: [CheckResult(.indexFile, .fail, "not on the index")])
        var passing = Report(index: "pip: https://user:****@idx.test/simple/ [from --index-url]", packages: [verified])
        passing.indexes = ["https://idx.test/simple/"]
        #expect(
            VerificationSummary.subjects(of: passing) == [.init(name: "a-1-py3-none-any.whl", sha256: String(repeating: "a", count: 64))])
        #expect(VerificationSummary.verifiedLevels(of: passing) == ["SLSA_BUILD_LEVEL_0"], "a publish attestation is not build provenance")
        var slsa = verified
        slsa.provenanceDocument?.predicateType = Statement.slsaV02
        #expect(VerificationSummary.verifiedLevels(of: Report(packages: [slsa])) == ["SLSA_BUILD_LEVEL_1"])
        let failing = Report(packages: [verified, notFound])
        #expect(VerificationSummary.result(of: failing) == "FAILED")
        #expect(VerificationSummary.verifiedLevels(of: failing) == ["FAILED"])
        #expect(VerificationSummary.subjects(of: failing).map(\.name) == ["a-1-py3-none-any.whl"], "no wheel, no subject")
        let bytes = VerificationSummary.statement(
            for: passing,
            policy: VerificationSummaryPolicy(uri: "file:///etc/wheeltrust/policy.toml", sha256: String(repeating: "E", count: 64)),
            version: "0.1.0", timeVerified: Date(timeIntervalSince1970: 1_700_000_000))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"resourceUri\":\"https://idx.test/simple/\""), "\(text)")
        #expect(text.contains("\"timeVerified\":\"2023-11-14T22:13:20Z\""), "\(text)")
        #expect(
            text.contains(
                "\"policy\":{\"digest\":{\"sha256\":\"\(String(repeating: "e", count: 64))\"},\"uri\":\"file:///etc/wheeltrust/policy.toml\"}"
            ), "\(text)")
    }

    @Test("the built-in policy's digest follows the trust in force")
    func builtInPolicyDigest() throws {
        let standard = try VerificationSetup().builtInTrustPolicy()
        let keysOnly = try VerificationSetup(noDefaultKeys: true).builtInTrustPolicy()
        let staging = try VerificationSetup(staging: true).builtInTrustPolicy()
        #expect(Set([standard.sha256, keysOnly.sha256, staging.sha256]).count == 3)
        let text = String(decoding: try #require(standard.content), as: UTF8.self)
        #expect(text.contains("trusted key: sha256:\(TrustedKey.redHatRelease3.key.fingerprint)"))
        #expect(text.contains("keyless: accepted"))
        #expect(String(decoding: try #require(keysOnly.content), as: UTF8.self).contains("keyless: refused"))
    }
}
