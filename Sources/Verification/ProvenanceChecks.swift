import Attestations

/// Turns the verdict on a provenance object into the `signature` and `statement` checks.
///
/// One attestation must carry both: a signature by a trusted signer AND a statement whose every
/// check passes. The attestation shown is the first that does, else the first whose signature
/// verified, else none (every attestation's reason is listed). A provenance whose attestations
/// could only be verified by a verifier not configured here (every verifier answered "not
/// applicable") is an `error` (could not check), never a pass. A failed `signature` check where
/// an attestation was refused only because keyless signers are not trusted (``KeylessRefusal``)
/// carries the remedy ``Remedy/allowKeyless``.
public enum ProvenanceChecks {
    public static func checks(for verdict: ProvenanceVerdict) -> [CheckResult] {
        let verdicts = verdict.attestations
        if verdicts.isEmpty {
            return [CheckResult(.signature, .fail, "the provenance holds no attestation")]
        }
        func label(_ item: AttestationVerdict) -> String { "attestation \(item.bundle + 1).\(item.index + 1)" }
        func signed(_ item: AttestationVerdict) -> String? {
            if case .verified(let signer, _) = item.signature { return signer }
            return nil
        }
        let chosen = verdict.decisive ?? verdicts.first { signed($0) != nil }

        var result: [CheckResult] = []
        if let chosen, let signer = signed(chosen) {
            result.append(CheckResult(.signature, .pass, "\(label(chosen)) signed by \(signer)"))
        } else {
            let reasons = verdicts.map { item -> String in
                if let malformed = item.malformed { return "\(label(item)): malformed: \(malformed)" }
                switch item.signature {
                case .verified(let signer, _): return "\(label(item)): verified by \(signer)"
                case .failed(let reason): return "\(label(item)): \(reason)"
                case .notApplicable(let reason): return "\(label(item)): \(reason)"
                }
            }
            let onlyUnsupported = verdicts.allSatisfy {
                if case .notApplicable = $0.signature { return $0.malformed == nil }
                return false
            }
            let refusedKeyless = verdicts.contains { $0.signature == .failed(KeylessRefusal.reason) }
            result.append(
                CheckResult(
                    .signature, onlyUnsupported ? .error : .fail, reasons.joined(separator: "; "),
                    remedy: refusedKeyless ? .allowKeyless : nil))
            return result
        }
        guard let chosen else { return result }
        let failing = chosen.checks.filter { !$0.passed }
        if let malformed = chosen.malformed {
            result.append(CheckResult(.statement, .fail, "malformed statement: \(malformed)"))
        } else if verdict.decisive != nil {
            result.append(CheckResult(.statement, .pass, describe(chosen)))
        } else if failing.isEmpty {
            result.append(CheckResult(.statement, .fail, "no statement check ran"))
        } else {
            result.append(CheckResult(.statement, .fail, failing.map { "\($0.name): \($0.detail)" }.joined(separator: "; ")))
        }
        return result
    }

    /// One line: subject, predicate type, builder, build type, finish time.
    static func describe(_ item: AttestationVerdict) -> String {
        guard let statement = item.statement else { return "statement checks passed" }
        var parts: [String] = []
        if let subject = statement.subjects.first {
            parts.append("subject \(subject.name) sha256 matches")
        }
        parts.append("predicate \(statement.predicateType)")
        let build = statement.build
        if let builder = build.builderID { parts.append("builder \(builder)") }
        if let buildType = build.buildType { parts.append("build type \(buildType)") }
        if let finished = build.finishedOn { parts.append("finished \(finished)") }
        parts.append("publisher \(item.publisher.kind)")
        return parts.joined(separator: "; ")
    }
}
