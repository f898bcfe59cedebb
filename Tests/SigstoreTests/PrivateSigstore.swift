import AttestationsTestSupport
import Crypto
import Foundation
import SwiftASN1
import X509

@testable import Attestations
@testable import Sigstore

/// A private Sigstore built in the tests (test support, no network, no fixture files): its own
/// Fulcio-like CA (self-signed root + intermediate), a CT log key and a Rekor-style log key (all
/// ECDSA P-256, fresh per instance), from which `issue` makes one PEP 740 keyless attestation
/// shaped exactly like the real vectors, plus the `trusted_root.json` that describes the instance.
///
/// Everything is built here from the specs, independently of the module under test (PAE, SCT
/// `digitally-signed` struct, RFC 6962 Merkle tree, signed-note checkpoint, RFC 8785 SET payload),
/// so a verifier bug cannot cancel itself out. `Scenario` has one knob per edge the real vectors
/// lack (expired CA window, CT/Rekor key outside its window, two SCTs, checkpoint size/origin,
/// foreign CA with the same names, …); the defaults give an attestation that verifies.
///
/// The instance also runs a Rekor v2 log (Ed25519 key, C2SP signed-note checkpoints, dsse /
/// hashedrekord 0.0.2 bodies, no SET: `Scenario.rekorVersion`) and a timestamp authority
/// (`PrivateTSA`, listed in `timestampAuthorities`) whose RFC 3161 tokens `Scenario.timestamps`
/// adds; `issueBundle` (PrivateSigstoreBundles.swift) makes key-signed Sigstore bundles.
struct PrivateSigstore {
    /// A CA: a self-signed root and an intermediate it issued (Fulcio's shape).
    struct Authority {
        let rootKey: P256.Signing.PrivateKey
        let root: Certificate
        let intermediateKey: P256.Signing.PrivateKey
        let intermediate: Certificate

