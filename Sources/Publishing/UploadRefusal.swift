import PythonPackaging

/// Why an upload (or a provenance added to an uploaded file) was refused at the door.
///
/// A refusal is a value, never an error: the server answers it as PyPI does (`400` with the
/// message as the status line's reason and as the body). Guarantees: `message` is one line that
/// names what was wrong and where; it never holds a token or a password (nothing secret reaches
/// the checks that build it). The `code` says which check refused, for tests and logs.
public struct UploadRefusal: Sendable, Hashable, CustomStringConvertible {
    /// Which check refused.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The request is not a well-formed upload form (multipart syntax, a missing or repeated
        /// field, `:action`, `protocol_version`).
        case malformedForm = "malformed-form"
        /// The file or a form field is larger than the server accepts.
        case tooLarge = "too-large"
        /// The filename is not a wheel or sdist filename.
        case badFilename = "bad-filename"
        /// The form's `name`/`version` or `filetype` do not agree with the filename.
        case fieldMismatch = "field-mismatch"
        /// The wheel cannot be read, or its METADATA disagrees with the filename and the form.
        case invalidDistribution = "invalid-distribution"
        /// No digest was sent, or a digest does not match the bytes received.
        case digestMismatch = "digest-mismatch"
        /// Provenance is required and the upload carries no attestation.
        case missingAttestations = "missing-attestations"
        /// The `attestations` field (or a provenance document) is not PEP 740 JSON.
        case malformedAttestations = "malformed-attestations"
        /// A statement names another file (subject name or digest) than the one uploaded.
        case attestationForAnotherFile = "attestation-for-another-file"
        /// A signature did not verify, or its signer is not one the policy accepts for the project.
        case untrustedSigner = "untrusted-signer"
        /// A statement breaks the rule's requirements (statement type, predicate type, builder).
        case statementRejected = "statement-rejected"
        /// No policy rule covers the project, or its rule accepts no signer while attestations came.
        case noPolicyRule = "no-policy-rule"
        /// A file of that name exists with other bytes (files are immutable).
        case fileExists = "file-exists"
        /// The provenance names a file that is not in the store.
        case unknownFile = "unknown-file"
    }

    public let code: Code
    /// One line, for the status line and the body.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// The outcome of one door check: the checked value, or the refusal that stopped it.
public enum Checked<Value: Sendable>: Sendable {
    case passed(Value)
    case refused(UploadRefusal)

    /// The refusal, nil when the check passed.
    public var refusal: UploadRefusal? {
        if case .refused(let refusal) = self { return refusal }
        return nil
    }

    /// The value, nil when refused.
    public var value: Value? {
        if case .passed(let value) = self { return value }
        return nil
    }
}

extension UploadRefusal {
    /// Untrusted text (a field value, a filename) shortened to `limit` characters with every
    /// control, bidi or line-break character escaped, for a refusal's one line.
    public static func excerpt(_ text: String, limit: Int = 120) -> String {
        let escaped = TerminalEscaping.escape(text)
        return escaped.count > limit ? String(escaped.prefix(limit)) + "…" : escaped
    }
}
