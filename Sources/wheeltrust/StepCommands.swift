import ArgumentParser
import Attestations
import Foundation
import PackageIndex
import PythonPackaging
import Sigstore
import Verification

/// Builds the environment verifier for single-step commands.
func makeVerifier(_ options: VerifyingOptions) throws -> EnvironmentVerifier {
    let setup = options.setup
    let python = try prepare { () throws(VerificationError) in try setup.inspectEnvironment() }
    let context = try prepare { () throws(VerificationError) in
        try setup.context(configuration: try setup.indexConfiguration(for: python))
    }
    return EnvironmentVerifier(environment: python, pipeline: Pipeline(context: context))
}

/// The environment verifier and the installed distribution a single-step command starts from.
func installedTarget(_ name: String, _ options: VerifyingOptions) throws
    -> (verifier: EnvironmentVerifier, installed: InstalledDistribution) {
    let verifier = try makeVerifier(options)
    let installed = try prepare { () throws(VerificationError) in try verifier.installed(named: name) }
    return (verifier, installed)
}

/// The provenance verifier for offline commands, under the same trust options.
func offlineVerifier(_ options: VerifyingOptions) throws -> ProvenanceVerifier {
    let setup = options.setup
    return try prepare { () throws(VerificationError) in try setup.provenanceVerifier() }
}

/// Reads a provenance (or a single PEP 740 attestation) file, exiting 2 when it cannot.
func readProvenance(_ path: String) throws -> Provenance {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw fail("cannot read the provenance file \(path)", code: Exit.usage)
    }
    do {
        return try ProvenanceFile.decode(data)
    } catch {
        throw fail("\(path): \(error.message)", code: Exit.usage)
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
        let (verifier, installed) = try installedTarget(package, options)
        var (report, wheel) = await verifier.pipeline.locateAndFetch(installed)
        if let wheel {
            let (fetched, check) = await verifier.pipeline.fetchProvenance(for: wheel.file, project: installed.name,
                                                                          version: installed.rawVersion)
            report.checks.append(check)
            if let fetched, let output {
                do {
                    try fetched.bytes.write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw fail("cannot write \(output): \(error.localizedDescription)", code: Exit.incomplete)
                }
            }
            if let fetched, options.output.format == .text, !options.output.quiet {
                emit("\(ProvenanceDescription.describeText(fetched.provenance))\n")
            }
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
        if let provenance {
            let verifier = try offlineVerifier(options)
            let document = try readProvenance(provenance)
            let filename = String(target.split(separator: "/").last ?? Substring(target))
            let digest: String
            if FileManager.default.fileExists(atPath: target) {
                digest = try prepare { () throws(VerificationError) in try LocalFiles.sha256(of: target) }
            } else if let sha256 {
                digest = sha256.lowercased()
            } else {
                throw fail("\(target) is not a file: give the wheel file, or its filename with --sha256", code: Exit.usage)
            }
            let verdict = await verifier.verify(document, distribution: filename, sha256Hex: digest)
            let report = PackageReport(name: filename, version: "", wheel: filename, sha256: digest,
                                       checks: ProvenanceChecks.checks(for: verdict))
            try options.output.finish(Report(packages: [report]))
        }
        let (verifier, installed) = try installedTarget(target, options)
        var (report, wheel) = await verifier.pipeline.locateAndFetch(installed)
        if let wheel { report.checks.append(contentsOf: await verifier.pipeline.provenanceChecks(for: wheel, installed: installed)) }
        try options.output.finish(Report(packages: [report]))
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

    func run() async throws {
        if target.hasSuffix(".whl") {
            guard let provenance else { throw fail("a local wheel needs --provenance FILE", code: Exit.usage) }
            guard FileManager.default.fileExists(atPath: target) else { throw fail("no such wheel file: \(target)", code: Exit.usage) }
            let verifier = try offlineVerifier(options)
            let report = await Pipeline.verifyLocalWheel(at: target, provenance: try readProvenance(provenance), verifier: verifier)
            try options.output.finish(Report(packages: [report]))
        }
        let (verifier, installed) = try installedTarget(target, options)
        var (report, wheel) = await verifier.pipeline.locateAndFetch(installed)
        if let wheel {
            report.checks.append(contentsOf: await verifier.pipeline.provenanceChecks(for: wheel, installed: installed))
            report.checks.append(Pipeline.openWheel(at: wheel.path, filename: wheel.file.filename).check)
        }
        try options.output.finish(Report(packages: [report]))
    }
}

/// `wheeltrust verify-installed`: step 5 alone (no signature check: it says so).
struct VerifyInstalledCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-installed",
        abstract: "Check an installed package's files against its wheel's RECORD (the wheel from the index, or --wheel FILE). Does not check signatures.")

    @Argument(help: "The installed project.") var package: String
    @Option(name: .long, help: "Use this local wheel instead of the index's.") var wheel: String?
    @Flag(name: .long, help: "Do not check __pycache__/*.pyc against their verified sources.") var noCheckBytecode = false
    @OptionGroup var options: VerifyingOptions

    func run() async throws {
        let (verifier, installed) = try installedTarget(package, options)
        var report: PackageReport
        let path: String
        var filename: String?
        if let wheel {
            guard FileManager.default.fileExists(atPath: wheel) else { throw fail("no such wheel file: \(wheel)", code: Exit.usage) }
            report = PackageReport(name: installed.name.raw, version: installed.rawVersion, wheel: wheel)
            path = wheel
        } else {
            let (located, fetched) = await verifier.pipeline.locateAndFetch(installed)
            report = located
            guard let fetched else { try options.output.finish(Report(packages: [report])) }
            path = fetched.path
            filename = fetched.file.filename
        }
        let outcome = await verifier.pipeline.installedChecks(
            wheelAt: path, filename: filename, installed: installed,
            files: verifier.filesVerifier(checkingBytecode: !noCheckBytecode), into: &report)
        var reports = [report]
        await BytecodeVerification.apply(checker: noCheckBytecode ? nil : verifier.bytecodeChecker, to: &reports, outcomes: [outcome])
        try options.output.finish(Report(packages: reports))
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
        let document = try readProvenance(file)
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
