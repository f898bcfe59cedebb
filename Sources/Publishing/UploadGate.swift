import Attestations
import Foundation
import Policy
import PythonPackaging
import Sigstore

/// The door of a publishing index: judges the attestations that come with an upload (or a
/// provenance document added later) under the server's trust policy, with the same verifiers
/// verification uses (`RuleVerifier`: the rule's keys through `KeySignatureVerifier`, its
/// identities through `SigstoreVerifier`, its builders and predicate types through
/// `StatementRequirements`). There is no second verifier.
///
/// Guarantees:
/// - The rule is the policy's rule for the project (`Policy.select`); a rule scoped to an `index`
///   applies only when that index is this server's own index URL (`indexURL`, the URL the server
///   printed at start-up), never one a request names.
/// - An upload is accepted with provenance only when EVERY attestation verifies for that very
///   file: its statement's single subject names the uploaded filename and its sha256 digest is
///   the uploaded bytes' (`StatementChecks`), its signature is by a signer the rule accepts, and
///   the rule's requirements hold. One attestation that fails refuses the whole upload, with the
///   reason of the first that failed.
/// - Keyless attestations are judged as lone attestations (`Publisher.localFile`): the server is
///   the index, so no index-named publisher vouches for them; only a rule's named identities
///   accept them.
/// - Without attestations: refused under `requireProvenance`, and always when the project's
///   rule requires provenance (the flag never overrides a rule); accepted without provenance only
///   when unattested uploads are allowed and the rule (or the lack of one) does not require
///   provenance. A provenance added later (`judgeProvenance`) is verified under the rule in force
///   then (a policy tightened after such files were stored: the remediation path).
/// - The provenance document returned for storing holds only attestations that verified here,
///   grouped in bundles by the publisher derived from the verified signer (a key: its anchor
///   name and fingerprint; keyless: the identity the certificate satisfied), never a publisher
///   the uploader claimed.
public struct UploadGate: Sendable {
    public let policy: Policy
    /// Whether every upload must carry attestations (`--require-provenance`, the default).
    public let requireProvenance: Bool
    /// This server's own index URL (its simple URL), for rules scoped with `index`; nil until known.
    public let indexURL: URL?
    private let verifiers: [Int: ProvenanceVerifier]

    /// Most attestations one upload may carry.
    public static let maxAttestations = 32
    /// Largest `attestations` field or provenance document accepted (PEP 740's own bound here).
    public static let maxDocumentBytes = Provenance.maxBytes

    public init(policy: Policy, requireProvenance: Bool = true, trustedRoot: TrustedRoot, indexURL: URL? = nil) {
        self.policy = policy
        self.requireProvenance = requireProvenance
        self.indexURL = indexURL
        var verifiers: [Int: ProvenanceVerifier] = [:]
        for rule in policy.rules where rule.requirement == .provenance {
            verifiers[rule.position] = RuleVerifier.make(rule, in: policy, trustedRoot: trustedRoot)
        }
        self.verifiers = verifiers
    }

    /// The same gate judging rules against `indexURL` (set once the server knows its port).
    public func serving(at indexURL: URL) -> UploadGate {
        UploadGate(copying: self, indexURL: indexURL)
    }

    private init(copying other: UploadGate, indexURL: URL) {
        policy = other.policy
        requireProvenance = other.requireProvenance
        verifiers = other.verifiers
        self.indexURL = indexURL
    }

    // MARK: judging

    /// Judges an upload of `file` carrying `attestationsField` (the raw `attestations` form
    /// field: a JSON array of PEP 740 attestation objects), nil when the form had none.
    public func judgeUpload(_ file: UploadedFile, attestationsField: [UInt8]?, on date: Date = Date()) async -> GateDecision {
        guard let attestationsField else {
            return judgeUnattested(file, on: date)
        }
        switch Self.parseAttestations(attestationsField) {
        case .refused(let refusal): return .refused(refusal)
        case .passed(let attestations):
            if attestations.isEmpty { return judgeUnattested(file, on: date) }
            return await judge(attestations, for: file, on: date)
        }
    }

