import Attestations
import Foundation
import Policy
import PythonPackaging

/// `wheeltrust policy init`: a commented starting policy for an environment, from what each of
/// its packages has today (a verified Red Hat or Trusted Publishing signature, provenance that does
/// not verify under the built-in trust, none on its index, not on the index at all).
///
/// Guarantees: the text is a policy ``PolicyParser`` accepts (every value written as a TOML basic
/// string with every character a TOML string cannot hold escaped, so nothing an index names can
/// end a string or add a key); each package gets the strongest rule it meets today: `provenance`
/// by the Red Hat key or by the very Trusted Publisher identity that verified it (pinned in an
/// `[identities]` table, not the index's word next time), else `integrity` (its installed files
/// and the index's wheel at its published sha256), else `none` when the index does not have it —
/// each exception with a reason saying why and a comment saying what would make it stronger.
/// A package whose files were tampered with gets no rule that hides it: integrity still fails it.
/// A final catch-all keeps the built-in trust for packages installed later.
public enum PolicyInit {
    /// What the policy says of one package, decided from its report under the built-in trust.
    public enum Proposal: Sendable, Equatable {
        /// Verified by Red Hat release key 3.
        case redHatKey
        /// Verified as keyless, bound to this publisher.
        case identity(Publisher)
        /// Integrity only, with why (no provenance, or provenance that does not verify).
        case integrity(reason: String, note: String)
        /// Not on the index: not checked.
        case waived(reason: String)
    }

    /// Verifies every package of the environment under the built-in policy (trust flags are a
    /// usage error: the starting policy describes what the built-in trust finds) and writes the
    /// starting policy's text to `output` (atomically), or returns it. The report is the run's.
    /// `wording` words the text's closing advice (``Remedy/usePolicy``).
    public static func generate(
        setup: VerificationSetup, output: String?, date: Date = Date(), wording: any RemedyWording = LibraryWording()
    ) async throws(VerificationError) -> (text: String, report: Report) {
        if setup.trustFlagsGiven || setup.policyFile != nil {
            throw VerificationError(.usage, "policy init describes what the built-in trust finds: give no trust flags and no policy")
        }
        var setup = setup
        setup.builtInPolicyOnly = true
        let report = try await setup.environmentVerifier().run(
            VerifyRequest(packages: [], all: true, excluded: [], jobs: 4, checkBytecode: false, keepFileLines: false))
        let text = policyText(for: report, date: date, wording: wording)
        if let output {
            do {
                try AtomicFile.write(Array(text.utf8), to: output, creatingDirectory: false)
            } catch {
                throw VerificationError(.operational, "cannot write \(output): \(error.message)")
            }
        }
        return (text, report)
    }

    /// The proposal for one package under the built-in trust.
    public static func proposal(for package: PackageReport) -> Proposal {
        if package.status == .verified, let signer = package.signer {
            switch signer {
            case .key(_, let fingerprint) where fingerprint == "sha256:\(TrustedKey.redHatRelease3.key.fingerprint)":
                return .redHatKey
            case .keyless(let publisher, _) where PolicyParser.identityFields[publisher.kind] != nil:
                return .identity(publisher)
            default:
                break
            }
        }
        if let locate = package.checks.first(where: { $0.name == .indexFile }), locate.status != .pass {
            return .waived(reason: "not found on its index when the policy was written: \(oneLine(locate.detail))")
        }
        if package.failedOnlyForMissingProvenance {
            return .integrity(
                reason: "its index published no provenance when the policy was written",
                note: "when the project publishes attestations, require provenance from its publisher or key")
        }
        let failing = package.checks.first { $0.status == .fail || $0.status == .error }
        let why = failing.map { "\($0.name): \(oneLine($0.detail))" } ?? "it did not verify under the built-in trust"
        return .integrity(
            reason: "its provenance did not verify under the built-in trust",
            note: "add the key that signs it under [keys] and require provenance (\(why))")
    }

    /// The policy text for `report` (a run under the built-in trust), written on `date`; its
    /// header's advice (``Remedy/usePolicy``) in `wording`'s words.
    public static func policyText(
        for report: Report, date: Date = Date(), wording: any RemedyWording = LibraryWording()
    ) -> String {
        var out = """
            # A starting trust policy written by wheeltrust on \(day(date)) for
            # \(comment(report.python ?? "the environment")). Each package gets the strongest rule it met
            # that day; review every rule, then \(comment(wording.hint(.usePolicy))).
            version = 1

            [keys.redhat]
            builtin = "redhat-release3"

            """
        let packages = report.packages.sorted { ProjectName($0.name).normalized < ProjectName($1.name).normalized }
        var identities = ""
        var rules = ""
        for package in packages {
            let name = ProjectName(package.name).normalized
            let header = "\n# \(comment(package.name)) \(comment(package.version))\n[[rule]]\npackages = [\(quoted(name))]\n"
            switch proposal(for: package) {
            case .redHatKey:
                rules += header + "require = \"provenance\"\nkeys = [\"redhat\"]\n"
            case .identity(let publisher):
                identities += "\n[identities.\(name)]\nkind = \(quoted(publisher.kind))\n"
                let fields = PolicyParser.identityFields[publisher.kind].map { $0.required + $0.optional } ?? []
                for key in fields {
                    guard case .string(let value)? = publisher.fields[key], !value.isEmpty else { continue }
                    identities += "\(key) = \(quoted(value))\n"
                }
                rules += header + "require = \"provenance\"\nidentities = [\(quoted(name))]\n"
            case .integrity(let reason, let note):
                rules += header + "# \(comment(note))\nrequire = \"integrity\"\nreason = \(quoted(reason))\n"
            case .waived(let reason):
                rules += header + "require = \"none\"\nreason = \(quoted(reason))\n"
            }
        }
        out += identities
        out += rules
        out += """

            # Packages installed later: the built-in trust (Red Hat's key, or the publisher the
            # index names for a Trusted Publishing project).
            [[rule]]
            packages = ["*"]
            require = "provenance"
            keys = ["redhat"]
            keyless = "index-publisher"

            """
        return out
    }

    /// A TOML basic string (``TOMLString/basic(_:)``).
    static func quoted(_ text: String) -> String { TOMLString.basic(text) }

    /// Text for a `#` comment: one line, no control or invisible characters.
    static func comment(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F || TerminalEscaping.mustEscape($0) ? "?" : $0 }))
    }

    static func oneLine(_ text: String) -> String {
        let line = comment(text)
        return line.count > 160 ? String(line.prefix(160)) + "…" : line
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
