import Attestations
import Foundation
import IndexServer
import TestSupport
import Testing

/// One complete, real setting for an end-to-end test: a folder of real wheels signed with a key
/// generated here, `wheeltrust`'s own index server on 127.0.0.1 with basic auth, and a fresh venv
/// into which real pip installed the packages from that server.
final class Scenario: @unchecked Sendable {
    static let user = "ci|robot"
    static let token = "s3cret-token"

    let root: String
    let indexDirectory: String
    let venv: String
    let cache: String
    let key: PrivateKey
    let publicKeyPath: String
    let server: RunningIndexServer
    /// With `tls`: the PEM file of the CA that issued the server's certificate (pip's `cert`).
    let caBundle: String?

    /// The interpreter whose environment is checked (`venv/bin/python`, or the "system" Python's).
    let python: String

    /// How the checked environment is made.
    enum Layout {
        /// `python3 -m venv` (symbolic links to the base interpreter).
        case venv
        /// `python3 -m venv --copies` (byte-identical copies of the base interpreter).
        case venvCopies
        /// A stand-alone Python installation (no `pyvenv.cfg`): the base's binary copied into
        /// `<root>/venv/bin`, its standard library linked entry by entry into `<root>/venv/lib`,
        /// and an empty site-packages of its own: a system Python that the test may install into.
        case system
    }
    var sitePackages: String {
        let lib = venv + "/lib"
        let version = (try? FileManager.default.contentsOfDirectory(atPath: lib))?.first { $0.hasPrefix("python") } ?? "python3"
        return "\(lib)/\(version)/site-packages"
    }
    /// The index URL with credentials, as a user would put it in pip.conf.
    var indexURL: String {
        let user = Scenario.user.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? Scenario.user
        return "\(caBundle == nil ? "http" : "https")://\(user):\(Scenario.token)@127.0.0.1:\(server.port)/pypi/wheeltrust/main/simple/"
    }

