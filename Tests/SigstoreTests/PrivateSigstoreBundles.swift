import AttestationsTestSupport
import Crypto
import Foundation

@testable import Attestations
@testable import Sigstore

/// Key-signed Sigstore bundles from the private Sigstore (test support): what
/// `cosign sign-blob --key` / `cosign attest-blob --key` produce — a v0.3 bundle whose
/// verification material is a `publicKey` hint, a `messageSignature` (SHA-256 digest + ECDSA
/// P-256 signature over the artifact) or a `dsseEnvelope` (in-toto statement naming the
/// artifact), logged in the private Rekor as `hashedrekord` / `dsse` (0.0.1 with SET, or 0.0.2 on
/// the Ed25519 v2 log) with the key as verifier, plus RFC 3161 tokens from the private TSA.
extension PrivateSigstore {
    /// What the bundle signs.
    enum BundleContentKind {
        case messageSignature
        case dsse
    }

    /// How the entry is logged.
    enum BundleEntryKind {
        /// `hashedrekord` for a message signature, `dsse` for an envelope (the defaults).
        case natural
        /// `hashedrekord` over SHA-256(PAE) for an envelope (Rekor v2's other accepted form).
        case hashedRekord
    }

    /// Every knob of one key-signed bundle; the defaults verify with `signingKey`.
    struct BundleScenario {
        var content = BundleContentKind.messageSignature
        var entryKind = BundleEntryKind.natural
        var artifact = Array("wheeltrust private artifact\n".utf8)
        /// The bundle media type.
        var mediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
        /// Write `messageSignature.messageDigest`.
        var includeDigest = true
        /// The Rekor body names this key instead of the signing key.
        var bodyKey: P256.Signing.PublicKey?
        /// The Rekor body records another digest: this one for a hashedrekord body; for a dsse
        /// body, the payload hash of another statement.
        var bodyDigest: [UInt8]?
        /// Flip a byte of the signature before logging it (the body and bundle agree; the
        /// signature no longer verifies).
        var corruptSignature = false
        /// Leave `tlogEntries` empty.
        var omitEntry = false
        /// The log, time and timestamp knobs (leaf/CA knobs are unused).
        var log = Scenario()
    }

    /// One issued key-signed bundle and the trusted root of the instance.
    struct IssuedBundle {
        let bundleJSON: Data
        let trustedRootJSON: Data
        let artifact: [UInt8]
        let signingKey: P256.Signing.PrivateKey

        func bundle() throws -> SigstoreBundle { try SigstoreBundle.decode(bundleJSON) }
        func trustedRoot() throws -> TrustedRoot { try TrustedRoot.decode(trustedRootJSON) }
        /// The signing key as the module's `PublicKey` (what `--key` reads).
        func publicKey() throws -> PublicKey { try PublicKey(pem: signingKey.publicKey.pemRepresentation) }

        /// `BundleVerifier.verify` with `key` (default: the signing key) over `artifact` (default: the signed one).
        func verify(key: PublicKey? = nil, artifact: [UInt8]? = nil, root: TrustedRoot? = nil) async throws -> BundleVerdict {
            let digest = Array(SHA256.hash(data: artifact ?? self.artifact))
            return await BundleVerifier(trustedRoot: try root ?? trustedRoot())
                .verify(try bundle(), artifactDigest: digest, policy: .key(try key ?? publicKey()))
        }
    }

