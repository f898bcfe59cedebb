import PythonPackaging

/// What a signature verifier concluded about one attestation.
public enum SignatureVerdict: Verdict, Hashable {
    /// The signature is valid and made by `signer` (a trusted key's name and id, or an identity,
    /// for people) who is `identity` (for comparisons and policies).
    case verified(signer: String, identity: SignerIdentity)
    /// The verifier applies to this attestation and the signature did not verify.
    case failed(String)
    /// The verifier does not handle this kind of attestation (e.g. key verifier, Sigstore bundle).
    case notApplicable(String)

    public var isVerified: Bool {
        if case .verified = self { return true }
        return false
    }

    /// Who signed, when verified.
    public var identity: SignerIdentity? {
        if case .verified(_, let identity) = self { return identity }
        return nil
    }

    /// Why it is not verified: the failure, or why the verifier does not apply.
    public var failure: String? {
        switch self {
        case .verified: nil
        case .failed(let reason), .notApplicable(let reason): reason
        }
    }
}

/// Something that can verify the signature of a PEP 740 attestation.
///
/// Implementations verify over the exact envelope bytes (`DSSE.pae` of the in-toto payload type
/// and `attestation.envelope.statement`); they never re-serialise the statement.
public protocol AttestationSignatureVerifier: Sendable {
    func verifySignature(of attestation: Attestation, publisher: Publisher) async -> SignatureVerdict
}

/// Verifies key-signed attestations (no `verification_material`, as Red Hat publishes them)
/// against a fixed list of trusted public keys.
///
/// Guarantees: `.verified` only when one trusted key verifies the signature over
/// `PAE("application/vnd.in-toto+json", statement)` with a padding that key allows; no keys is
/// `.failed`, never a pass; attestations carrying Sigstore material are `.notApplicable`.
public struct KeySignatureVerifier: AttestationSignatureVerifier {
    public let trustedKeys: [TrustedKey]

    public init(trustedKeys: [TrustedKey]) {
        self.trustedKeys = trustedKeys
    }

    public func verifySignature(of attestation: Attestation, publisher: Publisher) async -> SignatureVerdict {
        if attestation.verificationMaterial != nil {
            return .notApplicable("Sigstore keyless")
        }
        guard !trustedKeys.isEmpty else {
            return .failed("no trusted key")
        }
        let message = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        for trusted in trustedKeys where Self.verifies(trusted, signature: attestation.envelope.signature, message: message) {
            return .verified(
                signer: "\(trusted.name) (\(trusted.key.kind), key id \(trusted.key.keyID), sha256 \(trusted.key.fingerprint))",
                identity: .key(name: trusted.name, fingerprint: "sha256:\(trusted.key.fingerprint)"))
        }
        let names = trustedKeys.map { "\($0.name) (\($0.key.keyID))" }.joined(separator: ", ")
        return .failed("signature matches no trusted key (tried \(names))")
    }

    static func verifies(_ trusted: TrustedKey, signature: [UInt8], message: [UInt8]) -> Bool {
        if case .rsa = trusted.key.kind {
            return trusted.allowedRSAPaddings.sorted().contains { padding in
                trusted.key.isValidSignature(signature, for: message, rsaPadding: padding)
            }
        }
        return trusted.key.isValidSignature(signature, for: message, rsaPadding: .pkcs1v15)
    }
}
