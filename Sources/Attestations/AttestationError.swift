/// The one error type of the Attestations module.
///
/// Thrown only for operational failures: input that cannot be read at all (malformed JSON, keys,
/// provenance objects or statements), unsupported or weak keys, signing failures, and files that
/// cannot be read or written. Tamper findings (a signature that does not verify, a subject that
/// does not match) are returned as values, never thrown. `message` is one line naming what was
/// wrong and where; it never carries key material.
public struct AttestationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        case malformedJSON
        case malformedKey
        case unsupportedKey
        case weakKey
        case malformedProvenance
        case malformedStatement
        case signing
        /// A transparency log entry (or its Rekor body / checkpoint) that cannot be read.
        case malformedLogEntry
        /// A Sigstore trusted root (`trusted_root.json`) that cannot be used.
        case malformedTrustedRoot
        /// An X.509 certificate (DER) that cannot be parsed.
        case malformedCertificate
        /// An RFC 3161 timestamp token that cannot be read.
        case malformedTimestamp
        /// A Sigstore bundle that cannot be read, or converted to or from a PEP 740 attestation.
        case malformedBundle
        /// A file given to `Attester` whose name is not a wheel or sdist filename.
        case malformedInput
        /// A file that cannot be read or written (`Attester`).
        case io
        /// A SLSA provenance predicate (or a part given on its own) that breaks its format.
        case malformedPredicate
        /// An encrypted private key given without a passphrase, or a passphrase for a key that is
        /// not encrypted.
        case passphraseRequired
        /// An encrypted private key the passphrase does not open (or whose ciphertext is damaged).
        case wrongPassphrase
        /// An external signer command that could not run, failed, or answered with a signature
        /// that does not verify against its public key.
        case externalSigner
    }

    /// The kind of failure.
    public let code: Code
    /// One line naming what was wrong and where.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
