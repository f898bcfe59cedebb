import Attestations
import Foundation
import PythonPackaging

/// The checks `verify-vsa` runs on a Verification Summary, in order; their raw values are stable
/// identifiers in text and JSON output.
public enum VSACheckName: String, Codable, Sendable, CaseIterable {
    /// The file is a DSSE envelope (strict JSON, no unknown fields) of an in-toto payload with a signature.
    case envelope
    /// A signature verifies with the given key over `PAE(payloadType, payload)`, the exact payload bytes.
    case signature
    /// The payload is an in-toto v1 statement: `_type`, `subject` (names, sha256 digests), `predicateType`, `predicate`.
    case statement
    /// Its predicate type is SLSA Verification Summary v1, and its predicate has that type's
    /// required fields (`verifier.id`, `timeVerified`, `resourceUri`, `policy.uri`,
    /// `verificationResult` PASSED or FAILED, `verifiedLevels`).
    case predicateType = "predicate-type"
    /// Its `verificationResult` is `PASSED`.
    case result
    /// With a subject file named: its name and sha256 are one subject of the summary.
    case subject
}

/// One check of a summary with its verdict and a one-line detail.
public struct VSACheckResult: Codable, Sendable, Equatable {
    public var name: VSACheckName
    public var status: CheckStatus
    public var detail: String
    /// What a reader can do about it, beside the fact (not part of the JSON document: a reader's
    /// words for it go into `detail` first, ``VSAVerification/worded(by:)``).
    public var remedy: Remedy? = nil

    public init(_ name: VSACheckName, _ status: CheckStatus, _ detail: String, remedy: Remedy? = nil) {
        self.name = name
        self.status = status
        self.detail = detail
        self.remedy = remedy
    }

    enum CodingKeys: String, CodingKey { case name, status, detail }
}

/// What `verify-vsa` found. `verified` is derived from `checks`: every check passed or was
/// skipped, and `signature`, `statement`, `predicate-type` and `result` passed. Nothing of the
/// payload is read before its signature verified (the fields below stay nil until then).
public struct VSAVerification: Codable, Sendable {
    public var file: String
    public var checks: [VSACheckResult]
    /// The summary's claims, once its signature and shape verified.
    public var verificationResult: String?
    public var verifiedLevels: [String]?
    public var timeVerified: String?
    public var verifierID: String?
    public var subjects: [String]?

    public var verified: Bool {
        let required: Set<VSACheckName> = [.envelope, .signature, .statement, .predicateType, .result]
        return checks.allSatisfy { $0.status == .pass || $0.status == .skip }
            && required.allSatisfy { name in checks.contains { $0.name == name && $0.status == .pass } }
    }

    /// 0 verified, 1 not.
    public var exitCode: Int32 { verified ? 0 : 1 }

    enum CodingKeys: String, CodingKey {
        case file, verified, checks, verificationResult, verifiedLevels, timeVerified, verifierID = "verifierId", subjects
    }

    public init(file: String, checks: [VSACheckResult] = []) {
        self.file = file
        self.checks = checks
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(verified, forKey: .verified)
        try container.encode(checks, forKey: .checks)
        try container.encodeIfPresent(verificationResult, forKey: .verificationResult)
        try container.encodeIfPresent(verifiedLevels, forKey: .verifiedLevels)
        try container.encodeIfPresent(timeVerified, forKey: .timeVerified)
        try container.encodeIfPresent(verifierID, forKey: .verifierID)
        try container.encodeIfPresent(subjects, forKey: .subjects)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        file = try container.decode(String.self, forKey: .file)
        checks = try container.decode([VSACheckResult].self, forKey: .checks)
        verificationResult = try container.decodeIfPresent(String.self, forKey: .verificationResult)
        verifiedLevels = try container.decodeIfPresent([String].self, forKey: .verifiedLevels)
        timeVerified = try container.decodeIfPresent(String.self, forKey: .timeVerified)
        verifierID = try container.decodeIfPresent(String.self, forKey: .verifierID)
        subjects = try container.decodeIfPresent([String].self, forKey: .subjects)
    }

    /// The document as JSON, keys sorted.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The result as a reader sees it: every check's remedy put into `wording`'s words in its detail.
    public func worded(by wording: any RemedyWording) -> VSAVerification {
        var outcome = self
        outcome.checks = checks.map { $0.worded(by: wording) }
        return outcome
    }
}

