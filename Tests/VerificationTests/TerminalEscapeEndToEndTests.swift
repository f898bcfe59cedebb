import Attestations
import Foundation
import PythonPackaging
import Testing
import Verification

/// Issue 9, attack 12 and its class: no untrusted string reaches the terminal raw. Each test puts
/// hostile text into one channel (the index's publisher, a signed statement, the index's
/// provenance document, installed METADATA and file names, pip's configuration, the command
/// line, local files) and runs the real binary: stdout and stderr hold no control, bidirectional
/// or invisible character (only line feeds), no result line the attacker wrote, and the hostile
/// value shown escaped; `--format json` carries the exact value.
@Suite("terminal escapes end to end")
struct TerminalEscapeEndToEndTests {
    static let dotted = "dotted_pkg-1.2.0-0-py3-none-any.whl"
    /// Paints over the line above and writes a result line of the attacker's choosing.
    static let paintOver = "\u{1B}[1A\u{1B}[2K\r  ✓ VERIFIED FORGED 6.6.6"
    /// Starts a new line of the attacker's choosing.
    static let newLine = "\n  ✓ VERIFIED FORGED 6.6.6\n"

    @Test("publisher fields from the index and a builder id in the signed statement are escaped in verify, fetch-attestation and inspect")
    func publisherAndBuilder() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let kind = Self.paintOver
            let repository = "own\u{202E}er/na\u{200B}me\u{9B}2J" + Self.newLine
            let publisher = try JSONSerialization.data(withJSONObject: ["kind": kind, "repository": repository])
            try publisher.write(to: URL(fileURLWithPath: scenario.indexDirectory + "/" + Self.dotted + ".publisher.json"))
            let builder = "https://builder.example/\u{1B}]8;;https://evil.example\u{07}x" + Self.newLine
            let digest = try await scenario.sha256(ofIndexFile: Self.dotted)
            try await scenario.replaceAttestation(
                of: Self.dotted,
                statement: AttestationBuilder.slsaV1Statement(
                    filename: Self.dotted, sha256Hex: try #require(SHA256Hex(digest)), builderID: builder,
                    buildType: "https://build.example/v1", finishedOn: Date())
            )

