import ArgumentParser
import Attestations
import Foundation
import PythonPackaging
import Sigstore
import Verification

/// The environment verifier the options name.
func makeVerifier(_ options: VerifyingOptions) async throws -> EnvironmentVerifier {
    let setup = options.setup
    return try await prepare { () async throws(VerificationError) in try await setup.environmentVerifier() }
}

/// A one-package report of a local file, naming the policy it was judged by.
func localReport(_ package: PackageReport, setup: VerificationSetup) -> Report {
    var report = Report(packages: [package])
    report.policy = try? setup.trustPolicy().summary
    return report
}

extension EnvironmentVerifier {
    /// A report of these packages, naming the policy they were judged by.
    func report(of packages: [PackageReport]) -> Report {
        var report = Report(packages: packages)
        report.policy = pipeline.context.policy?.summary
        return report
    }
}

/// `wheeltrust fetch-attestation PKG`: step 3 alone.
struct FetchAttestationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-attestation",
        abstract: "Fetch the provenance of a package's wheel (installed, or PKG[==VER] on the index) from the index's Integrity API.")

    @Argument(help: "An installed project, or PROJECT[==VERSION] on the index.") var package: String
    @Option(name: .shortAndLong, help: "Write the provenance JSON, exactly as received, to this file.") var output: String?
    @Flag(name: .long, help: "Every file of the release (sdists included), not only the one for this interpreter.") var allFiles = false
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if output != nil && allFiles { throw UsageError("--output writes one provenance; it cannot be used with --all-files") }
    }

    func run() async throws {
        let (verifier, package, allFiles) = (try await makeVerifier(options), package, allFiles)
        let results = try await prepare { () async throws(VerificationError) in
            try await verifier.fetchAttestations(of: package, allFiles: allFiles)
        }
        for case (_, let fetched?) in results {
            if let output { try prepare { () throws(VerificationError) in try ProvenanceFile.write(fetched.bytes, to: output) } }
            if options.output.format == .text, !options.output.quiet { emit("\(ProvenanceDescription.describeText(fetched.provenance))\n") }
        }
        try options.output.finish(Report(packages: results.map(\.report)))
    }
}

/// `wheeltrust verify-signature`: step 4 alone.
struct VerifySignatureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-signature",
        abstract: "Verify the attestation signature and statement of a package on the index, or of a provenance file offline.")

    @Argument(help: "An installed project or PROJECT[==VERSION] on the index; with --provenance a wheel file or filename.")
    var target: String
    @Option(name: .long, help: "A provenance or attestation file to verify offline.") var provenance: String?
    @Option(name: .long, help: "With --provenance and a filename: the wheel's sha256 (hex); without it the digest is not checked.")
    var sha256: String?
    @Flag(name: .long, help: "Every file of the release (sdists included), not only the one for this interpreter.") var allFiles = false
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if let sha256 { _ = try Self.digest(sha256) }
    }

    /// `--sha256` parsed where it enters: 64 hex digits of either case (lowercased), else a usage
    /// error saying what is wrong (the text itself is not echoed).
    static func digest(_ text: String) throws(UsageError) -> SHA256Hex {
        do {
            return try SHA256Hex(validating: text.lowercased())
        } catch {
            throw UsageError("--sha256: \(error.message)")
        }
    }

    func run() async throws {
        let (setup, target, sha256, allFiles) = (options.setup, target, try sha256.map(Self.digest), allFiles)
        if let provenance {
            let report = try await prepare { () async throws(VerificationError) in
                try await LocalVerification.signature(of: target, sha256: sha256, provenanceFile: provenance, setup: setup)
            }
            try options.output.finish(localReport(report, setup: setup))
        }
        let verifier = try await makeVerifier(options)
        let reports = try await prepare { () async throws(VerificationError) in
            try await verifier.verifySignatures(of: target, allFiles: allFiles)
        }
        try options.output.finish(verifier.report(of: reports))
    }
}

/// `wheeltrust verify-wheel`: steps 1–4 and the wheel's own RECORD, without the installed files.
struct VerifyWheelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-wheel",
        abstract: "Verify a wheel: an installed package's wheel on the index, or a local wheel file with --provenance.")

    @Argument(help: "An installed project, PROJECT[==VERSION] on the index, or a local .whl/.tar.gz/.zip file (with --provenance).")
    var target: String
    @Option(name: .long, help: "A provenance or attestation file for a local file.") var provenance: String?
    @Flag(name: .long, help: "Every file of the release (sdists included), not only the one for this interpreter.") var allFiles = false
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if case .localFile = WheelTarget(target), provenance == nil { throw UsageError("a local file needs --provenance FILE") }
    }

    func run() async throws {
        let setup = options.setup
        if case .localFile(let path) = WheelTarget(target), let provenance {
            let report = try await prepare { () async throws(VerificationError) in
                try await LocalVerification.wheel(at: path, provenanceFile: provenance, setup: setup)
            }
            try options.output.finish(localReport(report, setup: setup))
        }
        let (verifier, target, allFiles) = (try await makeVerifier(options), target, allFiles)
        let reports = try await prepare { () async throws(VerificationError) in
            try await verifier.verifyWheels(of: target, allFiles: allFiles)
        }
        try options.output.finish(verifier.report(of: reports))
    }
}

/// `wheeltrust verify-installed`: step 5 alone (no signature check: it says so).
struct VerifyInstalledCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-installed",
        abstract:
            "Check an installed package's files against its wheel's RECORD (the wheel from the index, or --wheel FILE). Does not check signatures."
    )

    @Argument(help: "The installed project.") var package: String
    @Option(name: .long, help: "Use this local wheel instead of the index's.") var wheel: String?
    @Flag(name: .long, help: "Do not check __pycache__/*.pyc against their verified sources.") var noCheckBytecode = false
    @OptionGroup var options: VerifyingOptions

    func run() async throws {
        let (verifier, package, wheel, check) = (try await makeVerifier(options), package, wheel, !noCheckBytecode)
        let report = try await prepare { () async throws(VerificationError) in
            try await verifier.verifyInstalled(package, localWheel: wheel, checkBytecode: check)
        }
        try options.output.finish(Report(packages: [report]))
    }
}

/// `wheeltrust inspect FILE`: a provenance or attestation decoded for a person.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode a provenance or attestation file for a person (no verification).")

    @Argument(help: "A PEP 740 provenance object or attestation (JSON).") var file: String
    @Flag(name: .long, help: "Print the (single) keyless attestation as a Sigstore bundle v0.3 instead.") var asBundle = false

    func run() throws {
        let file = file
        if asBundle { return emitJSON(try prepare { () throws(VerificationError) in try BundleExport.bundleJSON(ofProvenanceFile: file) }) }
        let document = try prepare { () throws(VerificationError) in try ProvenanceFile.read(path: file) }
        emit("\(ProvenanceDescription.describeText(document))\n")
    }
}
