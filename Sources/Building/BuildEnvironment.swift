import Foundation
import PythonPackaging

/// One wheel installed into the build environment, as the provenance lists it.
public struct BuildDependency: Sendable, Hashable, Codable {
    /// The wheel's project name as its filename writes it.
    public let name: String
    public let version: String
    public let filename: String
    public let sha256: String
}

/// The fresh virtual environment a build runs in, and the wheels put into it.
///
/// Guarantees: the environment is made with `python -m venv --without-pip` (nothing in it but what
/// is installed here); every requirement is first downloaded as a wheel into one folder and then
/// installed from exactly those files (`--no-index --no-deps`), and each is recorded with the
/// sha256 of the very file installed; a requirement pip cannot find is named in the error.
struct BuildEnvironment {
    let python: String
    let venv: String
    let wheelhouse: String
    let work: String
    let source: RequirementSource
    let process: BuildProcess
    let timeoutSeconds: Int
    private(set) var installed: [BuildDependency] = []

    init(python: String, work: String, source: RequirementSource, process: BuildProcess, timeoutSeconds: Int) {
        self.python = python
        self.work = work
        self.venv = (work as NSString).appendingPathComponent("venv")
        self.wheelhouse = (work as NSString).appendingPathComponent("build-wheels")
        self.source = source
        self.process = process
        self.timeoutSeconds = timeoutSeconds
    }

    var venvPython: String { (venv as NSString).appendingPathComponent("bin/python") }
    var venvBin: String { (venv as NSString).appendingPathComponent("bin") }

    func create(environment: [String: String]) async throws(BuildError) {
        try FileManager.default.createDirectoryOrFail(wheelhouse)
        let outcome = try await process.run(
            python, ["-m", "venv", "--without-pip", venv], environment: environment, currentDirectory: work,
            timeoutSeconds: timeoutSeconds)
        guard outcome.status == 0 else {
            throw BuildError(.operational, "cannot create the build environment (python -m venv); see \(process.log.path)")
        }
    }

    /// Downloads `requirements` (and what they depend on) as wheels, then installs them; what was
    /// installed before is kept as a constraint, so a later round cannot swap it.
    mutating func install(_ requirements: [String], environment: [String: String], round: String) async throws(BuildError) {
        guard !requirements.isEmpty else { return }
        for requirement in requirements {
            if let why = Self.directReference(requirement) {
                throw BuildError(
                    .requirementUnavailable,
                    "build requirement \(TerminalEscaping.escape(requirement)) (\(round)) is \(why): refused, build requirements come only from \(source.recorded)"
                )
            }
        }
        var arguments = ["-m", "pip", "download", "--only-binary", ":all:", "--dest", wheelhouse, "--progress-bar", "off"]
        arguments += source.pipArguments
        if !installed.isEmpty {
            let constraints = (work as NSString).appendingPathComponent("constraints-\(round).txt")
            let text = installed.map { "\($0.name)==\($0.version)\n" }.joined()
            guard FileManager.default.createFile(atPath: constraints, contents: Data(text.utf8)) else {
                throw BuildError(.operational, "cannot write \(constraints)")
            }
            arguments += ["--constraint", constraints]
        }
        let before = Set(wheelFiles())
        let pipEnvironment = environment.merging(source.pipEnvironment) { _, pip in pip }
        let download = try await process.run(
            python, arguments + ["--"] + requirements, environment: pipEnvironment, currentDirectory: work,
            timeoutSeconds: timeoutSeconds)
        guard download.status == 0 else {
            if let missing = Self.missingRequirement(inLog: process.log.path) {
                throw BuildError(
                    .requirementUnavailable,
                    "build requirement \(missing) is not available as a wheel from \(source.recorded) (\(round)); see \(process.log.path)")
            }
            throw BuildError(.operational, "pip could not download the build requirements (\(round)); see \(process.log.path)")
        }
        let new = wheelFiles().filter { !before.contains($0) }
        var recorded: [BuildDependency] = []
        for filename in new {
            let path = (wheelhouse as NSString).appendingPathComponent(filename)
            let parsed: WheelFilename
            do {
                parsed = try WheelFilename(parsing: filename)
            } catch {
                throw BuildError(.requirementUnavailable, "pip downloaded \(filename), which is not a wheel filename")
            }
            let sha256: String
            do {
                sha256 = try FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest.hex
            } catch {
                throw BuildError(.operational, "cannot read \(path): \(error.message)")
            }
            recorded.append(
                BuildDependency(name: parsed.name.raw, version: parsed.version.description, filename: filename, sha256: sha256))
        }
        guard !recorded.isEmpty else { return }
        // Installed from the very files just hashed; nothing else is looked at.
        let install = try await process.run(
            python,
            ["-m", "pip", "--python", venvPython, "install", "--no-index", "--no-deps", "--no-compile", "--progress-bar", "off"]
                + new.map { (wheelhouse as NSString).appendingPathComponent($0) },
            environment: pipEnvironment.merging(["PIP_CONFIG_FILE": "/dev/null"]) { _, new in new }, currentDirectory: work,
            timeoutSeconds: timeoutSeconds)
        guard install.status == 0 else {
            throw BuildError(.operational, "pip could not install the build requirements (\(round)); see \(process.log.path)")
        }
        installed += recorded
    }

    /// Why `requirement` is not a plain PEP 508 name-and-version requirement pip would look up in
    /// the configured source (a URL or path would bypass `--no-index`/`--find-links`), or nil.
    static func directReference(_ requirement: String) -> String? {
        let specification = requirement.split(separator: ";", maxSplits: 1).first.map(String.init) ?? requirement
        let trimmed = specification.trimmingCharacters(in: .whitespaces)
        if trimmed.contains("@") || trimmed.contains("://") { return "a direct reference (URL)" }
        if trimmed.hasPrefix(".") || trimmed.hasPrefix("/") || trimmed.hasPrefix("~") || trimmed.contains("\\") || trimmed.hasSuffix(".whl")
            || trimmed.hasSuffix(".tar.gz") || trimmed.hasSuffix(".zip")
        {
            return "a path, not a requirement"
        }
        if trimmed.hasPrefix("-") { return "an option, not a requirement" }
        return nil
    }

    func wheelFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: wheelhouse)) ?? []).filter { $0.hasSuffix(".whl") }.sorted()
    }

    /// The requirement pip's "No matching distribution found for X" names, the last in the log.
    static func missingRequirement(inLog path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let marker = "No matching distribution found for "
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").last(where: { $0.contains(marker) }),
            let range = line.range(of: marker)
        else { return nil }
        return TerminalEscaping.escape(line[range.upperBound...].trimmingCharacters(in: .whitespaces))
    }
}

extension FileManager {
    func createDirectoryOrFail(_ path: String) throws(BuildError) {
        do {
            try createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw BuildError(.operational, "cannot create \(path): \(error.localizedDescription)")
        }
    }
}
