/// What a reader can do about a check that did not run as asked or a run that fell short, as a
/// value beside the fact.
///
/// Guarantees: the library states the fact (a check's `detail`, a summary line) and carries the
/// remedy apart, so no library text names a command-line option; whoever shows the result puts
/// the remedy into its own words (``RemedyWording``; the command line names its options). The
/// raw values are stable identifiers.
public enum Remedy: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Keyless (Sigstore) attestations were refused because only the named keys are trusted:
    /// allow keyless signers, or pin an identity.
    case allowKeyless = "allow-keyless"
    /// The bytecode check was off: turn it on.
    case checkBytecode = "check-bytecode"
    /// No file was given, so its sha256 was not checked: give the file, or its sha256.
    case giveFileDigest = "give-file-digest"
    /// No file was named to be a subject of a summary: name one.
    case nameSubject = "name-subject"
    /// Packages failed only because their index publishes no provenance: say in a trust policy
    /// what each one needs, and verify with it.
    case writePolicy = "write-policy"
    /// A starting policy was written: check it, then verify with it.
    case usePolicy = "use-policy"
    /// The cached Sigstore trust material does not verify: fetch it again through its TUF repository.
    case updateTrust = "update-trust"

    /// The remedy in the library's words (no option names).
    public var description: String {
        switch self {
        case .allowKeyless: "keyless needs keyless signers allowed or an identity pin"
        case .checkBytecode: "off: the bytecode check was not asked for"
        case .giveFileDigest: "give the file, or its sha256"
        case .nameSubject: "name the file that should be a subject"
        case .writePolicy: "say what each package needs in a trust policy, then verify with it"
        case .usePolicy: "check it, then verify with it"
        case .updateTrust: "update the cached trust material from its TUF repository"
        }
    }
}

/// How remedies are put into words for a reader. ``LibraryWording`` is the library's own; the
/// command line has one that names its options.
public protocol RemedyWording: Sendable {
    /// `remedy` on its own (a hint after a summary line).
    func hint(_ remedy: Remedy) -> String
    /// A check's `fact` with its `remedy`, as one detail. By default `fact (hint)`.
    func detail(_ fact: String, _ remedy: Remedy) -> String
}

extension RemedyWording {
    public func detail(_ fact: String, _ remedy: Remedy) -> String { "\(fact) (\(hint(remedy)))" }
}

/// The library's words for remedies (``Remedy/description``).
public struct LibraryWording: RemedyWording {
    public init() {}

    public func hint(_ remedy: Remedy) -> String { remedy.description }
}

/// A check with a one-line fact (`detail`) and, apart, what a reader can do about it.
public protocol RemedyCarrying {
    var detail: String { get set }
    var remedy: Remedy? { get set }
}

extension RemedyCarrying {
    /// The check as a reader sees it: its remedy, if any, put into `wording`'s words in the
    /// detail (and no longer carried apart, so it is worded once).
    public func worded(by wording: any RemedyWording) -> Self {
        guard let remedy else { return self }
        var worded = self
        worded.detail = wording.detail(detail, remedy)
        worded.remedy = nil
        return worded
    }
}

extension CheckResult: RemedyCarrying {}
extension VSACheckResult: RemedyCarrying {}

extension Report {
    /// The report as a reader sees it: every check's remedy put into `wording`'s words
    /// (``CheckResult/worded(by:)``). Nothing else changes.
    public func worded(by wording: any RemedyWording) -> Report {
        var report = self
        for index in report.packages.indices {
            report.packages[index].checks = report.packages[index].checks.map { $0.worded(by: wording) }
        }
        return report
    }
}
