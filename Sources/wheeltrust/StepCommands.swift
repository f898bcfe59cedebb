import ArgumentParser
import Attestations
import Foundation
import Sigstore
import Verification

/// The environment verifier the options name.
func makeVerifier(_ options: VerifyingOptions) throws -> EnvironmentVerifier {
    let setup = options.setup
    return try prepare { () throws(VerificationError) in try setup.environmentVerifier() }
}

/// A one-package report of a local file, naming the policy it was judged by.
func localReport(_ package: PackageReport, setup: VerificationSetup) -> Report {
    var report = Report(packages: [package])
    report.policy = try? setup.trustPolicy().summary
    return report
}

extension EnvironmentVerifier {
    /// A one-package report, naming the policy it was judged by.
    func report(of package: PackageReport) -> Report {
        var report = Report(packages: [package])
        report.policy = pipeline.context.policy?.summary
        return report
    }
}

/// `wheeltrust fetch-attestation PKG`: step 3 alone.
struct FetchAttestationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-attestation",
        abstract: "Fetch the provenance of an installed package's wheel from the index's Integrity API.")

    @Argument(help: "The installed project.") var package: String
    @Option(name: .shortAndLong, help: "Write the provenance JSON, exactly as received, to this file.") var output: String?
    @OptionGroup var options: VerifyingOptions

    func run() async throws {
        let verifier = try makeVerifier(options)
        let (report, fetched) = try await prepare { () async throws(VerificationError) in try await verifier.fetchAttestation(of: package) }
        if let fetched, let output { try prepare { () throws(VerificationError) in try ProvenanceFile.write(fetched.bytes, to: output) } }
        if let fetched, options.output.format == .text, !options.output.quiet {
            emit("\(ProvenanceDescription.describeText(fetched.provenance))\n")
        }
        try options.output.finish(Report(packages: [report]))
    }
}

/// `wheeltrust verify-signature`: step 4 alone.
struct VerifySignatureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-signature",
        abstract: "Verify the attestation signature and statement of a package on the index, or of a provenance file offline.")

    @Argument(help: "An installed project, or with --provenance a wheel file or wheel filename.") var target: String
    @Option(name: .long, help: "A provenance or attestation file to verify offline.") var provenance: String?
    @Option(name: .long, help: "With --provenance and a filename: the wheel's sha256 (hex).") var sha256: String?
    @OptionGroup var options: VerifyingOptions

    func run() async throws {
        let (setup, target, sha256) = (options.setup, target, sha256)
        if let provenance {
            let report = try await prepare { () async throws(VerificationError) in
                try await LocalVerification.signature(of: target, sha256: sha256, provenanceFile: provenance, setup: setup)
            }
            guard let report else {
                throw fail("\(target) is not a file: give the wheel file, or its filename with --sha256", code: Exit.usage)
            }
            try options.output.finish(localReport(report, setup: setup))
        }
        let verifier = try makeVerifier(options)
        let report = try await prepare { () async throws(VerificationError) in try await verifier.verifySignature(of: target) }
        try options.output.finish(verifier.report(of: report))
    }
}

/// `wheeltrust verify-wheel`: steps 1–4 and the wheel's own RECORD, without the installed files.
struct VerifyWheelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-wheel",
        abstract: "Verify a wheel: an installed package's wheel on the index, or a local wheel file with --provenance.")

    @Argument(help: "An installed project, or a local .whl file (with --provenance).") var target: String
    @Option(name: .long, help: "A provenance or attestation file for a local wheel.") var provenance: String?
    @OptionGroup var options: VerifyingOptions

    func validate() throws {
        if case .localFile = WheelTarget(target), provenance == nil { throw UsageError("a local wheel needs --provenance FILE") }
    }

    func run() async throws {
        let setup = options.setup
        if case .localFile(let path) = WheelTarget(target), let provenance {
            let report = try await prepare { () async throws(VerificationError) in
                try await LocalVerification.wheel(at: path, provenanceFile: provenance, setup: setup)
            }
            try options.output.finish(localReport(report, setup: setup))
        }
        let (verifier, target) = (try makeVerifier(options), target)
        let report = try await prepare { () async throws(VerificationError) in try await verifier.verifyWheel(of: target) }
        try options.output.finish(verifier.report(of: report))
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
        let (verifier, package, wheel, check) = (try makeVerifier(options), package, wheel, !noCheckBytecode)
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
        let document = try prepare { () throws(VerificationError) in try ProvenanceFile.read(path: file) }
        guard asBundle else { return emit("\(ProvenanceDescription.describeText(document))\n") }
        let attestations = document.attestationBundles.flatMap(\.attestations)
        guard attestations.count == 1, let attestation = attestations.first else {
            throw fail("\(file) holds \(attestations.count) attestations; --as-bundle converts exactly one", code: Exit.usage)
        }
        do {
            emitJSON(try SigstoreBundle(attestation: attestation).encoded())
        } catch {
            throw fail("\(file): \(error.message)", code: Exit.usage)
        }
    }
}