        /// A root `CN=<name>` and intermediate `CN=<name>-intermediate`, both `O=wheeltrust.test`.
        /// Two authorities made with the same name have identical subject names but other keys.
        init(name: String = "private-fulcio", notBefore: Date, notAfter: Date, intermediateNotAfter: Date? = nil) throws {
            rootKey = P256.Signing.PrivateKey()
            intermediateKey = P256.Signing.PrivateKey()
            let rootName = try DistinguishedName {
                OrganizationName("wheeltrust.test")
                CommonName(name)
            }
            let intermediateName = try DistinguishedName {
                OrganizationName("wheeltrust.test")
                CommonName("\(name)-intermediate")
            }
            root = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
                notValidBefore: notBefore, notValidAfter: notAfter, issuer: rootName, subject: rootName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 1))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                },
                issuerPrivateKey: .init(rootKey))
            intermediate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(intermediateKey.publicKey),
                notValidBefore: notBefore, notValidAfter: intermediateNotAfter ?? notAfter, issuer: rootName, subject: intermediateName,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    try ExtendedKeyUsage([.codeSigning])
                },
                issuerPrivateKey: .init(rootKey))
        }
    }

    /// The identity a leaf certificate carries: its SAN and Fulcio extensions.
    struct LeafIdentity {
        enum SAN {
            case uri(String)
            case email(String)
        }
        var san: SAN
        /// `.1.1`, written raw (not DER), as Fulcio still does.
        var legacyIssuer: String?
        /// Fulcio arc (`8` … `22`) → value, written as DER UTF8String.
        var claims: [UInt: String]

        static let gitHubIssuer = "https://token.actions.githubusercontent.com"
        static let digest = "5b1a9e0c6d3f2e4a8b7c6d5e4f3a2b1c0d9e8f7a"

        /// A GitHub Actions identity as Fulcio maps the token (`config/identity/config.yaml`).
        static func gitHub(
            repository: String = "octo-org/octo-pkg", workflow: String = "release.yml",
            ref: String? = "refs/tags/v1.0.0", digest: String? = LeafIdentity.digest,
            configSuffix: String? = nil
        ) -> LeafIdentity {
            let source = "https://github.com/\(repository)"
            let at = configSuffix ?? ref ?? digest ?? ""
            let config = "\(source)/.github/workflows/\(workflow)@\(at)"
            var claims: [UInt: String] = [
                8: gitHubIssuer, 9: config, 11: "github-hosted", 12: source, 15: "123456789",
                16: "https://github.com/\(repository.split(separator: "/").first.map(String.init) ?? "")", 17: "987654",
                18: config, 20: "release", 21: "\(source)/actions/runs/42/attempts/1", 22: "public",
            ]
            if let digest {
                claims[10] = digest
                claims[13] = digest
                claims[19] = digest
            }
            if let ref { claims[14] = ref }
            return LeafIdentity(san: .uri(config), legacyIssuer: gitHubIssuer, claims: claims)
        }

        /// A GitLab CI identity (double-slash build config path).
        static func gitLab(
            repository: String = "octo-group/octo-pkg", workflowFilepath: String = ".gitlab-ci.yml",
            ref: String = "refs/heads/main"
        ) -> LeafIdentity {
            let source = "https://gitlab.com/\(repository)"
            let config = "\(source)//\(workflowFilepath)@\(ref)"
            return LeafIdentity(
                san: .uri(config), legacyIssuer: "https://gitlab.com",
                claims: [
                    8: "https://gitlab.com", 9: config, 12: source, 13: digest, 14: ref, 18: config, 19: digest, 20: "push",
                ])
        }

        /// A Google identity: email SAN, issuer accounts.google.com.
        static func google(email: String = "builder@octo-project.iam.gserviceaccount.com") -> LeafIdentity {
            LeafIdentity(san: .email(email), legacyIssuer: "https://accounts.google.com", claims: [8: "https://accounts.google.com"])
        }

        /// A CircleCI identity as Fulcio maps CircleCI's token: issuer
        /// `https://oidc.circleci.com/org/<org id>`, SAN and Build Signer URI
        /// `https://circleci.com/api/v2/projects/<project id>/pipeline-definitions/<definition id>`,
        /// Source Repository URI/Ref = the token's `vcs-origin`/`vcs-ref`.
        static func circleCI(
            organizationID: String = "b2c1e7a4-0000-4000-8000-00000000c1c1",
            projectID: String = "5d0e3c2a-0000-4000-8000-00000000f00d",
            pipelineDefinitionID: String = "9a8b7c6d-0000-4000-8000-0000000000aa",
            vcsOrigin: String = "github.com/octo-org/octo-pkg", vcsRef: String = "refs/heads/main",
            issuer: String? = nil, runnerEnvironment: String? = nil
        ) -> LeafIdentity {
            let signer = "https://circleci.com/api/v2/projects/\(projectID)/pipeline-definitions/\(pipelineDefinitionID)"
            let iss = issuer ?? "https://oidc.circleci.com/org/\(organizationID)"
            var claims: [UInt: String] = [
                8: iss, 9: signer, 12: vcsOrigin, 14: vcsRef,
                18: "https://circleci.com/api/v2/pipeline/0f0e0d0c-0000-4000-8000-000000000001/config",
                21: "https://app.circleci.com/workflow/1/job/2",
            ]
            if let runnerEnvironment { claims[11] = runnerEnvironment }
            return LeafIdentity(san: .uri(signer), legacyIssuer: iss, claims: claims)
        }

        /// An ActiveState identity (ActiveState's issuer; SAN = the platform project URL).
        static func activeState(
            organization: String = "octo-org", project: String = "octo-pkg",
            issuer: String = "https://platform.activestate.com/api/v1/oauth/oidc"
        ) -> LeafIdentity {
            LeafIdentity(
                san: .uri("https://platform.activestate.com/\(organization)/\(project)"), legacyIssuer: issuer,
                claims: [8: issuer])
        }
    }

    /// Who signs the leaf certificate.
    enum LeafIssuer {
        /// The trusted intermediate (Fulcio's normal case).
        case intermediate
        /// The trusted root directly.
        case root
        /// An untrusted intermediate with exactly the trusted intermediate's subject name.
        case foreignIntermediate
    }

    /// How the trusted root lists the CA's certificates.
    enum ChainLayout {
        case intermediateThenRoot
        case rootThenIntermediate
        case rootOnly
        case intermediateOnly
    }

    /// Which key signs a log artefact.
    enum Signer {
        case log
        case other
        /// Another key, but the signature line carries the log key's hint (checkpoints only).
        case otherWithLogHint
    }

    /// A `validFor` window.
    struct Window {
        var start: Date
        var end: Date?
    }

    /// Every knob of one attestation; the defaults verify.
    struct Scenario {
        var identity = LeafIdentity.gitHub()
        var subjectName = "octo_pkg-1.0.0.tar.gz"
        var subjectSHA256 = String(repeating: "ab", count: 32)
        /// Rekor's integrated time (whole seconds).
        var integratedTime = PrivateSigstore.epoch.addingTimeInterval(150 * 86_400)
        /// Leaf validity; nil = integratedTime − 20 s … +10 min (Fulcio's lifetime).
        var leafNotBefore: Date?
        var leafNotAfter: Date?
        var codeSigningEKU = true
        var digitalSignature = true
        var leafIssuer = LeafIssuer.intermediate
        /// Number of SCTs in the leaf's SCT list (0 = no SCT extension).
        var sctCount = 1
        var sctSigner = Signer.log
        /// Sign the SCT over the root's key hash instead of the real issuer's.
        var sctOverRootKeyHash = false
        var chainLayout = ChainLayout.intermediateThenRoot
        var caWindow = Window(start: PrivateSigstore.epoch, end: nil)
        var ctWindow = Window(start: PrivateSigstore.epoch, end: nil)
        var rekorWindow = Window(start: PrivateSigstore.epoch, end: nil)
        var setSigner = Signer.log
        var checkpointSigner = Signer.log
        /// nil = `rekor.private.test - 4242`.
        var checkpointOrigin: String?
        /// Put a witness cosignature line (another key, another name) before the log's signature.
        var checkpointWitness = false
        /// Added to the tree size the checkpoint states (its root stays the proof's root).
        var checkpointSizeDelta: Int64 = 0
        /// Leaves of the shard's tree and the entry's (shard-local) position in it.
        var treeSize = 7
        var leafIndex = 5
        /// Entries in earlier shards: the global `logIndex` is this plus `leafIndex`.
        var shardOffset: Int64 = 1_000_000
        /// Rekor v1 (ECDSA log, dsse 0.0.1, SET) or Rekor v2 (Ed25519 log, dsse 0.0.2, no SET).
        var rekorVersion = RekorVersion.v1
        /// The Rekor v2 log key's `validFor`.
        var rekorV2Window = Window(start: PrivateSigstore.epoch, end: nil)
        /// The `integratedTime` a Rekor v2 entry states (v2 logs never set one: 0 = absent).
        var v2IntegratedTime: Int64 = 0
        /// Leave the SET out of a Rekor v1 entry.
        var omitSET = false
        /// Leave the inclusion proof (and its checkpoint) out.
        var omitInclusionProof = false
        /// RFC 3161 timestamps over the signature (`verification_material.timestamps`).
        var timestamps: [TimestampSpec] = []
        /// The private TSA's `validFor` in the trusted root.
        var tsaWindow = Window(start: PrivateSigstore.epoch, end: nil)
    }

    /// Which Rekor API version logs the entry.
    enum RekorVersion {
        case v1
        case v2
    }

    /// One RFC 3161 timestamp to issue over the signature.
    struct TimestampSpec {
        /// Which TSA signs it.
        enum Authority {
            /// The instance's TSA, listed in the trusted root.
            case trusted
            /// Same names as the trusted TSA, other keys: never in the trusted root.
            case foreign
        }
        /// nil = the scenario's integratedTime + 30 s (inside the leaf's lifetime).
        var genTime: Date?
        var authority = Authority.trusted
        var options = PrivateTSA.TokenOptions()
        /// Stamp these bytes instead of the signature.
        var overOtherBytes: [UInt8]?

        init(
            genTime: Date? = nil, authority: Authority = .trusted, options: PrivateTSA.TokenOptions = .init(),
            overOtherBytes: [UInt8]? = nil
        ) {
            self.genTime = genTime
            self.authority = authority
            self.options = options
            self.overOtherBytes = overOtherBytes
        }
    }

    /// One issued attestation and the trusted root of the instance.
    struct Issued {
        let attestationJSON: Data
        let trustedRootJSON: Data
        let leaf: Certificate
        let leafKey: P256.Signing.PrivateKey

        func attestation() throws -> Attestation { try Attestation.decode(attestationJSON) }
        func trustedRoot() throws -> TrustedRoot { try TrustedRoot.decode(trustedRootJSON) }

        /// `SigstoreVerifier(trustedRoot:pins:).verifySignature(of:publisher:)` on this attestation.
        func verify(_ publisher: Publisher, pins: IdentityPins = IdentityPins()) async throws -> SignatureVerdict {
            await SigstoreVerifier(trustedRoot: try trustedRoot(), pins: pins)
                .verifySignature(of: try attestation(), publisher: publisher)
        }
    }

    /// 2025-01-01T00:00:00Z: the instance's CA and keys start here.
    static let epoch = Date(timeIntervalSince1970: 1_735_689_600)
    static let rekorURL = "https://rekor.private.test"
    static let rekorHost = "rekor.private.test"
    static let treeID = "4242"
    static let ctURL = "https://ct.private.test/2025"
    static let fulcioURL = "https://fulcio.private.test"
    /// The Rekor v2 log: its host is the checkpoint origin and the Ed25519 key name.
    static let rekorV2URL = "https://log2025-1.rekor.private.test"
    static let rekorV2Host = "log2025-1.rekor.private.test"

    let authority: Authority
    /// Same subject names as `authority`, other keys: never in the trusted root.
    let foreign: Authority
    let ctKey = P256.Signing.PrivateKey()
    let rekorKey = P256.Signing.PrivateKey()
    let otherKey = P256.Signing.PrivateKey()
    /// The Rekor v2 log key (Ed25519) and another Ed25519 key no root lists.
    let rekorV2Key = Curve25519.Signing.PrivateKey()
    let otherEd25519Key = Curve25519.Signing.PrivateKey()
    /// The timestamp authority the trusted root lists, and one with its names but other keys.
    let tsa: PrivateTSA
    let foreignTSA: PrivateTSA

    /// A fresh instance; `intermediateNotAfter` ends the trusted intermediate's own validity early
    /// (the CA's `validFor` in the trusted root stays as the scenario says).
    init(intermediateNotAfter: Date? = nil) throws {
        let end = Self.epoch.addingTimeInterval(10 * 365 * 86_400)
        authority = try Authority(notBefore: Self.epoch, notAfter: end, intermediateNotAfter: intermediateNotAfter)
        foreign = try Authority(notBefore: Self.epoch, notAfter: end)
        tsa = try PrivateTSA(notBefore: Self.epoch, notAfter: end)
        foreignTSA = try PrivateTSA(notBefore: Self.epoch, notAfter: end)
    }

    /// DER SubjectPublicKeyInfo of an Ed25519 key (RFC 8410: id-Ed25519 1.3.101.112).
    static func ed25519SPKI(_ key: Curve25519.Signing.PublicKey) -> [UInt8] {
        [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + Array(key.rawRepresentation)
    }

    /// The Rekor v2 log id: SHA-256 of the Ed25519 SPKI (what the trusted root lists).
    var rekorV2LogID: [UInt8] { Array(SHA256.hash(data: Self.ed25519SPKI(rekorV2Key.publicKey))) }

    /// `logId.keyId` of a key: SHA-256 of its DER SPKI (Rekor v1, CT).
    static func keyID(_ key: P256.Signing.PublicKey) -> [UInt8] {
        Array(SHA256.hash(data: key.derRepresentation))
    }

    // MARK: - Issuing

    func issue(_ s: Scenario = Scenario()) throws -> Issued {
        // 1. Statement and DSSE signature with a fresh leaf key.
        let leafKey = P256.Signing.PrivateKey()
        let statement = Array(
            #"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"\#(s.subjectName)","digest":{"sha256":"\#(s.subjectSHA256)"}}],"predicateType":"https://docs.pypi.org/attestations/publish/v1","predicate":null}"#
                .utf8)
        let payloadType = "application/vnd.in-toto+json"
        let pae = Array("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(statement.count) ".utf8) + statement
        let signature = Array(try leafKey.signature(for: pae).derRepresentation)

        // 2. The leaf certificate with its embedded SCT.
        let leaf = try issueLeaf(s, key: leafKey.publicKey)
        let leafDER = try Self.der(leaf)
        let leafPEM = try leaf.serializeAsPEM().pemString + "\n"

        // 3. Rekor dsse body: 0.0.1 (canonical JSON, as Rekor v1 stores it) or 0.0.2 (Rekor v2).
        let body: [UInt8]
        switch s.rekorVersion {
        case .v1:
            let envelopeJSON = try Self.canonical([
                "payload": Data(statement).base64EncodedString(), "payloadType": payloadType,
                "signatures": [["sig": Data(signature).base64EncodedString()]],
            ])
            body = try Self.canonical([
                "apiVersion": "0.0.1", "kind": "dsse",
                "spec": [
                    "envelopeHash": ["algorithm": "sha256", "value": Self.hex(SHA256.hash(data: envelopeJSON))],
                    "payloadHash": ["algorithm": "sha256", "value": Self.hex(SHA256.hash(data: statement))],
                    "signatures": [
                        [
                            "signature": Data(signature).base64EncodedString(),
                            "verifier": Data(leafPEM.utf8).base64EncodedString(),
                        ]
                    ],
                ] as [String: Any],
            ])
        case .v2:
            body = try Self.dsseV002Body(
                payload: statement, signature: signature,
                verifier: ["x509Certificate": ["rawBytes": Data(leafDER).base64EncodedString()]])
        }

        // 4.–6. Merkle proof, checkpoint, SET (v1) from the private log.
        let entry = try logEntry(body: body, kind: "dsse", s)

        // 7. The PEP 740 attestation, shaped like the real vectors.
        var material: [String: Any] = ["certificate": Data(leafDER).base64EncodedString(), "transparency_entries": [entry]]
        let tokens = try timestampTokens(over: signature, s)
        if !tokens.isEmpty { material["timestamps"] = tokens.map { Data($0).base64EncodedString() } }
        let attestation: [String: Any] = [
            "envelope": ["signature": Data(signature).base64EncodedString(), "statement": Data(statement).base64EncodedString()],
            "verification_material": material,
            "version": 1,
        ]
        return Issued(
            attestationJSON: Data(try Self.canonical(attestation)), trustedRootJSON: try trustedRootJSON(s),
            leaf: leaf, leafKey: leafKey)
    }

    /// The scenario's RFC 3161 tokens over `signature`.
    func timestampTokens(over signature: [UInt8], _ s: Scenario) throws -> [[UInt8]] {
        try s.timestamps.map { spec in
            let authority = spec.authority == .trusted ? tsa : foreignTSA
            return try authority.token(
                over: spec.overOtherBytes ?? signature,
                genTime: spec.genTime ?? s.integratedTime.addingTimeInterval(30), spec.options)
        }
    }

    /// A dsse 0.0.2 body (Rekor v2: `spec.dsseV002`, SHA2_256 payload hash, DER verifier).
    static func dsseV002Body(payload: [UInt8], signature: [UInt8], verifier: [String: Any]) throws -> [UInt8] {
        var verifier = verifier
        verifier["keyDetails"] = "PKIX_ECDSA_P256_SHA_256"
        return try canonical([
            "apiVersion": "0.0.2", "kind": "dsse",
            "spec": [
                "dsseV002": [
                    "payloadHash": ["algorithm": "SHA2_256", "digest": Data(SHA256.hash(data: payload)).base64EncodedString()],
                    "signatures": [["content": Data(signature).base64EncodedString(), "verifier": verifier]],
                ] as [String: Any]
            ],
        ])
    }

    /// The transparency entry (protobuf-JSON, as PEP 740 and bundles carry it) logging `body`
    /// of `kind` in the private log the scenario names: the body at `leafIndex` of a tree of
    /// `treeSize`, its audit path and a checkpoint over the root; for Rekor v1 (ECDSA key) a SET
    /// over the RFC 8785 payload and the integrated time; for Rekor v2 (Ed25519 key, C2SP
    /// signed-note hint, origin = the log host) neither. `version` overrides the kindVersion's
    /// version (default: 0.0.1 on a v1 log, 0.0.2 on a v2 log).
    func logEntry(body: [UInt8], kind: String, version: String? = nil, _ s: Scenario) throws -> [String: Any] {
        let v2 = s.rekorVersion == .v2
        let bodyBase64 = Data(body).base64EncodedString()

        // Merkle tree with the body at `leafIndex`, its audit path and root.
        precondition(s.leafIndex < s.treeSize)
        var leaves = (0..<s.treeSize).map { Self.leafHash(Array("other entry \($0)".utf8)) }
        leaves[s.leafIndex] = Self.leafHash(body)
        let root = Self.treeHash(leaves[...])
        let path = Self.auditPath(s.leafIndex, leaves[...])

        // Checkpoint (signed note) over the root.
        let logID = v2 ? rekorV2LogID : Self.keyID(rekorKey.publicKey)
        let host = v2 ? Self.rekorV2Host : Self.rekorHost
        let origin = s.checkpointOrigin ?? (v2 ? Self.rekorV2Host : "\(Self.rekorHost) - \(Self.treeID)")
        let noteBody = "\(origin)\n\(Int64(s.treeSize) + s.checkpointSizeDelta)\n\(Data(root).base64EncodedString())\n"
        let signatureLine: String
        if v2 {
            let noteKey = s.checkpointSigner == .log ? rekorV2Key : otherEd25519Key
            let hint = Self.ed25519Hint(name: host, key: s.checkpointSigner == .other ? noteKey.publicKey : rekorV2Key.publicKey)
            let noteSignature = Array(try noteKey.signature(for: Array(noteBody.utf8)))
            signatureLine = "\u{2014} \(host) \(Data(hint + noteSignature).base64EncodedString())\n"
        } else {
            let noteKey = s.checkpointSigner == .log ? rekorKey : otherKey
            let noteSignature = Array(try noteKey.signature(for: Array(noteBody.utf8)).derRepresentation)
            let hint = Array(Self.keyID(s.checkpointSigner == .other ? noteKey.publicKey : rekorKey.publicKey).prefix(4))
            signatureLine = "\u{2014} \(host) \(Data(hint + noteSignature).base64EncodedString())\n"
        }
        var note = noteBody + "\n"
        if s.checkpointWitness {
            let witness = Array(try otherKey.signature(for: Array(noteBody.utf8)).derRepresentation)
            let witnessHint = Array(Self.keyID(otherKey.publicKey).prefix(4))
            note += "\u{2014} witness.private.test \(Data(witnessHint + witness).base64EncodedString())\n"
        }
        note += signatureLine

        let logIndex = s.shardOffset + Int64(s.leafIndex)
        var entry: [String: Any] = [
            "canonicalizedBody": bodyBase64,
            "kindVersion": ["kind": kind, "version": version ?? (v2 ? "0.0.2" : "0.0.1")],
            "logId": ["keyId": Data(logID).base64EncodedString()],
            "logIndex": String(logIndex),
        ]
        if !s.omitInclusionProof {
            entry["inclusionProof"] =
                [
                    "checkpoint": ["envelope": note],
                    "hashes": path.map { Data($0).base64EncodedString() },
                    "logIndex": String(s.leafIndex),
                    "rootHash": Data(root).base64EncodedString(),
                    "treeSize": String(s.treeSize),
                ] as [String: Any]
        }
        if v2 {
            if s.v2IntegratedTime != 0 { entry["integratedTime"] = String(s.v2IntegratedTime) }
            return entry
        }
        // SET over the RFC 8785 payload (keys sorted: body, integratedTime, logID, logIndex).
        let integrated = Int64(s.integratedTime.timeIntervalSince1970)
        entry["integratedTime"] = String(integrated)
        if !s.omitSET {
            let setPayload =
                #"{"body":"\#(bodyBase64)","integratedTime":\#(integrated),"logID":"\#(Self.hex(logID))","logIndex":\#(logIndex)}"#
            let setKey = s.setSigner == .log ? rekorKey : otherKey
            let set = try setKey.signature(for: Array(setPayload.utf8)).derRepresentation
            entry["inclusionPromise"] = ["signedEntryTimestamp": set.base64EncodedString()]
        }
        return entry
    }

    /// C2SP signed-note key hint of an Ed25519 key named `name`:
    /// SHA-256(name || 0x0A || 0x01 || key)[:4].
    static func ed25519Hint(name: String, key: Curve25519.Signing.PublicKey) -> [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, 0x01] + Array(key.rawRepresentation)).prefix(4))
    }

    /// The leaf: precertificate TBS first (the final certificate without the SCT list), SCTs
    /// signed over it (RFC 6962 §3.2), then the final certificate with the SCT list appended.
    private func issueLeaf(_ s: Scenario, key: P256.Signing.PublicKey) throws -> Certificate {
        let issuerCert: Certificate
        let issuerKey: P256.Signing.PrivateKey
        switch s.leafIssuer {
        case .intermediate: (issuerCert, issuerKey) = (authority.intermediate, authority.intermediateKey)
        case .root: (issuerCert, issuerKey) = (authority.root, authority.rootKey)
        case .foreignIntermediate: (issuerCert, issuerKey) = (foreign.intermediate, foreign.intermediateKey)
        }
        let notBefore = s.leafNotBefore ?? s.integratedTime.addingTimeInterval(-20)
        let notAfter = s.leafNotAfter ?? notBefore.addingTimeInterval(600)
        let serial = Certificate.SerialNumber()

        var extensions: [Certificate.Extension] = [
            try Certificate.Extension(KeyUsage(digitalSignature: s.digitalSignature, keyEncipherment: !s.digitalSignature), critical: true),
            try Certificate.Extension(ExtendedKeyUsage(s.codeSigningEKU ? [.codeSigning] : [.emailProtection]), critical: false),
        ]
        let san: GeneralName
        switch s.identity.san {
        case .uri(let uri): san = .uniformResourceIdentifier(uri)
        case .email(let email): san = .rfc822Name(email)
        }
        extensions.append(try Certificate.Extension(SubjectAlternativeNames([san]), critical: true))
        if let legacy = s.identity.legacyIssuer {
            extensions.append(Certificate.Extension(oid: try Self.fulcioOID(1), critical: false, value: ArraySlice(legacy.utf8)))
        }
        for arc in s.identity.claims.keys.sorted() {
            var serializer = DER.Serializer()
            try serializer.serialize(ASN1UTF8String(s.identity.claims[arc] ?? ""))
            extensions.append(
                Certificate.Extension(oid: try Self.fulcioOID(arc), critical: false, value: ArraySlice(serializer.serializedBytes)))
        }

        func certificate(_ extensions: [Certificate.Extension]) throws -> Certificate {
            try Certificate(
                version: .v3, serialNumber: serial, publicKey: .init(key), notValidBefore: notBefore, notValidAfter: notAfter,
                issuer: issuerCert.subject, subject: DistinguishedName(), signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions(extensions), issuerPrivateKey: .init(issuerKey))
        }
        guard s.sctCount > 0 else { return try certificate(extensions) }
        let precertificateTBS = Array(try certificate(extensions).tbsCertificateBytes)
        let hashedKey = s.sctOverRootKeyHash ? authority.root.publicKey : issuerCert.publicKey
        var spki = DER.Serializer()
        try spki.serialize(hashedKey)
        let issuerKeyHash = Array(SHA256.hash(data: spki.serializedBytes))
        let sctKey = s.sctSigner == .log ? ctKey : otherKey
        let sctTime = UInt64(notBefore.timeIntervalSince1970 * 1000) + 500
        var list: [UInt8] = []
        for extra in 0..<s.sctCount {
            let sct = try Self.sct(key: sctKey, timestamp: sctTime + UInt64(extra), issuerKeyHash: issuerKeyHash, tbs: precertificateTBS)
            list += Self.u16(sct.count) + sct
        }
        var octets = DER.Serializer()
        try octets.serialize(ASN1OctetString(contentBytes: ArraySlice(Self.u16(list.count) + list)))
        extensions.append(
            Certificate.Extension(
                oid: SignedCertificateTimestamp.extensionOID, critical: false,
                value: ArraySlice(octets.serializedBytes)))
        return try certificate(extensions)
    }

    /// One TLS-encoded v1 SCT for a precertificate entry, signed with `key` (ECDSA, SHA-256).
    private static func sct(key: P256.Signing.PrivateKey, timestamp: UInt64, issuerKeyHash: [UInt8], tbs: [UInt8]) throws -> [UInt8] {
        let time = (0..<8).reversed().map { UInt8(truncatingIfNeeded: timestamp >> (8 * UInt64($0))) }
        // digitally-signed struct: version, signature_type (certificate_timestamp), timestamp,
        // entry_type (precert_entry), issuer_key_hash, TBS (u24 length), extensions (u16 length).
        let signed: [UInt8] =
            [0, 0] + time + [0, 1] + issuerKeyHash
            + [UInt8(truncatingIfNeeded: tbs.count >> 16), UInt8(truncatingIfNeeded: tbs.count >> 8), UInt8(truncatingIfNeeded: tbs.count)]
            + tbs + [0, 0]
        let signature = Array(try key.signature(for: signed).derRepresentation)
        // SCT: version, log id, timestamp, extensions (empty), hash sha256 (4), ecdsa (3), signature.
        return [0] + keyID(key.publicKey) + time + [0, 0] + [4, 3] + u16(signature.count) + signature
    }

    // MARK: - trusted_root.json

    func trustedRootJSON(_ s: Scenario) throws -> Data {
        let root = try Self.der(authority.root)
        let intermediate = try Self.der(authority.intermediate)
        let chain: [[UInt8]]
        switch s.chainLayout {
        case .intermediateThenRoot: chain = [intermediate, root]
        case .rootThenIntermediate: chain = [root, intermediate]
        case .rootOnly: chain = [root]
        case .intermediateOnly: chain = [intermediate]
        }
        func window(_ w: Window) -> [String: Any] {
            var out: [String: Any] = ["start": Self.rfc3339(w.start)]
            if let end = w.end { out["end"] = Self.rfc3339(end, fractional: true) }
            return out
        }
        func log(_ url: String, _ key: P256.Signing.PrivateKey, _ w: Window) -> [String: Any] {
            [
                "baseUrl": url, "hashAlgorithm": "SHA2_256",
                "publicKey": [
                    "rawBytes": key.publicKey.derRepresentation.base64EncodedString(),
                    "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": window(w),
                ] as [String: Any],
                "logId": ["keyId": Data(Self.keyID(key.publicKey)).base64EncodedString()],
            ]
        }
        let rekorV2: [String: Any] = [
            "baseUrl": Self.rekorV2URL, "hashAlgorithm": "SHA2_256",
            "publicKey": [
                "rawBytes": Data(Self.ed25519SPKI(rekorV2Key.publicKey)).base64EncodedString(),
                "keyDetails": "PKIX_ED25519", "validFor": window(s.rekorV2Window),
            ] as [String: Any],
            "logId": ["keyId": Data(rekorV2LogID).base64EncodedString()],
        ]
        let document: [String: Any] = [
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [log(Self.rekorURL, rekorKey, s.rekorWindow), rekorV2],
            "certificateAuthorities": [
                [
                    "subject": ["organization": "wheeltrust.test", "commonName": "private-fulcio"],
                    "uri": Self.fulcioURL,
                    "certChain": ["certificates": chain.map { ["rawBytes": Data($0).base64EncodedString()] }],
                    "validFor": window(s.caWindow),
                ] as [String: Any]
            ],
            "ctlogs": [log(Self.ctURL, ctKey, s.ctWindow)],
            "timestampAuthorities": [try tsa.trustedRootEntry(s.tsaWindow)],
        ]
        return Data(try Self.canonical(document))
    }

    // MARK: - Helpers (independent of the module under test)

    static func fulcioOID(_ arc: UInt) throws -> ASN1ObjectIdentifier {
        try ASN1ObjectIdentifier(elements: [1, 3, 6, 1, 4, 1, 57264, 1, arc])
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// Sorted keys, no whitespace, no escaped slashes: RFC 8785 for string-only objects.
    static func canonical(_ object: Any) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func u16(_ n: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)] }

    static func rfc3339(_ date: Date, fractional: Bool = false) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = fractional ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// RFC 6962 leaf hash `SHA-256(0x00 || data)`.
    static func leafHash(_ data: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: [0] + data)) }

    /// RFC 6962 node hash `SHA-256(0x01 || left || right)`.
    static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: [1] + left + right)) }

    /// RFC 6962 §2.1 MTH over leaf hashes.
    static func treeHash(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
        guard leaves.count > 1 else { return leaves.first ?? Array(SHA256.hash(data: [UInt8]())) }
        let k = splitPoint(leaves.count)
        return nodeHash(treeHash(leaves.prefix(k)), treeHash(leaves.dropFirst(k)))
    }

    /// RFC 6962 §2.1.1 PATH(m, D[n]): the audit path, leaf to root.
    static func auditPath(_ m: Int, _ leaves: ArraySlice<[UInt8]>) -> [[UInt8]] {
        guard leaves.count > 1 else { return [] }
        let k = splitPoint(leaves.count)
        if m < k { return auditPath(m, leaves.prefix(k)) + [treeHash(leaves.dropFirst(k))] }
        return auditPath(m - k, leaves.dropFirst(k)) + [treeHash(leaves.prefix(k))]
    }

    /// The largest power of two smaller than `n` (n > 1).
    private static func splitPoint(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}

extension PrivateSigstore {
    /// The GitHub publisher of `LeafIdentity.gitHub()`'s defaults.
    static func gitHubPublisher(repository: String = "octo-org/octo-pkg", workflow: String = "release.yml") -> Publisher {
        Publisher(kind: "GitHub", fields: ["repository": .string(repository), "workflow": .string(workflow), "environment": .null])
    }
}