    func issueBundle(_ b: BundleScenario = BundleScenario()) throws -> IssuedBundle {
        let key = P256.Signing.PrivateKey()
        let s = b.log
        let v2 = s.rekorVersion == .v2
        let digest = Array(SHA256.hash(data: b.artifact))
        let bodyKey = b.bodyKey ?? key.publicKey
        let keyPEM = bodyKey.pemRepresentation + "\n"
        let keySPKI = Data(bodyKey.derRepresentation).base64EncodedString()

        let signature: [UInt8]
        let body: [UInt8]
        let kind: String
        var document: [String: Any] = ["mediaType": b.mediaType]
        switch b.content {
        case .messageSignature:
            // cosign sign-blob --key: ECDSA P-256 with SHA-256 over the artifact bytes.
            signature = Self.corrupt(Array(try key.signature(for: b.artifact).derRepresentation), b.corruptSignature)
            body = try Self.hashedRekordBody(
                digest: b.bodyDigest ?? digest, signature: signature, keyPEM: keyPEM,
                keySPKI: keySPKI, v2: v2)
            kind = "hashedrekord"
            var message: [String: Any] = ["signature": Data(signature).base64EncodedString()]
            if b.includeDigest {
                message["messageDigest"] = ["algorithm": "SHA2_256", "digest": Data(digest).base64EncodedString()]
            }
            document["messageSignature"] = message
        case .dsse:
            let statement = Array(
                #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"artifact.bin","digest":{"sha256":"\#(Self.hex(digest))"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}"#
                    .utf8)
            let payloadType = "application/vnd.in-toto+json"
            let pae = Array("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(statement.count) ".utf8) + statement
            signature = Self.corrupt(Array(try key.signature(for: pae).derRepresentation), b.corruptSignature)
            switch b.entryKind {
            case .hashedRekord:
                body = try Self.hashedRekordBody(
                    digest: b.bodyDigest ?? Array(SHA256.hash(data: pae)), signature: signature,
                    keyPEM: keyPEM, keySPKI: keySPKI, v2: v2)
                kind = "hashedrekord"
            case .natural:
                let payloadForHash = b.bodyDigest.map { _ in Array("another statement".utf8) } ?? statement
                if v2 {
                    body = try Self.dsseV002Body(
                        payload: payloadForHash, signature: signature,
                        verifier: ["publicKey": ["rawBytes": keySPKI]])
                } else {
                    body = try Self.canonical([
                        "apiVersion": "0.0.1", "kind": "dsse",
                        "spec": [
                            "envelopeHash": ["algorithm": "sha256", "value": Self.hex(SHA256.hash(data: statement))],
                            "payloadHash": ["algorithm": "sha256", "value": Self.hex(SHA256.hash(data: payloadForHash))],
                            "signatures": [
                                [
                                    "signature": Data(signature).base64EncodedString(),
                                    "verifier": Data(keyPEM.utf8).base64EncodedString(),
                                ]
                            ],
                        ] as [String: Any],
                    ])
                }
                kind = "dsse"
            }
            document["dsseEnvelope"] =
                [
                    "payload": Data(statement).base64EncodedString(), "payloadType": payloadType,
                    "signatures": [["sig": Data(signature).base64EncodedString()]],
                ] as [String: Any]
        }
        let entry = try logEntry(body: body, kind: kind, s)
        var material: [String: Any] = [
            "publicKey": ["hint": Data(SHA256.hash(data: key.publicKey.derRepresentation)).base64EncodedString()],
            "tlogEntries": b.omitEntry ? [] : [entry],
        ]
        let tokens = try timestampTokens(over: signature, s)
        if !tokens.isEmpty {
            material["timestampVerificationData"] = [
                "rfc3161Timestamps": tokens.map { ["signedTimestamp": Data($0).base64EncodedString()] }
            ]
        }
        document["verificationMaterial"] = material
        return IssuedBundle(
            bundleJSON: Data(try Self.canonical(document)), trustedRootJSON: try trustedRootJSON(s),
            artifact: b.artifact, signingKey: key)
    }

    /// `signature` with its last byte flipped when `flip` (the DER still parses).
    static func corrupt(_ signature: [UInt8], _ flip: Bool) -> [UInt8] {
        guard flip, !signature.isEmpty else { return signature }
        var out = signature
        out[out.count - 1] ^= 0x01
        return out
    }

    /// A hashedrekord body: 0.0.1 (`spec.data.hash` hex, base64 PEM key) or 0.0.2
    /// (`spec.hashedRekordV002`, SHA2_256 digest, DER SPKI verifier).
    static func hashedRekordBody(digest: [UInt8], signature: [UInt8], keyPEM: String, keySPKI: String, v2: Bool) throws -> [UInt8] {
        if v2 {
            return try canonical([
                "apiVersion": "0.0.2", "kind": "hashedrekord",
                "spec": [
                    "hashedRekordV002": [
                        "data": ["algorithm": "SHA2_256", "digest": Data(digest).base64EncodedString()],
                        "signature": [
                            "content": Data(signature).base64EncodedString(),
                            "verifier": ["publicKey": ["rawBytes": keySPKI], "keyDetails": "PKIX_ECDSA_P256_SHA_256"] as [String: Any],
                        ],
                    ] as [String: Any]
                ],
            ])
        }
        return try canonical([
            "apiVersion": "0.0.1", "kind": "hashedrekord",
            "spec": [
                "data": ["hash": ["algorithm": "sha256", "value": hex(digest)]],
                "signature": [
                    "content": Data(signature).base64EncodedString(),
                    "publicKey": ["content": Data(keyPEM.utf8).base64EncodedString()],
                ],
            ] as [String: Any],
        ])
    }
}
