import Attestations
import Foundation
import PythonPackaging

/// What one `wheeltrust build` of one sdist is asked to do.
public struct BuildRequest: Sendable {
    public var source: SourceDistribution
    /// Where the wheel, its attestation and the build log are written.
    public var outputDirectory: String
    public var buildTag: BuildTag?
    public var requirements: RequirementSource
    public var builderID: String
    /// The interpreter the build environment is made from (an absolute path or a name on PATH).
    public var python: String
    /// The caller's environment: its PATH finds `python` when it is a bare name, and the
    /// interpreter is asked for its real path with it (a shim may need its variables); nothing
    /// of it reaches the build.
    public var callerEnvironment: [String: String]
    /// Signs the provenance: a private key, or an external signer command (as `attest` takes
    /// them). Required by ``SourceBuilder/build(_:)``; a rebuild builds unsigned.
    public var signer: (any StatementSigner)?
    public var timeoutSeconds: Int
    /// Keep the work folder (sources, venv) for inspection instead of removing it.
    public var keepWorkDirectory: Bool

    public init(
        source: SourceDistribution, outputDirectory: String, buildTag: BuildTag? = nil, requirements: RequirementSource,
        builderID: String = BuildProvenance.defaultBuilderID, python: String = "python3",
        callerEnvironment: [String: String] = ProcessInfo.processInfo.environment,
        signer: (any StatementSigner)?, timeoutSeconds: Int = 1800, keepWorkDirectory: Bool = false
    ) {
        self.source = source
        // Absolute: the build's steps run in other working folders.
        self.outputDirectory = PathResolution.absolute(outputDirectory)
        self.buildTag = buildTag
        self.requirements = requirements.absolute
        self.builderID = builderID
        self.python = python
        self.callerEnvironment = callerEnvironment
        self.signer = signer
        self.timeoutSeconds = timeoutSeconds
        self.keepWorkDirectory = keepWorkDirectory
    }
}

/// What a build produced.
public struct BuildResult: Sendable {
    public let wheelPath: String
    public let wheelSHA256: SHA256Hex
    public let attestationPath: String
    public let logPath: String
    /// The signed statement, byte for byte.
    public let statement: [UInt8]
    public let provenance: BuildProvenance
}