/// Checks a signed Verification Summary (as `verify --vsa` writes it) with a public key.
///
/// Guarantees: the signature is checked over `PAE(payloadType, payload)` with the payload's exact
/// bytes as decoded from the envelope, and only those bytes are parsed afterwards; every trusted
/// signature padding of the key is tried (RSA: PKCS#1 v1.5 and PSS); the `keyid` hint is never
/// used to pick a key. Tamper findings are returned checks; only unreadable inputs throw.
public enum VSAVerifier {
    /// Reads the summary `file`, the public key `keyFile` and, when given, the `subjectFile`
    /// (hashed as it is read), and checks them. An input that cannot be read is a usage error
    /// naming it.
    public static func verify(file: String, keyFile: String, subjectFile: String?) throws(VerificationError) -> VSAVerification {
        let keyData = try NamedFile.read(keyFile, cap: 1 << 20, what: "key file")
        let key: PublicKey
        do {
            key = try PublicKey(pem: String(decoding: keyData, as: UTF8.self))
        } catch {
            throw VerificationError(.usage, "key file \(keyFile): \(error.message)")
        }
        let data = try NamedFile.read(file, cap: Provenance.maxBytes, what: "verification summary")
        var subject: VerificationSummary.Subject?
        if let subjectFile {
            do {
                let digest = try FileHashing.digest(ofFileAt: subjectFile, algorithm: .sha256).digest.hex
                subject = VerificationSummary.Subject(name: (subjectFile as NSString).lastPathComponent, sha256: digest)
            } catch {
                throw VerificationError(.usage, "cannot read the subject file \(subjectFile)")
            }
        }
        return verify(data, file: file, key: key, subject: subject)
    }

    /// Checks the summary `data` with `key`, and with `subject` that it is one of its subjects.
    public static func verify(_ data: Data, file: String, key: PublicKey, subject: VerificationSummary.Subject?) -> VSAVerification {
        var outcome = VSAVerification(file: file)
        func skipRest(after failed: VSACheckName) {
            let names = VSACheckName.allCases.drop { $0 != failed }.dropFirst()
            for name in names {
                outcome.checks.append(VSACheckResult(name, .skip, "not checked: \(failed.rawValue) did not pass"))
            }
        }
        // Envelope.
        let envelope: DSSEEnvelope
        do {
            envelope = try DSSEEnvelope.decode(data)
        } catch {
            outcome.checks.append(VSACheckResult(.envelope, .fail, "not a DSSE envelope: \(error.message)"))
            skipRest(after: .envelope)
            return outcome
        }
        guard envelope.payloadType == DSSE.inTotoPayloadType else {
            outcome.checks.append(
                VSACheckResult(.envelope, .fail, "payloadType is \(excerpt(envelope.payloadType)), not \(DSSE.inTotoPayloadType)"))
            skipRest(after: .envelope)
            return outcome
        }
        guard !envelope.signatures.isEmpty else {
            outcome.checks.append(VSACheckResult(.envelope, .fail, "the envelope has no signature"))
            skipRest(after: .envelope)
            return outcome
        }
        outcome.checks.append(
            VSACheckResult(
                .envelope, .pass, "DSSE envelope, \(envelope.signatures.count) signature(s), payload \(envelope.payload.count) bytes"))
        // Signature over PAE of the exact payload bytes.
        let pae = DSSE.pae(payloadType: envelope.payloadType, payload: envelope.payload)
        let paddings: [RSAPadding] = [.pkcs1v15, .pss]
        let signed = envelope.signatures.contains { signature in
            paddings.contains { key.isValidSignature(signature.sig, for: pae, rsaPadding: $0) }
        }
        guard signed else {
            outcome.checks.append(
                VSACheckResult(
                    .signature, .fail,
                    "no signature verifies with the \(key.kind) key sha256:\(key.fingerprint) over the envelope's payload"))
            skipRest(after: .signature)
            return outcome
        }
        outcome.checks.append(VSACheckResult(.signature, .pass, "signed by the \(key.kind) key sha256:\(key.fingerprint)"))
        // Statement shape.
        var summary: ParsedSummary
        do {
            summary = try ParsedSummary(payload: envelope.payload)
        } catch {
            outcome.checks.append(VSACheckResult(.statement, .fail, error.message))
            skipRest(after: .statement)
            return outcome
        }
        outcome.checks.append(
            VSACheckResult(.statement, .pass, "in-toto v1 statement with \(summary.subjects.count) subject(s)"))
        guard summary.predicateType == VerificationSummary.predicateType else {
            outcome.checks.append(
                VSACheckResult(
                    .predicateType, .fail,
                    "predicateType is \(excerpt(summary.predicateType)), not \(VerificationSummary.predicateType)"))
            skipRest(after: .predicateType)
            return outcome
        }
        do {
            try summary.readPredicate()
        } catch {
            outcome.checks.append(VSACheckResult(.predicateType, .fail, "not a verification summary: \(error.message)"))
            skipRest(after: .predicateType)
            return outcome
        }
        outcome.checks.append(VSACheckResult(.predicateType, .pass, VerificationSummary.predicateType))
        outcome.verificationResult = summary.verificationResult
        outcome.verifiedLevels = summary.verifiedLevels
        outcome.timeVerified = summary.timeVerified
        outcome.verifierID = summary.verifierID
        outcome.subjects = summary.subjects.map(\.name)
        // Result.
        let levels = summary.verifiedLevels.joined(separator: ", ")
        if summary.verificationResult == "PASSED" {
            outcome.checks.append(
                VSACheckResult(.result, .pass, "PASSED (\(levels)) by \(summary.verifierID) at \(summary.timeVerified)"))
        } else {
            outcome.checks.append(
                VSACheckResult(.result, .fail, "the summary says FAILED (\(levels)), by \(summary.verifierID) at \(summary.timeVerified)"))
        }
        // Subject.
        guard let subject else {
            outcome.checks.append(VSACheckResult(.subject, .skip, "no subject given", remedy: .nameSubject))
            return outcome
        }
        let named = summary.subjects.filter { $0.name == subject.name }
        if named.contains(where: { $0.sha256 == subject.sha256 }) {
            outcome.checks.append(VSACheckResult(.subject, .pass, "\(subject.name) sha256 \(subject.sha256) is a subject"))
        } else if let other = named.first {
            outcome.checks.append(
                VSACheckResult(
                    .subject, .fail, "the subject \(subject.name) has sha256 \(other.sha256), but the file's is \(subject.sha256)"))
        } else {
            outcome.checks.append(
                VSACheckResult(.subject, .fail, "\(subject.name) (sha256 \(subject.sha256)) is not a subject of the summary"))
        }
        return outcome
    }

