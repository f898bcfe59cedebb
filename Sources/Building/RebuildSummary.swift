import Attestations
import Foundation
import PythonPackaging
import Verification

/// A signed statement of a rebuild's result: a SLSA Verification Summary (v1) about the attested
/// wheel, in the same form `verify --vsa` writes (a DSSE envelope, in-toto payload).
///
/// Guarantees: one subject, the attested wheel's filename and sha256; `verifier.id` is
/// ``verifierID``; `policy.uri` is the build type whose recorded inputs were used;
/// `inputAttestations` holds the provenance file by sha256; `verificationResult` is `PASSED` only
/// for `reproduced` and `reproduced-normalised`, and `verifiedLevels` says which
/// (`WHEELTRUST_REPRODUCED_BYTES`, `WHEELTRUST_REPRODUCED_NORMALISED`); the envelope's signature
/// covers `PAE(in-toto type, statement)` over exactly the bytes written.
public enum RebuildSummary {
    public static let verifierID = "urn:wheeltrust:verifier:rebuild"

    public static func statement(
        _ report: RebuildReport, provenanceFile: String, provenanceSHA256: SHA256Hex, timeVerified: Date
    ) -> [UInt8] {
        let (result, levels): (String, [String]) =
            switch report.outcome {
            case .reproduced: ("PASSED", ["WHEELTRUST_REPRODUCED_BYTES"])
            case .reproducedNormalised: ("PASSED", ["WHEELTRUST_REPRODUCED_NORMALISED"])
            case .notReproduced: ("FAILED", [])
            }
        let statement: JSONValue = .object([
            "_type": .string(Statement.inTotoV1),
            "subject": .array([
                .object([
                    "name": .string(report.recorded.wheelFilename),
                    "digest": .object(["sha256": .string(report.recorded.wheelSHA256.text)]),
                ])
            ]),
            "predicateType": .string(VerificationSummary.predicateType),
            "predicate": .object([
                "verifier": .object(["id": .string(verifierID)]),
                "timeVerified": .string(SLSAProvenance.timestamp(timeVerified)),
                "resourceUri": .string(report.recorded.wheelFilename),
                "policy": .object(["uri": .string(BuildProvenance.buildType)]),
                "inputAttestations": .array([
                    .object([
                        "uri": .string((provenanceFile as NSString).lastPathComponent),
                        "digest": .object(["sha256": .string(provenanceSHA256.text)]),
                    ])
                ]),
                "verificationResult": .string(result),
                "verifiedLevels": .array(levels.map(JSONValue.string)),
                "slsaVersion": .string("1.0"),
            ]),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(statement)) ?? Data())
    }

    /// Signs the summary of `report` with `key` and writes the envelope to `path` atomically.
    public static func write(_ report: RebuildReport, provenanceFile: String, key: PrivateKey, to path: String) throws(BuildError) {
        let provenanceSHA256 = try Rebuilder.sha256(provenanceFile)
        let payload = statement(report, provenanceFile: provenanceFile, provenanceSHA256: provenanceSHA256, timeVerified: Date())
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(try VerificationSummary.envelope(statement: payload, key: key))
        } catch {
            throw BuildError(.operational, "cannot sign the rebuild summary: \(error)")
        }
        do {
            try AtomicFile.write(Array(data) + [0x0A], to: path)
        } catch {
            throw BuildError(.operational, "cannot write the rebuild summary \(path): \(error.message)")
        }
    }
}