    static var fixtureWheels: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("wheels")
    }

    /// The fixture wheels, all installed by default.
    static let allPackages = ["dotted.pkg", "datatool", "clitool", "markupsafe"]

    static var keylessFixtures: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("keyless")
    }

    /// - Parameter keyless: also serve the real Sigstore-attested abi3info wheel with its real provenance.
    /// - Parameter tls: serve HTTPS with a certificate from a CA made here (`caBundle`); pip installs with `--cert`.
    init(
        packages: [String] = Scenario.allPackages, legacyProvenanceURLs: Bool = false,
        keyKind: KeyKind = .ecdsaP256, keyless: Bool = false, tls: Bool = false, layout: Layout = .venv
    ) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-e2e-\(UUID().uuidString)").path
        indexDirectory = root + "/index"
        venv = root + "/venv"
        cache = root + "/cache"
        try FileManager.default.createDirectory(atPath: indexDirectory, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Scenario.fixtureWheels.path) where name.hasSuffix(".whl") {
            try FileManager.default.copyItem(
                atPath: Scenario.fixtureWheels.appendingPathComponent(name).path,
                toPath: indexDirectory + "/" + name)
        }
        key = try PrivateKey.generate(keyKind)
        publicKeyPath = root + "/signer.pub"
        try key.publicKey.pemRepresentation.write(toFile: publicKeyPath, atomically: true, encoding: .utf8)
        for name in try FileManager.default.contentsOfDirectory(atPath: indexDirectory) where name.hasSuffix(".whl") {
            _ = try await Attester.attest(
                wheel: indexDirectory + "/" + name, key: key,
                builderID: "https://builder.example/wheeltrust-tests", buildType: Attester.defaultBuildType)
        }
        if keyless {
            for name in try FileManager.default.contentsOfDirectory(atPath: Scenario.keylessFixtures.path) {
                try FileManager.default.copyItem(
                    atPath: Scenario.keylessFixtures.appendingPathComponent(name).path,
                    toPath: indexDirectory + "/" + name)
            }
        }
        var serverTLS: ServerTLS?
        if tls {
            let authority = try TestCertificateAuthority()
            let (certificate, privateKey) = try authority.issueServerCertificate()
            try FileManager.default.createDirectory(atPath: root + "/tls", withIntermediateDirectories: true)
            try certificate.write(toFile: root + "/tls/server.pem", atomically: true, encoding: .utf8)
            try privateKey.write(toFile: root + "/tls/server.key", atomically: true, encoding: .utf8)
            try authority.pem.write(toFile: root + "/tls/ca.pem", atomically: true, encoding: .utf8)
            serverTLS = ServerTLS(certificateChainPath: root + "/tls/server.pem", privateKeyPath: root + "/tls/server.key")
            caBundle = root + "/tls/ca.pem"
        } else {
            caBundle = nil
        }
        let running = try await IndexServer(
            configuration: ServerConfiguration(
                directory: indexDirectory, auth: BasicCredentials(user: Scenario.user, password: Scenario.token),
                legacyProvenanceURLs: legacyProvenanceURLs, tls: serverTLS)
        ).start()
        server = running
        let scratch = root

        do {
            switch layout {
            case .venv, .venvCopies:
                python = venv + "/bin/python"
                let created = try await TestProcess.run(
                    TestProcess.python3,
                    ["-m", "venv", "--without-pip"]
                        + (layout == .venvCopies ? ["--copies"] : []) + [venv])
                try #require(created.status == 0, "venv: \(created.output)")
            case .system:
                python = try await Scenario.makeSystemPython(at: venv)
            }
            let installed = try await TestProcess.run(
                TestProcess.python3,
                [
                    "-m", "pip", "--python", python, "install", "--no-cache-dir", "--index-url", indexURL,
                ] + (caBundle.map { ["--cert", $0] } ?? []) + packages)
            try #require(installed.status == 0, "pip install: \(installed.output)")
        } catch {
            // Not built: its server and directory are still torn down before the error goes on.
            await running.stop()
            try? FileManager.default.removeItem(atPath: scratch)
            throw error
        }
    }

    /// Builds a scenario, runs `body` with it and always awaits its teardown (the server stopped,
    /// the directory removed) before returning or rethrowing `body`'s error. A `defer { Task {
    /// await scenario.stop() } }` would not wait: the next test could start while this one's server
    /// still runs.
    static func with<T>(
        packages: [String] = Scenario.allPackages, legacyProvenanceURLs: Bool = false,
        keyKind: KeyKind = .ecdsaP256, keyless: Bool = false, tls: Bool = false, layout: Layout = .venv,
        _ body: (Scenario) async throws -> T
    ) async throws -> T {
        let scenario = try await Scenario(
            packages: packages, legacyProvenanceURLs: legacyProvenanceURLs,
            keyKind: keyKind, keyless: keyless, tls: tls, layout: layout)
        do {
            let value = try await body(scenario)
            await scenario.stop()
            return value
        } catch {
            await scenario.stop()
            throw error
        }
    }

    /// Runs `wheeltrust` with this scenario's interpreter, index, key and cache.
    /// `pipConfig` is the pip configuration file wheeltrust reads (none by default). `trust`
    /// replaces the default `--key <the scenario's key>` (pass `[]` for wheeltrust's default trust).
    func wheeltrust(
        _ arguments: [String], key: String? = nil, index: String? = nil,
        pipConfig: String = "/dev/null", trust: [String]? = nil
    ) async throws -> ProcessResult {
        var args = arguments
        args += ["--python", python, "--index-url", index ?? indexURL, "--cache-dir", cache, "--timeout", "30"]
        args += trust ?? ["--key", key ?? publicKeyPath]
        return try await TestProcess.run(TestProcess.wheeltrust, args, environment: ["HOME": root, "PIP_CONFIG_FILE": pipConfig])
    }

    /// A stand-alone Python installation at `prefix` (see ``Layout/system``); its interpreter.
    static func makeSystemPython(at prefix: String) async throws -> String {
        let probe = try await TestProcess.run(
            TestProcess.python3,
            [
                "-c",
                "import os, sys, sysconfig; "
                    + "print(os.path.realpath(sys.executable)); print(sysconfig.get_path('stdlib'))",
            ])
        let lines = probe.stdout.split(separator: "\n").map(String.init)
        try #require(probe.status == 0 && lines.count == 2, "\(probe.output)")
        let (binary, stdlib) = (lines[0], lines[1])
        let fm = FileManager.default
        let version = (stdlib as NSString).lastPathComponent
        try fm.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: prefix + "/lib/\(version)/site-packages", withIntermediateDirectories: true)
        try fm.copyItem(atPath: binary, toPath: prefix + "/bin/" + version)
        for name in try fm.contentsOfDirectory(atPath: stdlib) where name != "site-packages" {
            try fm.createSymbolicLink(atPath: prefix + "/lib/\(version)/" + name, withDestinationPath: stdlib + "/" + name)
        }
        return prefix + "/bin/" + version
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Re-signs a statement the test wrote with this scenario's key and puts it beside `wheel`.
    func replaceAttestation(of wheel: String, statement: [UInt8], key signer: PrivateKey? = nil) async throws {
        let attestation = try await AttestationBuilder.sign(statement: statement, with: signer ?? key)
        try attestation.encoded().write(to: URL(fileURLWithPath: indexDirectory + "/" + wheel + ".slsa.attestation"))
    }

    func sha256(ofIndexFile name: String) async throws -> String {
        let result = try await TestProcess.run("/usr/bin/sha256sum", [indexDirectory + "/" + name])
        return String(result.stdout.prefix(64))
    }
}