    static func excerpt(_ text: String) -> String {
        text.count > 80 ? "\"\(text.prefix(80))…\"" : "\"\(text)\""
    }
}

/// The fields of a summary's statement `verify-vsa` relies on, read strictly from the signed
/// bytes: first the statement (`_type`, `subject`, `predicateType`), then, once the predicate type
/// is the summary's, its predicate.
struct ParsedSummary {
    var predicateType: String
    var subjects: [VerificationSummary.Subject]
    var predicate: JSONValue
    var verifierID = ""
    var timeVerified = ""
    var verificationResult = ""
    var verifiedLevels: [String] = []

    init(payload: [UInt8]) throws(AttestationError) {
        let json: JSONValue
        do {
            json = try JSONValue.parse(Data(payload), maxBytes: Provenance.maxBytes, what: "statement")
        } catch {
            throw AttestationError(.malformedStatement, error.message)
        }
        let statement = try JSONObjectReader(json, path: "statement", code: .malformedStatement)
        let type = try statement.string("_type")
        guard type == Statement.inTotoV1 else {
            throw statement.fail("_type", "\(VSAVerifier.excerpt(type)) is not \(Statement.inTotoV1)")
        }
        predicateType = try statement.string("predicateType")
        var subjects: [VerificationSummary.Subject] = []
        for (index, element) in try statement.array("subject").enumerated() {
            let entry = try JSONObjectReader(element, path: "\(statement.child("subject"))[\(index)]", code: .malformedStatement)
            let name = try entry.string("name")
            let digest = try JSONObjectReader(entry.require("digest"), path: entry.child("digest"), code: .malformedStatement)
            let sha256 = try digest.string("sha256")
            guard SHA256Hex(sha256) != nil else {
                throw digest.fail("sha256", "not 64 lowercase hex digits")
            }
            subjects.append(VerificationSummary.Subject(name: name, sha256: sha256))
        }
        self.subjects = subjects
        predicate = try statement.require("predicate")
    }

    /// Reads the summary predicate's required fields (after the predicate type was checked).
    mutating func readPredicate() throws(AttestationError) {
        let predicate = try JSONObjectReader(self.predicate, path: "statement.predicate", code: .malformedStatement)
        let verifier = try JSONObjectReader(predicate.require("verifier"), path: predicate.child("verifier"), code: .malformedStatement)
        verifierID = try verifier.string("id")
        timeVerified = try predicate.string("timeVerified")
        guard RFC3339.parse(timeVerified) != nil else { throw predicate.fail("timeVerified", "not an RFC 3339 timestamp") }
        _ = try predicate.string("resourceUri")
        let policy = try JSONObjectReader(predicate.require("policy"), path: predicate.child("policy"), code: .malformedStatement)
        _ = try policy.string("uri")
        verificationResult = try predicate.string("verificationResult")
        guard verificationResult == "PASSED" || verificationResult == "FAILED" else {
            throw predicate.fail("verificationResult", "\(VSAVerifier.excerpt(verificationResult)) is neither PASSED nor FAILED")
        }
        var levels: [String] = []
        for (index, element) in try predicate.array("verifiedLevels").enumerated() {
            guard case .string(let level) = element else {
                throw AttestationError(.malformedStatement, "\(predicate.child("verifiedLevels"))[\(index)]: expected a string")
            }
            levels.append(level)
        }
        verifiedLevels = levels
    }
}
