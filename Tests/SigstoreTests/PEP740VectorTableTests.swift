import AttestationsTestSupport
import Crypto
import Foundation
import PythonPackaging
import Testing

@testable import Attestations
@testable import Sigstore

/// Every real PEP 740 vector verifies offline with the identity its README lists, and fails when
/// one byte of the dist, statement, signature, certificate, log entry, inclusion proof or
/// checkpoint changes, and when the identity pin differs.
///
/// Vectors that come without an index publisher are lone attestations (`Publisher.localFile`):
/// the identity pin is then the whole policy. The abi3info provenance carries its GitHub publisher.
@Suite("PEP 740 vectors")
struct PEP740VectorTableTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let file: String
        /// The dist in Fixtures/sigstore/dists, or nil when it does not exist (its digest is then
        /// taken from the statement and `distribution` is the name to check).
        let dist: String?
        let distribution: String
        let root: String
        let identity: String
        let issuer: String
        var testDescription: String { file }
    }

    static let oauth = "https://github.com/login/oauth"
    static let actions = "https://token.actions.githubusercontent.com"
    static let beacon =
        "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
    static let release = "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"
    static let sdist = "pypi_attestations-0.0.19.tar.gz"

    static let cases: [Case] = [
        Case(
            file: "pypi_attestations-0.0.19.tar.gz.publish.attestation", dist: sdist, distribution: sdist, root: "prod",
            identity: release, issuer: actions),
        Case(
            file: "pypi_attestations-0.0.19.tar.gz.slsa.attestation", dist: sdist, distribution: sdist, root: "prod",
            identity: release, issuer: actions),
        Case(
            file: "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_timestamp", dist: sdist, distribution: sdist,
            root: "prod", identity: "jku@goto.fi", issuer: oauth),
        Case(
            file: "pypi_attestations-0.0.19.tar.gz.publish.attestation.with_rekor2_timestamp", dist: sdist, distribution: sdist,
            root: "staging", identity: "jku@goto.fi", issuer: oauth),
        Case(
            file: "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation", dist: "gitlab_oidc_project-0.0.3.tar.gz",
            distribution: "gitlab_oidc_project-0.0.3.tar.gz", root: "prod",
            identity: "https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main", issuer: "https://gitlab.com"),
        Case(
            file: "rfc8785-0.1.2-py3-none-any.whl.publish.attestation", dist: "rfc8785-0.1.2-py3-none-any.whl",
            distribution: "rfc8785-0.1.2-py3-none-any.whl", root: "staging", identity: "william@yossarian.net", issuer: oauth),
        Case(
            file: "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation", dist: nil,
            distribution: "spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", root: "staging",
            identity: "william@yossarian.net", issuer: oauth),
        Case(
            file: "shelf-reader-0.1.tar.gz.publish.attestation", dist: "shelf-reader-0.1.tar.gz",
            distribution: "shelf-reader-0.1.tar.gz", root: "staging", identity: beacon, issuer: actions),
        Case(
            file: "shelf_reader-0.1-py2-none-any.whl.publish.attestation", dist: "shelf_reader-0.1-py2-none-any.whl",
            distribution: "shelf_reader-0.1-py2-none-any.whl", root: "staging", identity: beacon, issuer: actions),
        Case(
            file: "abi3info-2024.10.3-py3-none-any.whl.provenance", dist: "abi3info-2024.10.3-py3-none-any.whl",
            distribution: "abi3info-2024.10.3-py3-none-any.whl", root: "prod",
            identity: "https://github.com/woodruffw/abi3info/.github/workflows/release.yml@refs/tags/v2024.10.03", issuer: actions),
    ]

    // MARK: - Loading

    static func provenance(_ testCase: Case) throws -> Provenance {
        // The timestamp vector lives at the top of Fixtures (the RFC 3161 tests use it too).
        let data = try (try? TrustFixtures.data(testCase.file)) ?? Fixtures.data(testCase.file)
        if let provenance = try? Provenance.decode(data) { return provenance }
        return Provenance(attestationBundles: [AttestationBundle(publisher: .localFile, attestations: [try Attestation.decode(data)])])
    }

    static func digest(_ testCase: Case, provenance: Provenance) throws -> String {
        if let dist = testCase.dist {
            return SHA256.hash(data: try TrustFixtures.data("dists/" + dist)).map { String(format: "%02x", $0) }.joined()
        }
        let statement = try Statement(parsing: try #require(provenance.attestationBundles.first?.attestations.first).envelope.statement)
        return try #require(statement.subjects.first?.digest["sha256"])
    }

    static func verify(
        _ testCase: Case, _ provenance: Provenance, sha256: String, identity: String? = nil
    ) async throws -> ProvenanceVerdict {
        let pins = IdentityPins(identity: identity ?? testCase.identity, issuer: testCase.issuer)
        let verifier = ProvenanceVerifier(verifiers: [SigstoreVerifier(trustedRoot: try TrustFixtures.root(testCase.root), pins: pins)])
        return await verifier.verify(
            provenance, distribution: testCase.distribution, sha256Hex: try #require(SHA256Hex(normalizing: sha256)))
    }

    /// `provenance` with its (single) attestation changed by `change`.
    static func changing(_ provenance: Provenance, _ change: (inout Attestation) -> Void) -> Provenance {
        var copy = provenance
        change(&copy.attestationBundles[0].attestations[0])
        return copy
    }

    /// The reasons the signature of each attestation failed (nil for one that did not fail).
    static func signatureFailures(_ verdict: ProvenanceVerdict) -> [String?] {
        verdict.attestations.map {
            if case .failed(let reason) = $0.signature { return reason }
            return nil
        }
    }

    // MARK: - Verifies

    @Test(arguments: cases)
    func verifiesWithItsIdentity(_ testCase: Case) async throws {
        let provenance = try Self.provenance(testCase)
        let verdict = try await Self.verify(testCase, provenance, sha256: try Self.digest(testCase, provenance: provenance))
        #expect(verdict.isVerified, "\(verdict.attestations.map { "\($0.signature) \($0.checks.filter { !$0.passed })" })")
    }

    @Test(arguments: cases)
    func anotherIdentityFails(_ testCase: Case) async throws {
        let provenance = try Self.provenance(testCase)
        let verdict = try await Self.verify(
            testCase, provenance, sha256: try Self.digest(testCase, provenance: provenance),
            identity: testCase.identity + "x")
        #expect(!verdict.isVerified)
        let reasons = Self.signatureFailures(verdict)
        #expect(
            !reasons.isEmpty
                && reasons.allSatisfy {
                    $0?.contains("pinned identity \(testCase.identity)x is not the certificate SAN \(testCase.identity)") == true
                }, "\(reasons)")
        #expect(verdict.attestations.allSatisfy { $0.checks.allPassed }, "only the identity failed")
    }

    @Test(arguments: cases.filter { $0.dist != nil })
    func aChangedDistByteFails(_ testCase: Case) async throws {
        let provenance = try Self.provenance(testCase)
        var bytes = [UInt8](try TrustFixtures.data("dists/" + (testCase.dist ?? "")))
        bytes[bytes.count / 2] ^= 0x01
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        let verdict = try await Self.verify(testCase, provenance, sha256: digest)
        #expect(!verdict.isVerified)
        #expect(verdict.attestations.allSatisfy { $0.signature.isVerified }, "the signature is not what failed")
        for attestation in verdict.attestations {
            let failing = attestation.checks.filter { !$0.passed }
            #expect(failing.map(\.name) == [StatementChecks.subjectDigest], "\(failing)")
            #expect(failing.first?.detail.hasSuffix("differs from the file's \(digest)") == true, "\(failing)")
        }
    }

    @Test(arguments: cases)
    func aChangedStatementSignatureOrCertificateByteFails(_ testCase: Case) async throws {
        let provenance = try Self.provenance(testCase)
        let digest = try Self.digest(testCase, provenance: provenance)
        let changes: [(String, (inout Attestation) -> Void)] = [
            ("statement", { $0.envelope.statement[$0.envelope.statement.count / 2] ^= 0x01 }),
            ("signature", { $0.envelope.signature[$0.envelope.signature.count - 5] ^= 0x01 }),
            (
                "certificate",
                { attestation in
                    guard var material = attestation.verificationMaterial else { return }
                    material.certificate[material.certificate.count - 40] ^= 0x01
                    attestation.verificationMaterial = material
                }
            ),
        ]
        for (what, change) in changes {
            let verdict = try await Self.verify(testCase, Self.changing(provenance, change), sha256: digest)
            #expect(!verdict.isVerified, "a changed \(what) byte must fail")
            let reason = Self.signatureFailures(verdict).first ?? nil
            // A changed statement no longer matches the payload hash the log recorded.
            let stage =
                ["statement": "bodyMismatch: Rekor body: payloadHash ", "signature": "signature", "certificate": "certificate"][what]
                ?? what
            #expect(
                reason?.hasPrefix("Sigstore: ") == true && reason?.contains(stage) == true,
                "a changed \(what) byte fails the signature: \(String(describing: reason))")
        }
    }

    @Test(arguments: cases)
    func aChangedLogEntryProofOrCheckpointByteFails(_ testCase: Case) async throws {
        let provenance = try Self.provenance(testCase)
        let digest = try Self.digest(testCase, provenance: provenance)
        let paths: [[String]] = [
            ["canonicalizedBody"], ["inclusionPromise", "signedEntryTimestamp"], ["inclusionProof", "rootHash"],
            ["inclusionProof", "hashes"], ["inclusionProof", "checkpoint", "envelope"], ["inclusionProof", "treeSize"],
            ["inclusionProof", "logIndex"], ["integratedTime"], ["logId", "keyId"],
        ]
        var tried = 0
        for path in paths {
            var changed = false
            let tampered = Self.changing(provenance) { attestation in
                guard var material = attestation.verificationMaterial, let entry = material.transparencyEntries.first else { return }
                let (value, did) = Self.flip(entry, at: path[...])
                changed = did
                material.transparencyEntries[0] = value
                attestation.verificationMaterial = material
            }
            guard changed else { continue }
            tried += 1
            let verdict = try await Self.verify(testCase, tampered, sha256: digest)
            #expect(!verdict.isVerified, "a changed byte at \(path.joined(separator: ".")) must fail")
            let reason = Self.signatureFailures(verdict).first ?? nil
            #expect(
                reason?.hasPrefix("Sigstore: transparency entry") == true,
                "a changed byte at \(path.joined(separator: ".")) fails the log entry: \(String(describing: reason))")
        }
        #expect(tried >= 5, "the entry offered the parts to tamper with")
    }

    // MARK: - JSON tampering

    /// Changes one byte of the value at `path` (base64 strings: one decoded byte; digit strings
    /// and numbers: +1; other text: one character; arrays: the first element).
    static func flip(_ value: JSONValue, at path: ArraySlice<String>) -> (JSONValue, Bool) {
        if let key = path.first {
            switch value {
            case .object(var object):
                guard let child = object[key] else { return (value, false) }
                let (new, did) = flip(child, at: path.dropFirst())
                object[key] = new
                return (.object(object), did)
            default:
                return (value, false)
            }
        }
        switch value {
        case .array(var items):
            guard let first = items.first else { return (value, false) }
            let (new, did) = flip(first, at: [])
            items[0] = new
            return (.array(items), did)
        case .number(let number):
            return (.number(number + 1), true)
        case .string(let text):
            if let int = Int64(text) { return (.string(String(int + 1)), true) }
            if text.contains("\n") {
                // A signed note: change one character of its first (origin) line's end.
                guard let newline = text.firstIndex(of: "\n") else { return (value, false) }
                var scalars = Array(text)
                let position = text.distance(from: text.startIndex, to: newline) - 1
                scalars[position] = scalars[position] == "x" ? "y" : "x"
                return (.string(String(scalars)), true)
            }
            if var bytes = Data(base64Encoded: text).map([UInt8].init), !bytes.isEmpty {
                bytes[bytes.count / 2] ^= 0x01
                return (.string(Data(bytes).base64EncodedString()), true)
            }
            return (value, false)
        default:
            return (value, false)
        }
    }
}
