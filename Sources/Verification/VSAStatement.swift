import Attestations
import Foundation
import PythonPackaging

/// A SLSA Verification Summary (VSA, predicate `https://slsa.dev/verification_summary/v1`) of one
/// `verify` run, as an in-toto v1 statement signed in a DSSE envelope.
///
/// What it says, and why each value is honest:
/// - `subject`: every distribution the run judged by its provenance, by wheel filename and the
///   sha256 of the bytes downloaded (packages passed under a policy as `integrity-only` or
///   `waived`, and packages whose wheel was never found, are not subjects).
/// - `verifier.id` ``verifierID``, with `version.wheeltrust` the tool's version.
/// - `resourceUri`: the index the subjects came from, without credentials (the report's one index;
///   with several, the environment's interpreter as a `file:` URI).
/// - `policy`: the trust rules in force (``VerificationSummaryPolicy``).
/// - `inputAttestations`: the URL (without credentials) and sha256 of each provenance document
///   as received, for every subject that had one.
/// - `verificationResult`: `PASSED` only when the whole run verified (exit code 0), else `FAILED`.
/// - `verifiedLevels`: `FAILED` when the run failed (as the specification asks); when it passed,
///   `SLSA_BUILD_LEVEL_1` if every subject's verifying attestation is SLSA provenance (v0.2 or v1:
///   provenance that exists, is signed by a signer the policy trusts and names that exact
///   digest), else `SLSA_BUILD_LEVEL_0` (e.g. PyPI publish attestations, which say who published,
///   not how it was built). Build level 2 and above are never claimed: they are properties of
///   the build platform that a signature alone cannot show.
public enum VerificationSummary {
    public static let predicateType = "https://slsa.dev/verification_summary/v1"
    /// Who verified: wheeltrust's `verify` (documented in the README).
    public static let verifierID = "urn:wheeltrust:verifier:verify"

    /// A distribution the summary is about.
    public struct Subject: Sendable, Equatable {
        public var name: String
        public var sha256: String

        public init(name: String, sha256: String) {
            self.name = name
            self.sha256 = sha256
        }
    }

    /// The subjects of `report` (see the type's documentation), in the report's order.
    public static func subjects(of report: Report) -> [Subject] {
        judged(report).compactMap { package in
            guard let wheel = package.wheel, let sha256 = package.sha256 else { return nil }
            return Subject(name: wheel, sha256: sha256.lowercased())
        }
    }

    /// `PASSED` or `FAILED`.
    public static func result(of report: Report) -> String {
        report.exitCode == 0 ? "PASSED" : "FAILED"
    }

    /// The levels the summary claims (see the type's documentation).
    public static func verifiedLevels(of report: Report) -> [String] {
        guard report.exitCode == 0 else { return ["FAILED"] }
        let provenance: Set<String> = [Statement.slsaV1, Statement.slsaV02]
        let subjects = judged(report).filter { $0.wheel != nil && $0.sha256 != nil }
        let allSLSA =
            !subjects.isEmpty
            && subjects.allSatisfy { package in
                package.status == .verified && package.provenanceDocument?.predicateType.map(provenance.contains) == true
            }
        return [allSLSA ? "SLSA_BUILD_LEVEL_1" : "SLSA_BUILD_LEVEL_0"]
    }

    /// The statement's exact bytes (keys sorted, no insignificant whitespace).
    public static func statement(
        for report: Report, policy: VerificationSummaryPolicy, version: String, timeVerified: Date
    ) -> [UInt8] {
        let subjects = subjects(of: report)
        var inputs: [JSONValue] = []
        var seen = Set<String>()
        for package in judged(report) where package.wheel != nil && package.sha256 != nil {
            guard let document = package.provenanceDocument, seen.insert(document.sha256 + " " + document.url).inserted else { continue }
            inputs.append(.object(["uri": .string(document.url), "digest": .object(["sha256": .string(document.sha256)])]))
        }
        var policyObject: [String: JSONValue] = ["uri": .string(policy.uri), "digest": .object(["sha256": .string(policy.sha256)])]
        if let content = policy.content {
            policyObject["content"] = .string(Data(content).base64EncodedString())
            policyObject["mediaType"] = .string("text/plain; charset=utf-8")
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let statement: JSONValue = .object([
            "_type": .string(Statement.inTotoV1),
            "subject": .array(subjects.map { .object(["name": .string($0.name), "digest": .object(["sha256": .string($0.sha256)])]) }),
            "predicateType": .string(predicateType),
            "predicate": .object([
                "verifier": .object(["id": .string(verifierID), "version": .object(["wheeltrust": .string(version)])]),
                "timeVerified": .string(formatter.string(from: timeVerified)),
                "resourceUri": .string(resourceURI(of: report)),
                "policy": .object(policyObject),
                "inputAttestations": .array(inputs),
                "verificationResult": .string(result(of: report)),
                "verifiedLevels": .array(verifiedLevels(of: report).map(JSONValue.string)),
                "slsaVersion": .string("1.0"),
            ]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A tree of strings, arrays and objects always encodes.
        return Array((try? encoder.encode(statement)) ?? Data())
    }

    /// The statement signed with `key`: a DSSE envelope (`payloadType` in-toto) whose signature
    /// covers `PAE(payloadType, statement)`, its `keyid` the key's SHA-256 fingerprint.
    public static func envelope(statement: [UInt8], key: PrivateKey) throws(AttestationError) -> DSSEEnvelope {
        let signature = try key.sign(DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: statement))
        return DSSEEnvelope(
            payloadType: DSSE.inTotoPayloadType, payload: statement,
            signatures: [DSSEEnvelope.Signature(keyID: "sha256:" + key.publicKey.fingerprint, sig: signature)])
    }

    /// Signs a summary of `report` and writes the envelope (JSON) to `path` atomically. A file
    /// that cannot be written is an operational error naming it.
    public static func write(
        _ report: Report, policy: VerificationSummaryPolicy, key: PrivateKey, version: String, to path: String,
        timeVerified: Date = Date()
    ) throws(VerificationError) {
        let payload = statement(for: report, policy: policy, version: version, timeVerified: timeVerified)
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(try envelope(statement: payload, key: key))
        } catch {
            throw VerificationError(.operational, "cannot sign the verification summary: \(error)")
        }
        do {
            try AtomicFile.write(Array(data) + [0x0A], to: path)
        } catch {
            throw VerificationError(.operational, "cannot write the verification summary \(path): \(error.message)")
        }
    }

    /// The private key `--vsa-key` names (PEM: PKCS#8, EC or RSA); an unreadable file or one that
    /// holds no usable key is a usage error naming it.
    public static func signingKey(file path: String) throws(VerificationError) -> PrivateKey {
        do {
            return try KeyPairFiles.readPrivateKey(at: path)
        } catch {
            throw VerificationError(.usage, "signing key \(path): \(error.message)")
        }
    }

    /// Packages judged by their provenance: verified, failed or not checked (not `integrity-only`
    /// or `waived`, which a policy may pass without provenance).
    static func judged(_ report: Report) -> [PackageReport] {
        report.packages.filter { [.verified, .failed, .error].contains($0.status) }
    }

    /// The one index the packages were looked up on, without credentials; with several indexes
    /// (or none), the environment's interpreter as a `file:` URI.
    static func resourceURI(of report: Report) -> String {
        if report.indexes.count == 1, let index = report.indexes.first { return index }
        return SARIFFindings.fileURI(report.python ?? "/")
    }
}
