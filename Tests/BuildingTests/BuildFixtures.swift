import Attestations
import Foundation
import TestSupport
import Testing

@testable import Building

/// Real things the build tests use: sdists made here with Python's tarfile, fixture wheels, keys.
enum BuildFixtures {
    /// The interpreter the builds use: python3 as this machine's PATH finds it.
    static let buildPython = "python3"

    static func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!.path
    }

    static func temporaryDirectory(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wt-build-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `name-version.tar.gz` into `directory`: the files under one top folder, every member
    /// with mtime `mtime` (PKG-INFO's is what SOURCE_DATE_EPOCH comes from).
    static func makeSdist(
        name: String, version: String, files: [String: String], in directory: String, mtime: Int = 1_700_000_000
    ) async throws -> String {
        let top = "\(name)-\(version)"
        var all = files
        if all["PKG-INFO"] == nil {
            all["PKG-INFO"] = "Metadata-Version: 2.1\nName: \(name)\nVersion: \(version)\n"
        }
        let spec = try JSONSerialization.data(withJSONObject: ["top": top, "mtime": mtime, "files": all])
        let specPath = directory + "/\(top).json"
        try spec.write(to: URL(fileURLWithPath: specPath))
        let output = directory + "/\(top).tar.gz"
        let script = """
            import io, json, sys, tarfile, gzip
            spec = json.load(open(sys.argv[1]))
            raw = io.BytesIO()
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                dirs = set()
                for path in sorted(spec["files"]):
                    parts = path.split("/")[:-1]
                    for i in range(len(parts)):
                        d = "/".join(parts[:i + 1])
                        if d not in dirs:
                            dirs.add(d)
                            info = tarfile.TarInfo(spec["top"] + "/" + d); info.type = tarfile.DIRTYPE
                            info.mode = 0o755; info.mtime = spec["mtime"]; tar.addfile(info)
                    data = spec["files"][path].encode()
                    info = tarfile.TarInfo(spec["top"] + "/" + path); info.size = len(data)
                    info.mode = 0o644; info.mtime = spec["mtime"]
                    tar.addfile(info, io.BytesIO(data))
            with open(sys.argv[2], "wb") as f:
                f.write(gzip.compress(raw.getvalue(), mtime=0))
            """
        let result = try await run("/usr/bin/env", ["python3", "-c", script, specPath, output])
        try #require(result.status == 0, "making the sdist: \(result.output)")
        return output
    }

    /// A project with an in-tree backend (PEP 517 `backend-path`): it writes a wheel by hand,
    /// records SOURCE_DATE_EPOCH and whether it could open a socket to `probePort` on 127.0.0.1
    /// into the wheel (`tiny/_build_facts.py`), asks for `dynamicRequires`, and fails when `fail`.
    static func inTreeBackendProject(
        name: String = "tiny", version: String = "1.0", probePort: Int = 9, dynamicRequires: [String] = [], fail: Bool = false
    ) -> [String: String] {
        let requiresList = dynamicRequires.map { "\"\($0)\"" }.joined(separator: ", ")
        let backend = """
            import base64, hashlib, os, socket, zipfile

            NAME, VERSION = \"\(name)\", \"\(version)\"

            def get_requires_for_build_wheel(config_settings=None):
                return [\(requiresList)]

            def _hash(data):
                return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

            def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
                if \(fail ? "True" : "False"):
                    raise RuntimeError("the tiny backend was told to fail")
                try:
                    s = socket.create_connection(("127.0.0.1", \(probePort)), timeout=3)
                    s.close()
                    network = "reached"
                except OSError as e:
                    network = "blocked: %s" % e.__class__.__name__
                facts = "SOURCE_DATE_EPOCH = %r\\nNETWORK = %r\\nHOME = %r\\n" % (
                    os.environ.get("SOURCE_DATE_EPOCH"), network, os.environ.get("HOME"))
                dist_info = "%s-%s.dist-info" % (NAME, VERSION)
                members = [
                    (NAME + "/__init__.py", open("src/" + NAME + "/__init__.py", "rb").read()),
                    (NAME + "/_build_facts.py", facts.encode()),
                    (dist_info + "/METADATA", ("Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (NAME, VERSION)).encode()),
                    (dist_info + "/WHEEL", b"Wheel-Version: 1.0\\nGenerator: tiny\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"),
                ]
                record = "".join("%s,%s,%d\\n" % (n, _hash(d), len(d)) for n, d in members) + dist_info + "/RECORD,,\\n"
                members.append((dist_info + "/RECORD", record.encode()))
                filename = "%s-%s-py3-none-any.whl" % (NAME, VERSION)
                epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "315532800"))
                import time
                stamp = time.gmtime(max(epoch, 315532800))[:6]
                with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
                    for n, d in members:
                        z.writestr(zipfile.ZipInfo(n, stamp), d)
                return filename
            """
        return [
            "pyproject.toml": """
            [build-system]
            requires = []
            build-backend = "tinybackend"
            backend-path = ["backend"]
            """,
            "backend/tinybackend.py": backend,
            "src/\(name)/__init__.py": "GREETING = 'hello from \(name)'\n",
        ]
    }

    /// A flit_core project (the fixture wheel of flit_core is its build requirement).
    static func flitProject(name: String = "flitty", version: String = "2.0") -> [String: String] {
        [
            "pyproject.toml": """
            [build-system]
            requires = ["flit_core >=3.2,<4"]
            build-backend = "flit_core.buildapi"

            [project]
            name = "\(name)"
            version = "\(version)"
            description = "a tiny flit project"
            """,
            "\(name)/__init__.py": "VALUE = 42\n",
        ]
    }

    /// A folder of wheels for `--find-links`: the named fixture wheels and, with `ensurepipSetuptools`,
    /// the setuptools wheel bundled with this interpreter's ensurepip.
    static func wheelhouse(_ names: [String], ensurepipSetuptools: Bool = false) async throws -> String {
        let folder = try temporaryDirectory("wheelhouse")
        for name in names {
            try FileManager.default.copyItem(atPath: fixture(name), toPath: folder + "/" + name)
        }
        if ensurepipSetuptools {
            let found = try await run(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    "import ensurepip, os, glob; print(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), '_bundled', 'setuptools-*.whl'))[0])",
                ])
            try #require(found.status == 0, "ensurepip's setuptools: \(found.output)")
            let path = found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try FileManager.default.copyItem(atPath: path, toPath: folder + "/" + (path as NSString).lastPathComponent)
        }
        return folder
    }

    static func signingKey() throws -> (PrivateKey, String) {
        let key = try PrivateKey.generate(.ecdsaP256)
        let folder = try temporaryDirectory("key")
        let publicPath = folder + "/build.pub"
        try key.publicKey.pemRepresentation.write(toFile: publicPath, atomically: true, encoding: .utf8)
        return (key, publicPath)
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// Runs a program to completion (the shared ``ChildProcess`` runner), with this process's
    /// environment minus pip's settings.
    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> Result {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PIP_") }
        environment["PIP_CONFIG_FILE"] = "/dev/null"
        environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        environment.removeValue(forKey: "VIRTUAL_ENV")
        for (key, value) in extra { environment[key] = value }
        let result = try await ChildProcess.run(executable, arguments, environment: environment)
        return Result(status: result.status, stdout: result.stdoutText, stderr: result.stderrText)
    }

    /// The statement's predicate as JSON objects.
    static func predicate(_ statement: [UInt8]) throws -> [String: Any] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(statement)) as? [String: Any])
        return try #require(object["predicate"] as? [String: Any])
    }

    static func sha256(_ path: String) async throws -> String {
        let result = try await run("/usr/bin/sha256sum", [path])
        return String(result.stdout.prefix(64))
    }
}
