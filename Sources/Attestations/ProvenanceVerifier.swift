import PythonPackaging

/// The verdict on one attestation of a provenance object.
public struct AttestationVerdict: Sendable, Hashable {
    /// Index of the bundle in `attestation_bundles`.
    public var bundle: Int
    /// Index of the attestation within its bundle.
    public var index: Int
    public var publisher: Publisher
    public var signature: SignatureVerdict
    /// The parsed statement; `nil` when it could not be parsed (see `malformed`).
    public var statement: Statement?
    public var checks: [StatementCheck]
    /// Why the statement could not be parsed, if it could not.
    public var malformed: String?

    /// Signature verified, statement parsed, and every check ran and passed.
    public var isVerified: Bool {
        signature.isVerified && malformed == nil && statement != nil && !checks.isEmpty && checks.allSatisfy(\.passed)
    }
}

/// The verdict on a whole provenance object.
public struct ProvenanceVerdict: Sendable, Hashable {
    /// One verdict per attestation, in document order (bundle, then index).
    public var attestations: [AttestationVerdict]

    /// The attestation that decides the verdict: the first (in document order) whose signature
    /// verified and whose statement passed every check; nil when there is none.
    public var decisive: AttestationVerdict? {
        attestations.first(where: \.isVerified)
    }

    /// At least one attestation whose signature verified and whose statement passed every check:
    /// the one place this is decided (the report's `signature`/`statement` checks and the
    /// offline cache follow it).
    public var isVerified: Bool {
        decisive != nil
    }
}

/// Verifies a PEP 740 provenance object for one distribution file.
///
/// Guarantees: every bundle and every attestation is examined and reported (nothing is skipped,
/// a statement that cannot be parsed is reported in `malformed`); the provenance is verified only
/// if at least one attestation's signature verified and all its statement checks passed.
public struct ProvenanceVerifier: Sendable {
    public let verifiers: [any AttestationSignatureVerifier]
    /// Checks a policy adds to every statement's (builders, predicate types); none by default.
    public let requirements: StatementRequirements

    public init(verifiers: [any AttestationSignatureVerifier], requirements: StatementRequirements = StatementRequirements()) {
        self.verifiers = verifiers
        self.requirements = requirements
    }

    public func verify(_ provenance: Provenance, distribution: String, sha256Hex: SHA256Hex) async -> ProvenanceVerdict {
        var verdicts: [AttestationVerdict] = []
        for (bundleIndex, bundle) in provenance.attestationBundles.enumerated() {
            for (index, attestation) in bundle.attestations.enumerated() {
                verdicts.append(
                    await verify(
                        attestation, publisher: bundle.publisher, bundle: bundleIndex, index: index,
                        distribution: distribution, sha256Hex: sha256Hex))
            }
        }
        return ProvenanceVerdict(attestations: verdicts)
    }

    func verify(
        _ attestation: Attestation, publisher: Publisher, bundle: Int, index: Int,
        distribution: String, sha256Hex: SHA256Hex
    ) async -> AttestationVerdict {
        let signature = await signatureVerdict(attestation, publisher: publisher)
        do {
            let statement = try Statement(parsing: attestation.envelope.statement)
            let checks =
                StatementChecks.evaluate(statement, distribution: distribution, sha256Hex: sha256Hex)
                + requirements.evaluate(statement)
            return AttestationVerdict(
                bundle: bundle, index: index, publisher: publisher, signature: signature,
                statement: statement, checks: checks, malformed: nil)
        } catch {
            return AttestationVerdict(
                bundle: bundle, index: index, publisher: publisher, signature: signature,
                statement: nil, checks: [], malformed: error.message)
        }
    }

    /// The first `.verified` of any verifier; otherwise every failure; otherwise why none applied.
    func signatureVerdict(_ attestation: Attestation, publisher: Publisher) async -> SignatureVerdict {
        guard !verifiers.isEmpty else { return .failed("no signature verifier configured") }
        var failures: [String] = []
        var skipped: [String] = []
        for verifier in verifiers {
            switch await verifier.verifySignature(of: attestation, publisher: publisher) {
            case .verified(let signer, let identity): return .verified(signer: signer, identity: identity)
            case .failed(let why): failures.append(why)
            case .notApplicable(let why): skipped.append(why)
            }
        }
        if !failures.isEmpty { return .failed(failures.joined(separator: "; ")) }
        return .notApplicable(skipped.joined(separator: "; "))
    }
}
