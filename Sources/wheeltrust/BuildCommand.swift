import ArgumentParser
import Attestations
import Building
import Foundation
import PythonPackaging
import Verification

/// `wheeltrust build SDIST|NAME==VERSION --key K --out DIR`: builds the wheel through the sdist's
/// own PEP 517 backend in a fresh, network-isolated venv and writes it with its signed SLSA v1
/// provenance (`<wheel>.slsa.attestation`) and its build log.
struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a wheel from an sdist in isolation and sign its SLSA v1 provenance.",
        discussion: """
            The sdist is a local .tar.gz (its provenance then says it has no anchor) or NAME==VERSION \
            on the index (pip's configuration, or --index-url): its sha256 is checked against the \
            index and its own provenance verified when the index has one (trusted: --source-key, \
            or the defaults verify uses). Build requirements are installed as wheels from \
            --find-links DIR, else --index-url, else pip's configuration, each recorded by sha256. \
            The backend's hooks run without network (unshare -rn) where the system allows; when it \
            does not, the output and the provenance say so.

            With -r FILE: the tree FILE names is resolved once against the sdists in --find-links DIR \
            and, with --index-url or without --find-links, on the index (each fetched and anchored as \
            NAME==VERSION is, into OUT/sdists); sdists are read, never run. It is built in dependency \
            order, each build's requirements coming only from wheels built in this run (and the \
            wheels in DIR of --allow-prebuilt projects); the graph, order and outcomes go to \
            OUT/build-graph.json (docs/BUILD-TREES.md).
            """)

    @Argument(help: "An sdist file (.tar.gz) or NAME==VERSION on the index (not with -r).")
    var source: String?

    @Option(
        name: [.customShort("r"), .customLong("requirement")],
        help: ArgumentHelp("Build the whole tree this requirements file names (with --find-links DIR of sdists).", valueName: "FILE"))
    var requirementsFile: String?

    @Option(
        help: ArgumentHelp("With -r: a project whose wheel in --find-links is used as it is, not built (repeatable).", valueName: "NAME"))
    var allowPrebuilt: [String] = []

    @Option(
        help: ArgumentHelp("With -r: build only this project of the graph (its build needs must be in --out already).", valueName: "NAME"))
    var only: String?

    @Flag(help: "With -r: resolve and write OUT/build-graph.json only; build nothing (the plan for a CI fan-out).")
    var plan = false

    @Option(
        help: ArgumentHelp(
            "The private key that signs the provenance (PEM: PKCS#8, encrypted PKCS#8, EC or RSA).", valueName: "PRIVATE.pem"))
    var key: String

    @Option(help: ArgumentHelp("The environment variable holding the passphrase of an encrypted --key.", valueName: "NAME"))
    var keyPassphraseEnv: String?

    @Option(help: ArgumentHelp("Where the wheel, its attestation and the build log are written.", valueName: "DIR"))
    var out: String

    @Option(help: ArgumentHelp("A build tag for the wheel (0 gives name-version-0-tags.whl).", valueName: "N"))
    var buildTag: String?

    @Option(help: ArgumentHelp("A folder of wheels the build requirements come from (nothing else is looked at).", valueName: "DIR"))
    var findLinks: String?

    @Option(help: "The simple index URL: the sdist (NAME==VERSION) and, without --find-links, the build requirements.")
    var indexURL: String?

    @Option(help: "The SLSA builder id written into the provenance (a URI).")
    var builderID: String = BuildProvenance.defaultBuilderID

    @Option(help: "The interpreter the build environment is made from.")
    var python: String = "python3"

    @Option(
        name: .customLong("source-key"),
        help: ArgumentHelp("A PEM public key trusted to sign the sdist's provenance (repeatable).", valueName: "PEM"))
    var sourceKeys: [String] = []

    @Option(help: "Where downloads are cached (default: $XDG_CACHE_HOME/wheeltrust or ~/.cache/wheeltrust).")
    var cacheDir: String?

    @Option(help: ArgumentHelp("Seconds each build step (pip, a backend hook) may take.", valueName: "SECONDS"))
    var buildTimeout: Int = 1800

    @Option(
        help: ArgumentHelp(
            "Upload each wheel built, with its attestation, to this index's upload URL (wheeltrust serve: …/legacy/).", valueName: "URL"))
    var upload: String?

    @Option(
        help: ArgumentHelp(
            "The environment variable holding the upload token (default WHEELTRUST_UPLOAD_TOKEN; without it, the URL's or the netrc's credentials).",
            valueName: "NAME"))
    var uploadTokenEnv: String?

    @Option(
        help: ArgumentHelp("A CA bundle (PEM) the upload URL's certificate is checked against, instead of the system's.", valueName: "PEM"))
    var uploadCert: String?

    @Flag(help: "Keep the work folder (unpacked source, build environment); the build log names it.")
    var keepWork = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if let buildTag, (try? BuildTag(parsing: buildTag)) == nil {
            throw UsageError("--build-tag \(buildTag): a build tag starts with a digit (e.g. 0, 1a)")
        }
        if format == .sarif { throw UsageError("--format sarif is not available for build") }
        if upload == nil, uploadTokenEnv != nil || uploadCert != nil {
            throw UsageError("--upload-token-env and --upload-cert go with --upload URL")
        }
        if upload != nil, plan { throw UsageError("--plan builds nothing; not with --upload") }
        if buildTimeout < 1 { throw UsageError("--build-timeout must be positive") }
        switch (source, requirementsFile) {
        case (nil, nil): throw UsageError("give an sdist (or NAME==VERSION), or -r FILE")
        case (.some, .some): throw UsageError("give an sdist or -r FILE, not both")
        case (nil, .some):
            if findLinks == nil, !allowPrebuilt.isEmpty {
                throw UsageError("--allow-prebuilt takes the wheels from --find-links DIR; give it")
            }
            if buildTag != nil { throw UsageError("--build-tag is not available with -r") }
            if plan && only != nil { throw UsageError("--plan builds nothing; not with --only") }
        case (.some, nil):
            if only != nil || !allowPrebuilt.isEmpty || plan { throw UsageError("--only, --plan and --allow-prebuilt go with -r") }
        }
    }

    func run() async throws {
        var passphrase: [UInt8]?
        if let name = keyPassphraseEnv {
            guard !name.isEmpty, let value = ProcessInfo.processInfo.environment[name] else {
                throw fail("--key-passphrase-env \(name): the environment variable is not set", code: Exit.usage)
            }
            passphrase = Array(value.utf8)
        }
        let signer: PrivateKey
        do {
            signer = try KeyPairFiles.readPrivateKey(at: key, passphrase: passphrase)
        } catch {
            throw fail("--key \(key): \(error.message)", code: Exit.usage)
        }
        let destination = try uploadDestination()
        guard let source else { return try await runTree(signer: signer, upload: destination) }
        var setup = VerificationSetup(indexURL: indexURL, keyFiles: sourceKeys, cacheDirectory: cacheDir)
        setup.indexURLOrigin = FlagNames.indexURLOrigin
        setup.python = python.contains("/") ? python : nil
        let requirements: RequirementSource =
            findLinks.map { .findLinks(($0 as NSString).standardizingPath) }
            ?? indexURL.map { .indexURL($0) } ?? .pipConfiguration(environment: ProcessInfo.processInfo.environment)
        do {
            let sdist = try await SourceLocator.resolve(source, setup: setup)
            let request = BuildRequest(
                source: sdist, outputDirectory: out, buildTag: try buildTag.map { try BuildTag(parsing: $0) },
                requirements: requirements, builderID: builderID, python: python, signer: signer,
                timeoutSeconds: buildTimeout, keepWorkDirectory: keepWork)
            let isolation = await NetworkIsolation.probe()
            if !isolation.isIsolated { emitError("wheeltrust: warning: \(isolation.summary)\n") }
            let result = try await SourceBuilder.build(request)
            let uploads = await uploadBuilt([result.wheelPath], to: destination)
            try report(result, uploads: uploads)
            try exitAfter(uploads)
        } catch let error as BuildError {
            throw fail("\(FlagNames.message(error))", code: Self.exitCode(error.code))
        }
    }

    private func report(_ result: BuildResult, uploads: [BuildUpload.Outcome]) throws {
        let provenance = result.provenance
        switch format {
        case .json:
            let document: [String: Any] = [
                "wheel": result.wheelPath, "sha256": result.wheelSHA256.text, "attestation": result.attestationPath,
                "log": result.logPath, "isolation": provenance.isolation.summary, "isolated": provenance.isolation.isIsolated,
                "source": [
                    "filename": provenance.source.filename.filename, "sha256": provenance.source.sha256.text,
                    "anchor": provenance.source.anchor.kind, "anchorDetail": provenance.source.anchor.summary,
                ],
                "buildDependencies": provenance.dependencies.map { ["filename": $0.filename, "sha256": $0.sha256] },
                "uploads": uploads.map(Self.uploadJSON),
            ]
            guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) else {
                throw fail("cannot encode the result", code: Exit.incomplete)
            }
            emitJSON(data)
        default:
            emit("built \(result.wheelPath)\n  sha256 \(result.wheelSHA256)\n")
            emit("  from \(provenance.source.filename.filename) sha256 \(provenance.source.sha256)\n")
            emit("  source anchor: \(provenance.source.anchor.summary)\n")
            for dependency in provenance.dependencies {
                emit("  build requirement \(dependency.filename) sha256 \(dependency.sha256)\n")
            }
            emit("  \(provenance.isolation.summary)\n")
            emit("  SOURCE_DATE_EPOCH=\(provenance.sourceDateEpoch) (from \(provenance.sourceDateEpochFrom))\n")
            emit("attestation \(result.attestationPath)\nbuild log \(result.logPath)\n")
            emitUploads(uploads)
        }
    }

    static func exitCode(_ code: BuildError.Code) -> Int32 {
        switch code {
        case .usage: Exit.usage
        case .sourceRejected, .requirementUnavailable, .backendFailed: Exit.failed
        case .operational: Exit.incomplete
        }
    }
}
