import Foundation
import PythonPackaging

/// What `pin` did for one package.
public struct PinOutcome: Codable, Sendable, Equatable {
    public enum Action: String, Codable, Sendable {
        /// It had no pin; the identity that verified it now is its pin.
        case recorded
        /// It verified, signed by the identity already pinned (the pin is kept as it was).
        case unchanged
        /// Accepted deliberately: it verified, and its new identity replaced the old pin.
        case replaced
        /// It did not verify (or nothing verified it that could be pinned): any pin it had stays.
        case notPinned = "not-pinned"
    }

    public var name: String
    public var version: String
    public var action: Action
    /// The identity pinned now (for `recorded`, `unchanged`, `replaced`).
    public var identity: String?
    /// The pin it had before, if any (what was replaced, or what stays).
    public var previous: String?
    /// Why it was not pinned: the checks that failed or could not run.
    public var reason: String?
    /// What a reader can do about the first of those checks that has a remedy (not part of the
    /// JSON document: a reader's words for it go into `reason` first, ``PinRun/worded(by:)``).
    public var remedy: Remedy? = nil

    enum CodingKeys: String, CodingKey { case name, version, action, identity, previous, reason }
}

/// The result of one `pin` run: the verification report, what happened to each package's pin,
/// and the pins as they are now.
public struct PinRun: Sendable {
    public var report: Report
    public var outcomes: [PinOutcome]
    public var pins: PinsFile
    /// Whether `pins` differs from the pins the run started from (and so was written).
    public var changed: Bool

    /// The run as one JSON document (`pinsFile`, `written`, `packages`: the outcomes, `report`),
    /// keys sorted.
    public func jsonData(pinsFile: String) throws -> Data {
        struct Document: Encodable {
            var pinsFile: String
            var written: Bool
            var packages: [PinOutcome]
            var report: Report
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Document(pinsFile: pinsFile, written: changed, packages: outcomes, report: report))
    }

    /// The run as a reader sees it: the report's remedies and each outcome's put into `wording`'s
    /// words (``Report/worded(by:)``).
    public func worded(by wording: any RemedyWording) -> PinRun {
        var run = self
        run.report = report.worded(by: wording)
        for index in run.outcomes.indices {
            guard let remedy = run.outcomes[index].remedy, let reason = run.outcomes[index].reason else { continue }
            run.outcomes[index].reason = wording.detail(reason, remedy)
            run.outcomes[index].remedy = nil
        }
        return run
    }
}

/// `pin`: verify packages and remember who signed each one that verified (trust on first use).
///
/// Guarantees: a package is pinned only when its report is `verified` and it names the signer of
/// its decisive attestation; a package that did not verify is never pinned and keeps any pin it
/// had. An existing pin is compared like `verify --pins` does (``IdentityPinCheck``): a package
/// signed by another identity fails and keeps its old pin, unless it is among the `accepting`
/// names, whose old pins are left out of the comparison and replaced when they verify. The file
/// is read strictly when this value is made, before anything is verified (a file that cannot be
/// decoded is never replaced), and written atomically, only when a pin changed.
public struct PinRecording: Sendable {
    /// The pins file's path.
    public let path: String
    /// The pins it held when read (none when there was no file).
    public let existing: PinsFile

    /// Reads the pins file at `path`, if there is one.
    public init(pinsFile path: String) throws(VerificationError) {
        self.path = path
        existing = try PinsFile.readIfPresent(path)
    }

    /// Verifies `request`'s packages with `verifier`, records their pins and writes the file when
    /// they changed.
    public func run(
        _ verifier: EnvironmentVerifier, request: VerifyRequest, accepting: [String] = [], now: Date = Date()
    ) async throws(VerificationError) -> PinRun {
        let accepted = Set(accepting.map { ProjectName($0) })
        var compared = existing
        for name in accepted { compared[name] = nil }
        var request = request
        request.pins = compared
        let report = try await verifier.run(request)
        let (outcomes, pins) = Self.record(report, existing: existing, accepting: accepted, now: now)
        let changed = pins != existing
        if changed { try pins.write(to: path) }
        return PinRun(report: report, outcomes: outcomes, pins: pins, changed: changed)
    }

    /// The outcome of each package of `report` and the pins after them (see the type's guarantees).
    public static func record(
        _ report: Report, existing: PinsFile, accepting: Set<ProjectName>, now: Date
    ) -> (outcomes: [PinOutcome], pins: PinsFile) {
        var pins = existing
        var outcomes: [PinOutcome] = []
        let time = timestamp(now)
        for package in report.packages {
            let name = ProjectName(package.name)
            let previous = existing[name]
            var outcome = PinOutcome(
                name: package.name, version: package.version, action: .notPinned,
                previous: previous?.identity.summary)
            guard package.status == .verified, let signer = package.signer else {
                outcome.reason = reason(package)
                outcome.remedy = package.checks.lazy.filter { $0.status == .fail || $0.status == .error }.compactMap(\.remedy).first
                outcomes.append(outcome)
                continue
            }
            let identity = PinnedIdentity(signer)
            outcome.identity = identity.summary
            if let previous, previous.identity.sameSigner(as: identity) {
                outcome.action = .unchanged
            } else if previous != nil {
                // Only an accepted package can verify signed by another identity: for the others
                // the identity-pin check failed and the package with it.
                guard accepting.contains(name) else {
                    outcome.action = .notPinned
                    outcome.reason = "identity changed: was \(previous?.identity.summary ?? ""), now \(identity.summary)"
                    outcomes.append(outcome)
                    continue
                }
                outcome.action = .replaced
                pins[name] = PinsFile.Pin(identity: identity, recorded: time, recordedVersion: package.version)
            } else {
                outcome.action = .recorded
                pins[name] = PinsFile.Pin(identity: identity, recorded: time, recordedVersion: package.version)
            }
            outcomes.append(outcome)
        }
        return (outcomes, pins)
    }

    /// Why a package that is not pinned was not: its failing or unchecked checks, its files.
    static func reason(_ package: PackageReport) -> String {
        let bad = package.checks.filter { $0.status == .fail || $0.status == .error }
        if !bad.isEmpty { return bad.map { "\($0.name): \($0.detail)" }.joined(separator: "; ") }
        if !package.files.isClean { return "installed files differ from the verified wheel's RECORD" }
        if package.status == .verified { return "no verified attestation names a signer to pin" }
        return "not verified"
    }

    /// `now` as RFC 3339 in UTC, to the second.
    static func timestamp(_ now: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: now)
    }
}