    /// Judges a provenance document added to an uploaded file (the Pulp-style provenance POST):
    /// every attestation of every bundle must verify for `file`; the publishers the document
    /// claims are not kept (the stored bundles name the verified signers).
    public func judgeProvenance(_ document: [UInt8], for file: UploadedFile, on date: Date = Date()) async -> GateDecision {
        guard document.count <= Self.maxDocumentBytes else {
            return .refused(UploadRefusal(.tooLarge, "the provenance document is larger than \(Self.maxDocumentBytes) bytes"))
        }
        let provenance: Provenance
        do {
            provenance = try Provenance.decode(Data(document))
        } catch {
            return .refused(UploadRefusal(.malformedAttestations, "the provenance document is not PEP 740 provenance: \(error.message)"))
        }
        let attestations = provenance.attestationBundles.flatMap(\.attestations)
        guard !attestations.isEmpty else {
            return .refused(UploadRefusal(.missingAttestations, "the provenance document holds no attestation"))
        }
        guard attestations.count <= Self.maxAttestations else {
            return .refused(
                UploadRefusal(
                    .tooLarge, "the provenance holds \(attestations.count) attestations; at most \(Self.maxAttestations) are accepted"))
        }
        return await judge(attestations, for: file, on: date)
    }

    /// Parses the `attestations` form field: a JSON array of PEP 740 attestation objects, each
    /// decoded strictly (unknown fields refused).
    public static func parseAttestations(_ field: [UInt8]) -> Checked<[Attestation]> {
        guard field.count <= maxDocumentBytes else {
            return .refused(UploadRefusal(.tooLarge, "the attestations field is larger than \(maxDocumentBytes) bytes"))
        }
        let elements: [JSONValue]
        do {
            elements = try JSONDecoder().decode([JSONValue].self, from: Data(field))
        } catch {
            return .refused(UploadRefusal(.malformedAttestations, "the attestations field is not a JSON array of attestation objects"))
        }
        guard elements.count <= maxAttestations else {
            return .refused(UploadRefusal(.tooLarge, "\(elements.count) attestations; at most \(maxAttestations) are accepted"))
        }
        var attestations: [Attestation] = []
        for (index, element) in elements.enumerated() {
            do {
                attestations.append(try JSONDecoder().decode(Attestation.self, from: JSONEncoder().encode(element)))
            } catch let error as AttestationError {
                return .refused(
                    UploadRefusal(.malformedAttestations, "attestation \(index) is not a PEP 740 attestation: \(error.message)"))
            } catch {
                return .refused(UploadRefusal(.malformedAttestations, "attestation \(index) is not a PEP 740 attestation"))
            }
        }
        return .passed(attestations)
    }

    /// The rule that decides `project` on this server, with its one-line summary.
    public func rule(for project: ProjectName, on date: Date = Date()) -> RuleSelection {
        policy.select(project, indexURL: indexURL, on: date)
    }

    private func judgeUnattested(_ file: UploadedFile, on date: Date) -> GateDecision {
        let selection = rule(for: file.project, on: date)
        if requireProvenance {
            return .refused(
                UploadRefusal(.missingAttestations, "\(file.filename) carries no attestation and this index requires provenance"))
        }
        if let rule = selection.rule, rule.requirement == .provenance {
            return .refused(
                UploadRefusal(
                    .missingAttestations,
                    "\(file.filename) carries no attestation and \(rule.label) requires provenance for \(file.project.normalized)"))
        }
        return .accepted(AcceptedUpload(provenance: nil, signers: [], rule: selection.summary))
    }