/// Builds a wheel from an sdist through its own PEP 517 backend, in a fresh virtual environment
/// wheeltrust prepares, and signs a SLSA v1 provenance of it.
///
/// Guarantees: the build environment holds only the wheels installed into it, each recorded by
/// sha256 (``BuildEnvironment``); the backend's hooks run with a minimal environment (PATH of the
/// venv and the system, HOME and TMPDIR inside the work folder, `SOURCE_DATE_EPOCH` from the sdist,
/// `LC_ALL=C.UTF-8`, `PYTHONHASHSEED=0`) and without network when the system allows
/// (``NetworkIsolation``); the wheel written has a wheel filename whose project and version are
/// the sdist's, its members agree with its RECORD, and the attestation beside it is signed over the
/// statement returned; failures are thrown as ``BuildError`` naming the stage and the log.
public enum SourceBuilder {
    public static func build(_ request: BuildRequest) async throws(BuildError) -> BuildResult {
        guard let signer = request.signer else { throw BuildError(.usage, "a build needs a signer for its provenance") }
        let built = try await buildUnsigned(request)
        let predicate = built.provenance.predicate()
        do {
            try predicate.validate()
        } catch {
            throw BuildError(.usage, "the provenance would be malformed: \(error.message)")
        }
        let attestationPath: String
        do {
            attestationPath = try await Attester.attest(wheel: built.wheelPath, signer: signer, provenance: predicate)
        } catch {
            throw BuildError(.operational, error.message)
        }
        // The statement exactly as signed, read back from the attestation written.
        let statement: [UInt8]
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: attestationPath))
            statement = try Attestation.decode(data).envelope.statement
        } catch {
            throw BuildError(.operational, "cannot read back \(attestationPath)")
        }
        return BuildResult(
            wheelPath: built.wheelPath, wheelSHA256: built.wheelSHA256, attestationPath: attestationPath, logPath: built.logPath,
            statement: statement, provenance: built.provenance)
    }

    /// A wheel built and written with its log, its provenance not yet signed.
    public struct UnsignedBuild: Sendable {
        public let wheelPath: String
        public let wheelSHA256: SHA256Hex
        public let logPath: String
        public let provenance: BuildProvenance
    }

    /// Every step but the signature (what ``build(_:)`` signs, and what a rebuild compares).
    public static func buildUnsigned(_ request: BuildRequest) async throws(BuildError) -> UnsignedBuild {
        let startedOn = Date()
        let fileManager = FileManager.default
        try fileManager.createDirectoryOrFail(request.outputDirectory)
        let output = (request.outputDirectory as NSString).standardizingPath
        let work = try makeWorkDirectory()
        defer { if !request.keepWorkDirectory { try? fileManager.removeItem(atPath: work) } }
        let stem = String(request.source.filename.filename.dropLast(".tar.gz".count))
        let logPath = (output as NSString).appendingPathComponent("\(stem).build.log")
        let log = try BuildLog(path: logPath)
        defer { log.close() }
        let process = BuildProcess(log: log)
        log.append(
            "wheeltrust build of \(request.source.filename.filename) sha256 \(request.source.sha256); work folder \(work)\(request.keepWorkDirectory ? " (kept)" : "")\n"
        )
        let home = (work as NSString).appendingPathComponent("home")
        let tmp = (work as NSString).appendingPathComponent("tmp")
        let sourceRoot = (work as NSString).appendingPathComponent("src")
        let wheelDirectory = (work as NSString).appendingPathComponent("dist")
        for folder in [home, tmp, sourceRoot, wheelDirectory] { try fileManager.createDirectoryOrFail(folder) }
        let driver = (work as NSString).appendingPathComponent(BuildDriverScript.filename)
        guard fileManager.createFile(atPath: driver, contents: Data(BuildDriverScript.source.utf8)) else {
            throw BuildError(.operational, "cannot write the build driver into \(work)")
        }
        let systemPath = "/usr/local/bin:/usr/bin:/bin"
        let basePython = try resolve(request.python, searchPath: request.callerEnvironment["PATH"] ?? systemPath)
        var baseEnvironment = ["PATH": systemPath, "HOME": home, "TMPDIR": tmp, "LC_ALL": "C.UTF-8", "PYTHONNOUSERSITE": "1"]

        // The interpreter: asked for its facts (its real path, not a shim's).
        let facts: InterpreterFacts = try await runDriver(
            process, python: basePython, mode: "info", arguments: [],
            environment: request.callerEnvironment.filter { !$0.key.hasPrefix("PYTHON") }, work: work, isolation: nil,
            timeoutSeconds: 120, failure: .operational)
        log.append("interpreter: \(facts.executable) \(facts.implementation) \(facts.version) \(facts.platform)\n")

        // Unpack the sdist (tarfile's `data` filter: nothing outside the folder, no links out, no devices).
        struct Extracted: Decodable { let root: String; let epoch: Int; let epochSource: String }
        let extracted: Extracted = try await runDriver(
            process, python: facts.executable, mode: "extract", arguments: [request.source.path, sourceRoot],
            environment: baseEnvironment, work: work, isolation: nil, timeoutSeconds: 300, failure: .usage,
            what: "unpacking \(request.source.filename.filename)")
        let tree = (sourceRoot as NSString).appendingPathComponent(extracted.root)
        log.append("source tree: \(extracted.root); SOURCE_DATE_EPOCH=\(extracted.epoch) (from \(extracted.epochSource))\n")
        let buildSystem = try BuildSystemTable.read(sourceTree: tree)
        log.append(
            "build-system: backend \(buildSystem.backend); requires \(buildSystem.requires)\(buildSystem.isFallback ? " (PEP 517 fallback)" : "")\n"
        )

        // A fresh environment with the build requirements, as wheels, by digest.
        var environment = BuildEnvironment(
            python: facts.executable, work: work, source: request.requirements, process: process,
            timeoutSeconds: request.timeoutSeconds)
        try await environment.create(environment: baseEnvironment)
        try await environment.install(buildSystem.requires, environment: baseEnvironment, round: "build-system.requires")

        let isolation = await NetworkIsolation.probe()
        log.append("isolation: \(isolation.summary)\n")
        baseEnvironment["SOURCE_DATE_EPOCH"] = String(extracted.epoch)
        baseEnvironment["PYTHONHASHSEED"] = "0"
        baseEnvironment["PYTHONDONTWRITEBYTECODE"] = "1"
        var hookEnvironment = baseEnvironment
        hookEnvironment["PATH"] = environment.venvBin + ":" + systemPath
        hookEnvironment["VIRTUAL_ENV"] = environment.venv
        let backendPath = String(decoding: (try? JSONEncoder().encode(buildSystem.backendPath)) ?? Data("[]".utf8), as: UTF8.self)

        let dynamic: [String] = try await runDriver(
            process, python: environment.venvPython, mode: "requires", arguments: [buildSystem.backend, backendPath],
            environment: hookEnvironment, work: tree, driver: driver, isolation: isolation, timeoutSeconds: request.timeoutSeconds,
            failure: .backendFailed, what: "get_requires_for_build_wheel")
        try await environment.install(dynamic, environment: baseEnvironment, round: "get_requires_for_build_wheel")

        let built: String = try await runDriver(
            process, python: environment.venvPython, mode: "build", arguments: [buildSystem.backend, backendPath, wheelDirectory],
            environment: hookEnvironment, work: tree, driver: driver, isolation: isolation, timeoutSeconds: request.timeoutSeconds,
            failure: .backendFailed, what: "build_wheel")
        let builtPath = (wheelDirectory as NSString).appendingPathComponent(built)
        let builtName: WheelFilename
        do {
            builtName = try WheelFilename(parsing: built)
        } catch {
            throw BuildError(.backendFailed, "the backend wrote \(TerminalEscaping.escape(built)), not a wheel filename; see \(logPath)")
        }
        guard builtName.name == request.source.filename.name, builtName.version == request.source.filename.version else {
            throw BuildError(
                .backendFailed,
                "the backend built \(TerminalEscaping.escape(built)) from \(request.source.filename.filename): another project or version")
        }

        // The build tag: the filename, WHEEL's `Build:` and RECORD's line for WHEEL agree.
        var finalName = built
        var finalBuilt = builtPath
        if let tag = request.buildTag {
            finalName = WheelRetag.filename(builtName, tag: tag)
            finalBuilt = (work as NSString).appendingPathComponent(finalName)
            let _: String = try await runDriver(
                process, python: facts.executable, mode: "retag", arguments: [builtPath, tag.description, finalBuilt],
                environment: baseEnvironment, work: work, driver: driver, isolation: nil, timeoutSeconds: 300, failure: .operational,
                what: "setting the build tag")
        }
        let (_, contents) = WheelCheck.check(at: finalBuilt, filename: finalName)
        if let contents { throw BuildError(.backendFailed, "the built wheel \(finalName) is not consistent: \(contents)") }

        let wheelPath = (output as NSString).appendingPathComponent(finalName)
        let wheelBytes: [UInt8]
        do {
            wheelBytes = Array(try Data(contentsOf: URL(fileURLWithPath: finalBuilt)))
            try AtomicFile.write(wheelBytes, to: wheelPath, mode: 0o644, creatingDirectory: false)
        } catch {
            throw BuildError(.operational, "cannot write \(wheelPath)")
        }
        let wheelSHA256 = SHA256Hex(FileDigest.compute(wheelBytes, algorithm: .sha256))
        log.append("wheel: \(finalName) sha256 \(wheelSHA256)\n")
        log.close()
        let logSHA256: SHA256Hex
        do {
            logSHA256 = try SHA256Hex(FileHashing.digest(ofFileAt: logPath, algorithm: .sha256).digest)
        } catch {
            throw BuildError(.operational, "cannot read the build log \(logPath)")
        }

        let provenance = BuildProvenance(
            source: request.source, buildTag: request.buildTag?.description,
            requirementSource: request.requirements, buildSystem: buildSystem, interpreter: facts, isolation: isolation,
            sourceDateEpoch: extracted.epoch, sourceDateEpochFrom: extracted.epochSource,
            environmentVariables: Array(hookEnvironment.keys), dependencies: environment.installed,
            builderID: request.builderID, invocationID: "urn:uuid:" + UUID().uuidString.lowercased(),
            startedOn: startedOn, finishedOn: Date(), logName: (logPath as NSString).lastPathComponent, logSHA256: logSHA256)
        return UnsignedBuild(wheelPath: wheelPath, wheelSHA256: wheelSHA256, logPath: logPath, provenance: provenance)
    }

    /// Runs one driver mode and decodes its JSON result; a failing run is `failure`, naming `what` and the log.
    static func runDriver<Result: Decodable>(
        _ process: BuildProcess, python: String, mode: String, arguments: [String], environment: [String: String],
        work: String, driver: String? = nil, isolation: NetworkIsolation?, timeoutSeconds: Int, failure: BuildError.Code,
        what: String? = nil
    ) async throws(BuildError) -> Result {
        let script = driver ?? (work as NSString).appendingPathComponent(BuildDriverScript.filename)
        let resultPath = (NSTemporaryDirectory() as NSString).appendingPathComponent("wheeltrust-driver-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(atPath: resultPath) }
        let command = (isolation?.prefix ?? []) + [python, "-I", script, mode] + arguments + [resultPath]
        let outcome = try await process.run(
            command[0], Array(command.dropFirst()), environment: environment, currentDirectory: work, timeoutSeconds: timeoutSeconds)
        let label = what ?? mode
        guard outcome.status == 0, !outcome.timedOut else {
            let why = outcome.timedOut ? "did not finish within \(timeoutSeconds) s" : "failed (exit status \(outcome.status))"
            let last = process.log.tail(1)
            throw BuildError(failure, "\(label) \(why)\(last.isEmpty ? "" : ": \(last)"); build log: \(process.log.path)")
        }
        guard let data = FileManager.default.contents(atPath: resultPath) else {
            throw BuildError(failure, "\(label) gave no result; build log: \(process.log.path)")
        }
        do {
            return try JSONDecoder().decode(Result.self, from: data)
        } catch {
            throw BuildError(failure, "\(label) gave a result that cannot be read; build log: \(process.log.path)")
        }
    }

    static func makeWorkDirectory() throws(BuildError) -> String {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("wheeltrust-build-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw BuildError(.operational, "cannot create a work folder in \(NSTemporaryDirectory())") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An absolute path as given; a bare name looked up on `searchPath`.
    static func resolve(_ program: String, searchPath: String) throws(BuildError) -> String {
        if program.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: program) else { throw BuildError(.usage, "\(program): no such interpreter") }
            return program
        }
        for folder in searchPath.split(separator: ":") {
            let candidate = (String(folder) as NSString).appendingPathComponent(program)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw BuildError(.usage, "\(program) is not on PATH")
    }
}