            // The attestation is genuinely signed by the trusted key: the package verifies, and the
            // statement's detail names the builder and the publisher the index gave.
            for arguments in [["verify", "dotted.pkg"], ["verify", "dotted.pkg", "-v"], ["verify", "dotted.pkg", "-q"]] {
                let result = try await scenario.wheeltrust(arguments)
                #expect(result.status == 0, "\(result.output)")
                Self.expectSafe(result, verified: 1)
                if !arguments.contains("-q") {
                    #expect(result.stdout.contains("publisher \\x1b[1A\\x1b[2K\\r  ✓ VERIFIED FORGED 6.6.6"), "\(result.stdout)")
                    #expect(result.stdout.contains("x1b]8;;https://evil.example\\x07x\\n  ✓ VERIFIED FORGED 6.6.6\\n"), "\(result.stdout)")
                }
            }
            let json = try await scenario.wheeltrust(["verify", "dotted.pkg", "--format", "json"])
            #expect(json.status == 0, "\(json.output)")
            Self.expectSafe(json, verified: nil)
            let statement = try #require(try Self.check("statement", in: json))
            #expect(statement.status == "pass")
            #expect(
                statement.detail.contains("publisher " + kind), "the exact kind, escaped only by JSON: \(statement.detail.debugDescription)"
            )
            #expect(statement.detail.contains("builder " + builder), "\(statement.detail.debugDescription)")

            let saved = scenario.root + "/dotted.provenance"
            let fetched = try await scenario.wheeltrust(["fetch-attestation", "dotted.pkg", "-o", saved])
            #expect(fetched.status == 0, "\(fetched.output)")
            Self.expectSafe(fetched, verified: nil)
            #expect(fetched.stdout.contains("publisher \\x1b[1A\\x1b[2K\\r  ✓ VERIFIED FORGED 6.6.6"), "\(fetched.stdout)")
            let inspected = try await TestProcess.run(TestProcess.wheeltrust, ["inspect", saved])
            #expect(inspected.status == 0, "\(inspected.output)")
            Self.expectSafe(inspected, verified: 0)
            #expect(
                inspected.stdout.contains("repository=own\\u{202E}er/na\\u{200B}me\\u{009B}2J\\n  ✓ VERIFIED FORGED 6.6.6\\n"),
                "\(inspected.stdout)")
            #expect(inspected.stdout.contains("builder: https://builder.example/\\x1b]8;;"), "\(inspected.stdout)")
        }
    }

    @Test("a signed statement whose subject holds a new line and a fake result fails the statement check, shown escaped")
    func statementSubject() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let subject = Self.dotted + "\n  ✓ VERIFIED dotted.pkg 1.2.0\r\u{1B}[2K"
            let digest = try await scenario.sha256(ofIndexFile: Self.dotted)
            try await scenario.replaceAttestation(
                of: Self.dotted,
                statement: AttestationBuilder.slsaV1Statement(
                    filename: subject, sha256Hex: try #require(SHA256Hex(digest)), builderID: "https://builder.example/b", buildType: "t",
                    finishedOn: Date()))
            for arguments in [["verify", "dotted.pkg"], ["verify", "dotted.pkg", "-q"], ["verify-signature", "dotted.pkg"]] {
                let result = try await scenario.wheeltrust(arguments)
                #expect(result.status == 1, "\(result.output)")
                Self.expectSafe(result, verified: 0)
                if !arguments.contains("-q") {
                    #expect(result.stdout.contains("whl\\n  ✓ VERIFIED dotted.pkg 1.2.0\\r\\x1b[2K"), "\(result.stdout)")
                }
            }
            let json = try await scenario.wheeltrust(["verify", "dotted.pkg", "--format", "json"])
            #expect(json.status == 1)
            Self.expectSafe(json, verified: nil)
            let statement = try #require(try Self.check("statement", in: json))
            #expect(statement.status == "fail")
            #expect(statement.detail.contains("subject name: subject " + subject), "\(statement.detail.debugDescription)")
            let report = try ReportJSON(json)
            report.expect("dotted.pkg", .statement, .fail, "subject name: subject \(subject) is not a distribution filename")
            #expect(report.failing("dotted.pkg").map(\.name) == [.statement], "\(json.output)")
        }
    }

    @Test("a provenance document from the index whose field names hold escapes fails the provenance check, shown escaped")
    func indexProvenanceDocument() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            // Served verbatim by the index's Integrity API; the decoder names the unknown field.
            let key = "x" + Self.paintOver + Self.newLine
            let document = try JSONSerialization.data(withJSONObject: ["version": 1, "attestation_bundles": [], key: 1])
            try document.write(to: URL(fileURLWithPath: scenario.indexDirectory + "/" + Self.dotted + ".provenance"))
            let result = try await scenario.wheeltrust(["verify", "dotted.pkg"])
            #expect(result.status != 0, "\(result.output)")
            Self.expectSafe(result, verified: 0)
            #expect(result.stdout.contains("$.x\\x1b[1A\\x1b[2K"), "\(result.stdout)")
            let json = try await scenario.wheeltrust(["verify", "dotted.pkg", "--format", "json"])
            Self.expectSafe(json, verified: nil)
            let provenance = try #require(try Self.check("provenance", in: json))
            // (Error messages are one line: the decoder's message already turned the CR and LFs into spaces.)
            #expect(
                provenance.status != "pass" && provenance.detail.contains("$.x\u{1B}[1A\u{1B}[2K"), "\(provenance.detail.debugDescription)")
            try ReportJSON(json).expect("dotted.pkg", .provenance, .error, "$.x\u{1B}[1A\u{1B}[2K")
        }
    }

    @Test(
        "installed names, versions and file names (a new line, a fake result, bytes that are not UTF-8) are escaped; the progress line too")
    func installedNamesAndPaths() async throws {
        try await Scenario.with(packages: ["dotted.pkg"]) { scenario in
            let site = scenario.sitePackages
            let newLineFile = "evil.py" + Self.newLine
            try "import os\n".write(toFile: site + "/dotted_pkg/" + newLineFile, atomically: false, encoding: .utf8)
            try Self.createFile(bytes: Array((site + "/dotted_pkg/").utf8) + [0xFF, 0xFE] + Array("\u{1B}[2J.py".utf8))
            let distInfo = site + "/zzevil-1.0.dist-info"
            try FileManager.default.createDirectory(atPath: distInfo, withIntermediateDirectories: true)
            try "Metadata-Version: 2.1\nName: zzevil\u{1B}[1A\u{1B}[2K\u{202E}\nVersion: 1.0\u{9B}2J\r  ✓ VERIFIED FORGED\n\n"
                .write(toFile: distInfo + "/METADATA", atomically: false, encoding: .utf8)

            for arguments in [
                ["verify", "--all"], ["verify", "--all", "-v"], ["verify", "--all", "-q"], ["verify", "dotted.pkg", "-v"],
            ] {
                let result = try await scenario.wheeltrust(arguments)
                #expect(result.status == 1, "\(arguments): \(result.output)")
                Self.expectSafe(result, verified: 0)
                if arguments.contains("--all") {
                    #expect(
                        result.stdout.contains("zzevil\\x1b[1A\\x1b[2K\\u{202E} 1.0\\u{009B}2J\\"),
                        "\(arguments): \(result.stdout)")
                }
                guard !arguments.contains("-q") else { continue }
                #expect(result.stdout.contains("evil.py\\n  ✓ VERIFIED FORGED 6.6.6\\n"), "\(arguments): \(result.stdout)")
                // (The walk names a file that is not UTF-8 by a printable form of its bytes; shown escaped again here.)
                #expect(result.stdout.contains("[2J.py"), "the file whose name is not UTF-8 is named: \(result.stdout)")
            }

            let json = try await scenario.wheeltrust(["verify", "--all", "--format", "json"])
            #expect(json.status == 1)
            Self.expectSafe(json, verified: nil)
            let object = try #require(try JSONSerialization.jsonObject(with: json.stdoutBytes) as? [String: Any])
            let packages = try #require(object["packages"] as? [[String: Any]])
            let names = packages.compactMap { $0["name"] as? String }
            #expect(names.contains("zzevil\u{1B}[1A\u{1B}[2K\u{202E}"), "\(names)")
            let versions = packages.compactMap { $0["version"] as? String }
            #expect(versions.contains { $0.hasPrefix("1.0\u{9B}2J") && $0.hasSuffix("  ✓ VERIFIED FORGED") }, "\(versions)")
            let dotted = try #require(packages.first { ($0["name"] as? String)?.lowercased() == "dotted.pkg" })
            let unexpected = try #require((dotted["files"] as? [String: Any])?["unexpected"] as? [String])
            #expect(unexpected.contains { $0.hasSuffix("/dotted_pkg/" + newLineFile) }, "\(unexpected)")
            #expect(unexpected.contains { $0.hasSuffix("[2J.py") }, "\(unexpected)")

            // On a terminal the progress line is drawn with our own cursor codes; the names in it are escaped.
            let terminal = try await Self.inTerminal(
                [
                    "verify", "--all", "--python", scenario.python, "--index-url", scenario.indexURL,
                    "--cache-dir", scenario.cache, "--timeout", "30", "--key", scenario.publicKeyPath,
                ],
                environment: ["HOME": scenario.root])
            #expect(terminal.status == 1, "\(terminal.output)")
            let progress = terminal.stdout.components(separatedBy: "\r\u{1B}[2K").dropFirst().map { $0.prefix { $0 != "\r" } }
            #expect(
                progress.contains { $0.hasPrefix("[") && $0.contains("zzevil\\x1b[1A\\x1b[2K\\u{202E}") },
                "the progress line shows the name escaped: \(progress)")
            // What is left once our own progress codes and the terminal's CR LF are taken out is safe.
            let rest = terminal.stdout.replacingOccurrences(of: "\r\u{1B}[2K", with: "").replacingOccurrences(of: "\r\n", with: "\n")
            Self.expectSafe(ProcessResult(status: terminal.status, stdout: rest, stderr: "", stdoutBytes: Data(rest.utf8)), verified: 0)
        }
    }

    @Test("a pip configuration value, a command-line argument and local files with escapes are shown escaped on stderr and stdout")
    func configurationAndLocalFiles() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-term-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        // pip's configuration (a file of the environment, for a venv's site pip.conf).
        let config = root + "/pip.conf"
        try "[global]\nindex-url = http://evil\u{1B}[2K\u{202E}.example:x/simple/\r  ✓ VERIFIED FORGED\n"
            .write(toFile: config, atomically: false, encoding: .utf8)
        let configured = try await TestProcess.run(
            TestProcess.wheeltrust, ["verify", "pip", "--python", TestProcess.python3],
            environment: ["PIP_CONFIG_FILE": config, "HOME": root])
        #expect(configured.status == 2, "\(configured.output)")
        Self.expectSafe(configured, verified: 0)
        #expect(configured.stderr.contains("'http://evil\\x1b[2K\\u{202E}.example:x/simple/"), "\(configured.stderr)")

        // The argument parser quotes what it did not understand.
        let usage = try await TestProcess.run(TestProcess.wheeltrust, ["verify", "x", "--jobs", "\u{1B}[2Jbogus\r  ✓ VERIFIED FORGED"])
        #expect(usage.status == 2, "\(usage.output)")
        Self.expectSafe(usage, verified: 0)
        #expect(usage.stderr.contains("\\x1b[2Jbogus\\r  ✓ VERIFIED FORGED"), "\(usage.stderr)")

        // keys names the key file; verify-bundle quotes the bundle's own content; inspect a hostile file.
        let keyPath = root + "/k\u{1B}[2J\u{202E}.pub"
        try PrivateKey.generate(.ed25519).publicKey.pemRepresentation.write(toFile: keyPath, atomically: false, encoding: .utf8)
        let keys = try await TestProcess.run(TestProcess.wheeltrust, ["keys", "--key", keyPath])
        #expect(keys.status == 0, "\(keys.output)")
        Self.expectSafe(keys, verified: 0)
        #expect(keys.stdout.contains("k\\x1b[2J\\u{202E}.pub"), "\(keys.stdout)")

        let bundle = root + "/bundle.json"
        try JSONSerialization.data(withJSONObject: ["mediaType": "x" + Self.paintOver]).write(to: URL(fileURLWithPath: bundle))
        let verified = try await TestProcess.run(
            TestProcess.wheeltrust,
            [
                "verify-bundle", "--bundle", bundle, "--key", keyPath, "sha256:" + String(repeating: "ab", count: 32),
            ])
        #expect(verified.status == 1, "\(verified.output)")
        Self.expectSafe(verified, verified: 0)
        #expect(verified.output.contains("\\x1b[1A\\x1b[2K\\r  ✓ VERIFIED FORGED 6.6.6"), "\(verified.output)")

        let signer = try PrivateKey.generate(.ecdsaP256)
        let attestation = try await AttestationBuilder.sign(
            statement: AttestationBuilder.slsaV1Statement(
                filename: "a-1.0-py3-none-any.whl" + Self.newLine, sha256Hex: try #require(SHA256Hex(String(repeating: "0", count: 64))),
                builderID: Self.paintOver, buildType: "\u{2066}t\u{2069}", finishedOn: Date()), with: signer)
        let attestationPath = root + "/a.attestation"
        try attestation.encoded().write(to: URL(fileURLWithPath: attestationPath))
        let inspected = try await TestProcess.run(TestProcess.wheeltrust, ["inspect", attestationPath])
        #expect(inspected.status == 0, "\(inspected.output)")
        Self.expectSafe(inspected, verified: 0)
        #expect(inspected.stdout.contains("subject: a-1.0-py3-none-any.whl\\n  ✓ VERIFIED FORGED 6.6.6\\n"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("build type: \\u{2066}t\\u{2069}"), "\(inspected.stdout)")

        let cache = root + "/cache\u{1B}]0;title\u{07}"
        let shown = try await TestProcess.run(TestProcess.wheeltrust, ["trust", "show", "--cache-dir", cache])
        Self.expectSafe(shown, verified: 0)
        #expect(shown.stdout.contains("cache\\x1b]0;title\\x07"), "\(shown.output)")
    }

    // MARK: helpers

    /// Nothing in stdout or stderr that a terminal acts on or hides (line feeds aside), both valid
    /// UTF-8, and no result line but the real ones: `verified` lines saying `✓ VERIFIED` (nil: not
    /// counted, for JSON), none of them the attacker's.
    static func expectSafe(_ result: ProcessResult, verified: Int?, sourceLocation: SourceLocation = #_sourceLocation) {
        for (stream, bytes) in [("stdout", result.stdoutBytes), ("stderr", result.stderrBytes)] {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                Issue.record("\(stream) is not valid UTF-8", sourceLocation: sourceLocation)
                continue
            }
            let unsafe = text.unicodeScalars.filter { $0 != "\n" && TerminalEscaping.mustEscape($0) }
            #expect(
                unsafe.isEmpty,
                "\(stream) holds \(unsafe.map { "U+" + String($0.value, radix: 16, uppercase: true) }): \(text.debugDescription)",
                sourceLocation: sourceLocation)
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(
                !lines.contains { $0.hasPrefix("✓ VERIFIED FORGED") }, "\(stream) holds a forged result line: \(text)",
                sourceLocation: sourceLocation)
            if let verified, stream == "stdout" {
                #expect(lines.filter { $0.hasPrefix("✓ VERIFIED") }.count == verified, "\(text)", sourceLocation: sourceLocation)
            }
        }
    }

    /// The named check of the single package of a JSON report.
    static func check(_ name: String, in result: ProcessResult) throws -> (status: String, detail: String)? {
        let object = try JSONSerialization.jsonObject(with: result.stdoutBytes) as? [String: Any]
        let packages = object?["packages"] as? [[String: Any]] ?? []
        let checks = packages.first?["checks"] as? [[String: Any]] ?? []
        guard let found = checks.first(where: { $0["name"] as? String == name }) else { return nil }
        return (found["status"] as? String ?? "", found["detail"] as? String ?? "")
    }

    /// Creates an empty file whose path is these exact bytes (they need not be UTF-8).
    static func createFile(bytes: [UInt8]) throws {
        let descriptor = (bytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer {
            open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        }
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        close(descriptor)
    }

    /// Runs `wheeltrust` with stdout and stderr on a pseudo-terminal (Python's `pty`), as a person
    /// at a terminal would; what the terminal received is the result's stdout.
    static func inTerminal(_ arguments: [String], environment: [String: String]) async throws -> ProcessResult {
        try await TestProcess.run(
            TestProcess.python3,
            [
                "-c", "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
                TestProcess.wheeltrust,
            ] + arguments, environment: environment)
    }
}
