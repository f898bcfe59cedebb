import Foundation
import PythonPackaging

/// What a rebuild found.
public struct RebuildReport: Sendable {
    public enum Outcome: Sendable, Hashable {
        /// The rebuilt wheel's bytes equal the attested wheel's.
        case reproduced
        /// Same members with the same contents; only zip metadata differs.
        case reproducedNormalised
        /// Members differ (listed).
        case notReproduced([WheelComparison.MemberDifference])

        public var name: String {
            switch self {
            case .reproduced: "reproduced"
            case .reproducedNormalised: "reproduced-normalised"
            case .notReproduced: "not-reproduced"
            }
        }
    }

    public let recorded: RecordedBuild
    public let outcome: Outcome
    public let rebuiltWheel: String
    public let rebuiltSHA256: SHA256Hex
    public let logPath: String
    /// Build-environment wheels the rebuild installed that the provenance does not list (nil: none).
    public let unrecordedRequirements: [String]
}

/// `wheeltrust rebuild`: the build a provenance records, done again from the same inputs by
/// digest, and compared with the attested wheel.
///
/// Guarantees: the wheel given is the provenance's subject (its sha256 equal, else refused);
/// the sdist and every recorded build-environment wheel are taken only by their recorded sha256
/// (a file missing or with another digest is named: `.requirementUnavailable` or
/// `.sourceRejected`); the rebuild's requirements come from a folder holding exactly those
/// verified files, with the recorded build tag; the comparison is ``WheelComparison``. Nothing
/// here verifies who signed the provenance: `verify-wheel` does that.
public enum Rebuilder {
    public struct Request: Sendable {
        public var wheel: String
        public var provenanceFile: String
        /// The sdist: this file, else `<sourceFilename>` inside `findLinks`.
        public var sdist: String?
        /// Where the recorded build-environment wheels (and the sdist, without `sdist`) are looked up by filename.
        public var findLinks: String
        public var outputDirectory: String
        public var python: String
        public var withDiff: Bool
        public var timeoutSeconds: Int

        public init(
            wheel: String, provenanceFile: String, sdist: String? = nil, findLinks: String, outputDirectory: String,
            python: String = "python3", withDiff: Bool = false, timeoutSeconds: Int = 1800
        ) {
            self.wheel = wheel
            self.provenanceFile = provenanceFile
            self.sdist = sdist
            self.findLinks = findLinks
            self.outputDirectory = outputDirectory
            self.python = python
            self.withDiff = withDiff
            self.timeoutSeconds = timeoutSeconds
        }
    }

    public static func rebuild(_ request: Request) async throws(BuildError) -> RebuildReport {
        let recorded = try RecordedBuild.read(provenanceFile: request.provenanceFile)
        let wheelDigest = try sha256(request.wheel)
        guard wheelDigest == recorded.wheelSHA256 else {
            throw BuildError(
                .usage,
                "subject: \(request.wheel) has sha256 \(wheelDigest) but the provenance is about \(recorded.wheelFilename) sha256 \(recorded.wheelSHA256)"
            )
        }
        // The sdist, by its recorded digest.
        let sdistPath = request.sdist ?? (request.findLinks as NSString).appendingPathComponent(recorded.sourceFilename)
        guard FileManager.default.fileExists(atPath: sdistPath) else {
            throw BuildError(
                .sourceRejected, "source: \(recorded.sourceFilename) (sha256 \(recorded.sourceSHA256)) not found at \(sdistPath)")
        }
        let source = try SourceDistribution.local(path: sdistPath)
        guard source.sha256 == recorded.sourceSHA256 else {
            throw BuildError(
                .sourceRejected, "source: \(sdistPath) has sha256 \(source.sha256) but the provenance records \(recorded.sourceSHA256)")
        }
        // The recorded build wheels, each by digest, gathered into a folder that holds only them.
        try FileManager.default.createDirectoryOrFail(request.outputDirectory)
        let wheelhouse = (request.outputDirectory as NSString).appendingPathComponent("rebuild-requirements")
        try? FileManager.default.removeItem(atPath: wheelhouse)
        try FileManager.default.createDirectoryOrFail(wheelhouse)
        var problems: [String] = []
        for (filename, expected) in recorded.requirements.sorted(by: { $0.key < $1.key }) {
            let path = (request.findLinks as NSString).appendingPathComponent(filename)
            guard FileManager.default.fileExists(atPath: path) else {
                problems.append("\(filename) is missing from \(request.findLinks)")
                continue
            }
            let actual = try sha256(path)
            guard actual == expected else {
                problems.append("\(filename) has sha256 \(actual), the provenance records \(expected)")
                continue
            }
            do {
                try FileManager.default.copyItem(atPath: path, toPath: (wheelhouse as NSString).appendingPathComponent(filename))
            } catch {
                throw BuildError(.operational, "cannot copy \(path) into \(wheelhouse)")
            }
        }
        if !problems.isEmpty {
            throw BuildError(.requirementUnavailable, "build requirement: " + problems.joined(separator: "; "))
        }
        let tag: BuildTag?
        do {
            tag = try recorded.buildTag.map { text throws(PackagingError) in try BuildTag(parsing: text) }
        } catch {
            throw BuildError(.usage, "the provenance's build tag: \(error.message)")
        }
        let rebuiltDirectory = (request.outputDirectory as NSString).appendingPathComponent("rebuilt")
        let built = try await SourceBuilder.buildUnsigned(
            BuildRequest(
                source: source, outputDirectory: rebuiltDirectory, buildTag: tag, requirements: .findLinks(wheelhouse),
                python: request.python, signer: nil, timeoutSeconds: request.timeoutSeconds))
        let unrecorded = built.provenance.dependencies.filter { recorded.requirements[$0.filename]?.text != $0.sha256 }.map(\.filename)
        let comparison = try WheelComparison.compare(attested: request.wheel, rebuilt: built.wheelPath, withDiff: request.withDiff)
        let outcome: RebuildReport.Outcome
        switch comparison {
        case .identical: outcome = .reproduced
        case .equivalent: outcome = .reproducedNormalised
        case .different(let differences): outcome = .notReproduced(differences)
        }
        let rebuiltName = (built.wheelPath as NSString).lastPathComponent
        if rebuiltName != recorded.wheelFilename {
            // Same contents under another name is still not the attested wheel.
            var differences: [WheelComparison.MemberDifference] = []
            if case .notReproduced(let found) = outcome { differences = found }
            differences.insert(
                WheelComparison.MemberDifference(
                    member: "(filename)", kind: .contentDiffers, detail: "attested \(recorded.wheelFilename), rebuilt \(rebuiltName)"),
                at: 0)
            return RebuildReport(
                recorded: recorded, outcome: .notReproduced(differences), rebuiltWheel: built.wheelPath,
                rebuiltSHA256: built.wheelSHA256, logPath: built.logPath,
                unrecordedRequirements: unrecorded)
        }
        return RebuildReport(
            recorded: recorded, outcome: outcome, rebuiltWheel: built.wheelPath, rebuiltSHA256: built.wheelSHA256,
            logPath: built.logPath, unrecordedRequirements: unrecorded)
    }

    static func sha256(_ path: String) throws(BuildError) -> SHA256Hex {
        do {
            return try SHA256Hex(FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest)
        } catch {
            throw BuildError(.operational, "cannot read \(path): \(error.message)")
        }
    }
}
