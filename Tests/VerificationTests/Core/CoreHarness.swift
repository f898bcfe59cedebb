import Attestations
import Foundation
import IndexServer
import PackageIndex
import PythonPackaging
import Testing

@testable import Verification

/// The index half of an in-process test of the core: the fixture wheels (Fixtures/wheels, made by
/// make_wheels.py) signed with a key generated here, served by wheeltrust's own index server on
/// 127.0.0.1 with basic auth, a cache of its own, and a pipeline built the way the command line
/// builds one (``VerificationSetup``). No venv: a distribution "installed" here is the wheel's own
/// `.dist-info` unpacked (``installed(from:)``), which is what locating and selecting read; the
/// tests that need installed files use ``Scenario`` (a real venv, real pip).
final class SignedIndex: @unchecked Sendable {
    let root: String
    let directory: String
    let cache: String
    let key: PrivateKey
    let publicKeyPath: String
    let server: RunningIndexServer

    var indexURL: String {
        let user = Scenario.user.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? Scenario.user
        return "http://\(user):\(Scenario.token)@127.0.0.1:\(server.port)/pypi/wheeltrust/main/simple/"
    }

    private init(root: String, key: PrivateKey, server: RunningIndexServer) {
        self.root = root
        directory = root + "/index"
        cache = root + "/cache"
        self.key = key
        publicKeyPath = root + "/signer.pub"
        self.server = server
    }

    /// Builds the index, runs `body` and always awaits the teardown (server stopped, files removed).
    static func with<T>(_ body: (SignedIndex) async throws -> T) async throws -> T {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-core-\(UUID().uuidString)").path
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: root + "/index", withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: Scenario.fixtureWheels.path) where name.hasSuffix(".whl") {
                try fm.copyItem(atPath: Scenario.fixtureWheels.appendingPathComponent(name).path, toPath: root + "/index/" + name)
            }
            let key = try PrivateKey.generate(.ecdsaP256)
            try key.publicKey.pemRepresentation.write(toFile: root + "/signer.pub", atomically: true, encoding: .utf8)
            for name in try fm.contentsOfDirectory(atPath: root + "/index") where name.hasSuffix(".whl") {
                try await Core.sign(root + "/index/" + name, with: key)
            }
            let server = try await IndexServer(
                configuration: ServerConfiguration(
                    directory: root + "/index", auth: BasicCredentials(user: Scenario.user, password: Scenario.token))
            ).start()
            let index = SignedIndex(root: root, key: key, server: server)
            do {
                let value = try await body(index)
                await index.stop()
                return value
            } catch {
                await index.stop()
                throw error
            }
        } catch {
            try? fm.removeItem(atPath: root)
            throw error
        }
    }

    private func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// A pipeline on this index and cache, trusting `keyFile` (this index's signer by default).
    func pipeline(keyFile: String? = nil, offline: Bool = false) throws -> Pipeline {
        try Core.pipeline(indexURL: indexURL, keyFile: keyFile ?? publicKeyPath, cache: cache, home: root, offline: offline)
    }

    /// The index's entry for `filename` (as listed on its project page).
    func indexFile(_ filename: String, project: String) async throws -> IndexFile {
        let page = try await pipeline().context.index.project(ProjectName(project))
        return try #require(page.files.first { $0.filename == filename }, "\(filename) not on \(project)'s page")
    }

    /// The `.dist-info` of the index's wheel `filename` unpacked into a site-packages of its own
    /// (what an installer leaves), loaded as an installed distribution. `metadata` replaces the
    /// installed METADATA's bytes when given.
    func installed(from filename: String, metadata: [UInt8]? = nil) throws -> InstalledDistribution {
        let site = root + "/site-\(UUID().uuidString)"
        let wheel = try Wheel.open(path: directory + "/" + filename)
        for entry in wheel.archive.entries where entry.name.hasPrefix(wheel.distInfoDirectory + "/") {
            let path = site + "/" + entry.name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try Data(try wheel.archive.data(of: entry, maxSize: 1 << 20)).write(to: URL(fileURLWithPath: path))
        }
        if let metadata {
            try Data(metadata).write(to: URL(fileURLWithPath: site + "/" + wheel.distInfoDirectory + "/METADATA"))
        }
        return InstalledDistribution.load(distInfoPath: site + "/" + wheel.distInfoDirectory, root: site)
    }

    func sha256(of filename: String) throws -> String {
        try FileHashing.digest(ofFileAt: directory + "/" + filename, algorithm: .sha256).digest.hex
    }
}

