import ArgumentParser
import Foundation
import IndexServer
import Policy
import Publishing
import Sigstore

/// Whether every upload must carry attestations.
enum ProvenanceDemand: String, EnumerableFlag {
    /// Every upload must carry attestations that verify (the default for a store).
    case requireProvenance
    /// Uploads without attestations are accepted for projects whose rule does not require provenance.
    case allowUnattested

    static func help(for value: ProvenanceDemand) -> ArgumentHelp? {
        switch value {
        case .requireProvenance:
            return "Refuse every upload without attestations that verify under the policy (the default)."
        case .allowUnattested:
            return "Accept uploads without attestations for projects whose policy rule does not require provenance."
        }
    }
}

/// The door check options of `serve --store`: the policy uploads are judged by, whether
/// provenance is required, the size limit, the Sigstore trusted root for keyless attestations.
struct ServeUploadOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "With --store: the trust policy uploads are judged by (default: as verify finds it: $WHEELTRUST_POLICY, the user configuration, the built-in policy).",
            valueName: "file"))
    var policy: String?

    @Flag(help: "With --store:")
    var provenance: ProvenanceDemand = .requireProvenance

    @Option(help: ArgumentHelp("With --store: the largest file an upload may carry (bytes, or with K, M or G).", valueName: "size"))
    var maxUploadSize: String = "100M"

    @Option(
        help: ArgumentHelp(
            "With --store: the Sigstore trusted_root.json keyless attestations are verified against (default: the public-good root bundled).",
            valueName: "file"))
    var uploadTrustedRoot: String?

    /// Whether any of these was given (they only make sense with a store).
    var anyGiven: Bool {
        policy != nil || provenance != .requireProvenance || maxUploadSize != "100M" || uploadTrustedRoot != nil
    }

    /// `--max-upload-size` in bytes.
    func maxUploadBytes() throws -> Int64 {
        var text = maxUploadSize.trimmingCharacters(in: .whitespaces).uppercased()
        var factor: Int64 = 1
        for (suffix, value) in [("K", Int64(1) << 10), ("M", Int64(1) << 20), ("G", Int64(1) << 30)] where text.hasSuffix(suffix) {
            factor = value
            text.removeLast()
        }
        guard let number = Int64(text), number > 0, number <= (Int64(1) << 40) / factor else {
            throw UsageError("--max-upload-size: '\(maxUploadSize)' is not a size (a positive number of bytes, or with K, M or G)")
        }
        return number * factor
    }

    /// The door check: the policy found as verification finds it, and the trusted root.
    func gate() throws -> (UploadGate, String) {
        let location = PolicyDiscovery.locate(
            explicit: policy, environment: ProcessInfo.processInfo.environment, homeDirectory: NSHomeDirectory())
        let loaded: Policy
        do {
            loaded = try PolicyDiscovery.load(location)
        } catch {
            throw UsageError("policy: \(error.message)")
        }
        let root: TrustedRoot
        if let uploadTrustedRoot {
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: uploadTrustedRoot)), data.count <= TrustedRoot.maxBytes else {
                throw UsageError("--upload-trusted-root: cannot read \(uploadTrustedRoot) (at most \(TrustedRoot.maxBytes) bytes)")
            }
            do {
                root = try TrustedRoot.decode(data)
            } catch {
                throw UsageError("--upload-trusted-root: \(uploadTrustedRoot): \(error.message)")
            }
        } else {
            do {
                root = try TrustedRoot.production
            } catch {
                throw UsageError("the bundled Sigstore trusted root cannot be read: \(error.message)")
            }
        }
        let gate = UploadGate(policy: loaded, requireProvenance: provenance == .requireProvenance, trustedRoot: root)
        let named = loaded.path ?? BuiltInPolicy.name
        let demand =
            provenance == .requireProvenance
            ? "every upload needs attestations" : "unattested uploads allowed where the rule does not require provenance"
        return (gate, "uploads are judged by \(named); \(demand)")
    }

    /// The legacy upload URL beside a simple index URL (`…/simple/` → `…/legacy/`).
    static func uploadURL(forIndex url: URL) -> String {
        let text = url.absoluteString
        guard text.hasSuffix("/simple/") else { return text }
        return String(text.dropLast("simple/".count)) + "legacy/"
    }
}
