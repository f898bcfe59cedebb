import Foundation

@testable import Attestations
@testable import Sigstore
@testable import TUF

/// The JSON dialects: RFC 8785 canonical JSON (the signed entry timestamp payload), TUF's strict
/// reader and its OLPC canonical form, and TUF metadata of every role.
enum JSONTargets {
    static let bootstrapRoot: TUFRoot = {
        guard let bytes = try? SigstoreTUF.bootstrapRoot(.production), let root = try? TUFRoot.parse(bytes) else {
            preconditionFailure("bundled production TUF root")
        }
        return root
    }()

    static let canonicalJSON = FuzzTarget(
        "canonical-json", "JSONValue.parse + CanonicalJSON (RFC 8785) round trip; TUFJSON + TUFCanonicalJSON round trip; number formatting",
        sync: { bytes in
            var broken = Broken()
            if let value = try? JSONValue.parse(Data(bytes), what: "fuzz"), let canonical = try? CanonicalJSON.serialize(value) {
                let reread = try? JSONValue.parse(Data(canonical), what: "canonical")
                broken.require(reread == value, "RFC 8785 form does not read back as the same value")
                if let reread { broken.require((try? CanonicalJSON.serialize(reread)) == canonical, "RFC 8785 form is not stable") }
            }
            if let value = try? TUFJSON.parse(bytes), let canonical = TUFCanonicalJSON.serialize(value) {
                // The OLPC dialect writes control characters raw, which strict JSON refuses; only
                // forms without them must read back.
                if !canonical.contains(where: { $0 < 0x20 }) {
                    let reread = try? TUFJSON.parse(canonical)
                    broken.require(reread == value, "TUF canonical form does not read back as the same value")
                    if let reread { broken.require(TUFCanonicalJSON.serialize(reread) == canonical, "TUF canonical form is not stable") }
                }
            }
            if bytes.count >= 8 {
                let number = Double(bitPattern: bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
                if let text = try? CanonicalJSON.formatNumber(number) {
                    broken.require(number.isFinite, "\(number) formatted")
                    broken.require(Double(text) == number, "\(number.debugDescription) formatted as \(text), which reads back differently")
                    broken.require(!text.contains("+") || text.contains("e+"), "\(text): stray sign")
                } else {
                    broken.require(!number.isFinite, "finite \(number.debugDescription) refused")
                }
            }
            return broken.list
        })

    static let tuf = FuzzTarget(
        "tuf", "TUF metadata of every role (TUFEnvelope, TUFRoot, timestamp, snapshot, targets), keys, signature thresholds",
        sync: { bytes in
            var broken = Broken()
            if let root = try? TUFRoot.parse(bytes) {
                broken.require(root.keys.count <= TUFRoot.maxKeys, "\(root.keys.count) keys accepted")
                for role in TUFRoot.topLevelRoles {
                    broken.require((root.roles[role]?.threshold ?? 0) >= 1, "role \(role) without a threshold of at least 1")
                }
                // A new root must carry the threshold of the trusted one; one that does not is refused.
                _ = bootstrapRoot.thresholdProblem(for: "root", envelope: root.envelope)
                _ = root.thresholdProblem(for: "root", envelope: root.envelope)
                // The chain rule: only version N+1 signed by both thresholds follows version N.
                if let next = try? TUFRootChain.step(from: bootstrapRoot, bytes: bytes, file: "2.root.json") {
                    broken.require(
                        next.version == bootstrapRoot.version + 1, "root v\(next.version) accepted after v\(bootstrapRoot.version)")
                    broken.require(
                        bootstrapRoot.thresholdProblem(for: "root", envelope: next.envelope) == nil,
                        "a root without the trusted root's threshold accepted")
                }
                _ = try? TUFRootChain.bootstrap(bytes)
            }
            if let timestamp = try? TUFTimestamp.parse(bytes) {
                _ = bootstrapRoot.thresholdProblem(for: "timestamp", envelope: timestamp.envelope)
            }
            if let snapshot = try? TUFSnapshot.parse(bytes) {
                broken.require(snapshot.meta.count <= TUFSnapshot.maxEntries, "snapshot over the cap accepted")
            }
            if let targets = try? TUFTargets.parse(bytes) {
                broken.require(targets.targets.count <= TUFTargets.maxTargets, "targets over the cap accepted")
                broken.require(targets.targets.values.allSatisfy { $0.length >= 0 }, "negative target length accepted")
            }
            if let envelope = try? TUFEnvelope.parse(bytes, type: "root", role: "root") {
                broken.require(envelope.signatures.count <= TUFEnvelope.maxSignatures, "signatures over the cap accepted")
                broken.require(
                    (try? TUFJSON.parse(envelope.canonicalSigned)) != nil || envelope.canonicalSigned.contains { $0 < 0x20 },
                    "canonical signed part is not JSON")
            }
            return broken.list
        })
}