/// The few places the core tests touch signatures that are expected to change (how a wheel is
/// fetched, how a pipeline is configured, who signs), so that a change lands here only.
enum Core {
    /// A pipeline as the command line builds one: ``VerificationSetup`` with the index URL named,
    /// one trusted key file, a cache directory, and no pip configuration of this machine.
    static func pipeline(indexURL: String, keyFile: String, cache: String, home: String, offline: Bool = false) throws -> Pipeline {
        var setup = VerificationSetup(
            indexURL: indexURL, keyFiles: [keyFile], cacheDirectory: cache, timeout: 30,
            environment: ["HOME": home, "PIP_CONFIG_FILE": "/dev/null"])
        setup.offline = offline
        let configuration = try setup.indexConfiguration(for: nil)
        return Pipeline(context: try setup.context(configuration: configuration))
    }

    /// ``Pipeline/fetchWheel(_:)``: the wheel when its bytes are in the cache, and the checks made.
    static func fetch(_ pipeline: Pipeline, _ file: IndexFile) async -> (wheel: FetchedWheel?, checks: [CheckResult]) {
        let fetch = await pipeline.fetchWheel(file)
        return (fetch.wheel, fetch.checks)
    }

    /// Writes `<file>.slsa.attestation` beside `path`, signed with `key` (as the build would).
    static func sign(_ path: String, with key: PrivateKey) async throws {
        _ = try await Attester.attest(
            wheel: path, key: key, builderID: "https://builder.example/wheeltrust-tests",
            buildType: Attester.defaultBuildType)
    }

    /// Writes a new public key file for a key generated here that signed nothing.
    static func strangerKeyFile(in directory: String) throws -> (path: String, key: PrivateKey) {
        let key = try PrivateKey.generate(.ed25519)
        let path = directory + "/stranger-\(UUID().uuidString).pub"
        try key.publicKey.pemRepresentation.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, key)
    }

    /// The one check named `name` among `checks`.
    static func check(_ name: CheckName, in checks: [CheckResult]) -> CheckResult? {
        checks.first { $0.name == name }
    }

    /// The checks that failed or could not run.
    static func failing(_ checks: [CheckResult]) -> [CheckName] {
        checks.filter { $0.status == .fail || $0.status == .error }.map(\.name)
    }

    /// Expects exactly one `name` check in `checks`, with `status` and every fragment in its detail.
    static func expect(
        _ checks: [CheckResult], _ name: CheckName, _ status: CheckStatus, _ fragments: String...,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let found = checks.filter { $0.name == name }
        guard found.count == 1, let check = found.first else {
            Issue.record("expected one \(name) check, found \(found.count): \(checks)", sourceLocation: sourceLocation)
            return
        }
        #expect(check.status == status, "\(name): \(check.status) \(check.detail)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                check.detail.contains(fragment), "\(name) detail lacks '\(fragment)': \(check.detail)",
                sourceLocation: sourceLocation)
        }
    }
}

extension Scenario {
    /// The scenario's environment verified in process, trusting `keyFile` (the scenario's signer
    /// by default): the environment inspected and the pipeline built as the command line does.
    func environmentVerifier(keyFile: String? = nil) async throws -> EnvironmentVerifier {
        let setup = VerificationSetup(
            python: python, indexURL: indexURL, keyFiles: [keyFile ?? publicKeyPath],
            cacheDirectory: cache, environment: ["HOME": root, "PIP_CONFIG_FILE": "/dev/null"])
        let environment = try await setup.inspectEnvironment()
        let pipeline = try Core.pipeline(indexURL: indexURL, keyFile: keyFile ?? publicKeyPath, cache: cache, home: root)
        return EnvironmentVerifier(environment: environment, pipeline: pipeline)
    }
}