    private func judge(_ attestations: [Attestation], for file: UploadedFile, on date: Date) async -> GateDecision {
        let selection = rule(for: file.project, on: date)
        guard let rule = selection.rule else {
            return .refused(UploadRefusal(.noPolicyRule, "no policy rule covers \(file.project.normalized) (\(selection.summary))"))
        }
        guard rule.requirement == .provenance, let verifier = verifiers[rule.position] else {
            return .refused(
                UploadRefusal(
                    .noPolicyRule,
                    "\(rule.label) (require \(rule.requirement.rawValue)) accepts no signer for \(file.project.normalized), so its attestations cannot be verified"
                ))
        }
        let verdict = await verifier.verify(
            Provenance(attestationBundles: [AttestationBundle(publisher: .localFile, attestations: attestations)]),
            distribution: file.filename, sha256Hex: file.sha256)
        var bundles: [(publisher: Publisher, attestations: [Attestation])] = []
        var signers: [SignerIdentity] = []
        for attestationVerdict in verdict.attestations {
            if let refusal = Self.refusal(for: attestationVerdict, count: attestations.count, rule: rule) {
                return .refused(refusal)
            }
            guard let signer = attestationVerdict.signature.identity else {
                return .refused(UploadRefusal(.untrustedSigner, "attestation \(attestationVerdict.index): the signer is unknown"))
            }
            signers.append(signer)
            let publisher = Self.publisher(of: signer, rule: rule, policy: policy)
            let attestation = attestations[attestationVerdict.index]
            if let slot = bundles.firstIndex(where: { $0.publisher == publisher }) {
                bundles[slot].attestations.append(attestation)
            } else {
                bundles.append((publisher, [attestation]))
            }
        }
        let provenance = Provenance(
            attestationBundles: bundles.map { AttestationBundle(publisher: $0.publisher, attestations: $0.attestations) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let document = try? encoder.encode(provenance) else {
            return .refused(UploadRefusal(.malformedAttestations, "the verified attestations cannot be written as provenance"))
        }
        return .accepted(AcceptedUpload(provenance: [UInt8](document), signers: signers, rule: selection.summary))
    }

    /// The refusal for one attestation that did not verify, nil when it verified. Order: a
    /// statement that cannot be read, then the signature, then the file it names, then the
    /// rule's requirements and the statement's own type checks.
    static func refusal(for verdict: AttestationVerdict, count: Int, rule: Rule) -> UploadRefusal? {
        if verdict.isVerified { return nil }
        let which = count == 1 ? "the attestation" : "attestation \(verdict.index)"
        if let malformed = verdict.malformed {
            return UploadRefusal(.malformedAttestations, "\(which): \(malformed)")
        }
        if !verdict.signature.isVerified {
            let reason = verdict.signature.failure ?? "the signature did not verify"
            return UploadRefusal(.untrustedSigner, "\(which) is not signed by a signer \(rule.label) accepts: \(reason)")
        }
        let failed = verdict.checks.filter { !$0.passed }
        let fileChecks: Set<String> = [StatementChecks.singleSubject, StatementChecks.subjectName, StatementChecks.subjectDigest]
        if let wrongFile = failed.first(where: { fileChecks.contains($0.name) }) {
            return UploadRefusal(.attestationForAnotherFile, "\(which) is not for this file: \(wrongFile.name): \(wrongFile.detail)")
        }
        if let other = failed.first {
            return UploadRefusal(.statementRejected, "\(which): \(other.name): \(other.detail)")
        }
        return UploadRefusal(.untrustedSigner, "\(which) did not verify")
    }

    /// The PEP 740 publisher stored for a verified signer: a key names its policy anchor and
    /// fingerprint; a keyless signer is the identity its certificate satisfied.
    static func publisher(of signer: SignerIdentity, rule: Rule, policy: Policy) -> Publisher {
        switch signer {
        case .key(let name, let fingerprint):
            let anchor = RuleVerifier.proof(of: signer, rule: rule, in: policy).anchor ?? name
            return Publisher(kind: keyPublisherKind, fields: ["key": .string(anchor), "fingerprint": .string(fingerprint)])
        case .keyless(let publisher, _):
            return publisher
        }
    }

    /// The `kind` of the publisher stored for key-signed attestations.
    public static let keyPublisherKind = "wheeltrust key"
}

/// The file an upload brings, as the gate judges it.
///
/// Guarantees: nothing; the caller states what it computed (the sha256 is of the bytes received).
public struct UploadedFile: Sendable, Hashable {
    public var filename: String
    public var project: ProjectName
    public var sha256: SHA256Hex

    public init(filename: String, project: ProjectName, sha256: SHA256Hex) {
        self.filename = filename
        self.project = project
        self.sha256 = sha256
    }
}

/// The gate's decision on one upload.
public enum GateDecision: Sendable, Hashable {
    case accepted(AcceptedUpload)
    case refused(UploadRefusal)

    /// The refusal, nil when accepted.
    public var refusal: UploadRefusal? {
        if case .refused(let refusal) = self { return refusal }
        return nil
    }
}

/// What the gate accepted.
///
/// Guarantees: `provenance`, when present, is a PEP 740 provenance document whose every
/// attestation verified for the uploaded file under `rule`; nil only when unattested uploads are
/// allowed for the project.
public struct AcceptedUpload: Sendable, Hashable {
    public var provenance: [UInt8]?
    /// Who signed, one per attestation, in order.
    public var signers: [SignerIdentity]
    /// Which rule decided (or that none did), one line.
    public var rule: String

    public init(provenance: [UInt8]?, signers: [SignerIdentity], rule: String) {
        self.provenance = provenance
        self.signers = signers
        self.rule = rule
    }
}
