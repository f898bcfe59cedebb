import Attestations
import Foundation
import PythonPackaging
import Testing
import Verification

/// The single-step flows (`EnvironmentVerifier.fetchAttestation/verifySignature/verifyWheel/
/// verifyInstalled`, `LocalVerification`) called in process on a real index and venv: each
/// asserts the checks the returned report holds, and for a negative, which check failed and how.
@Suite("single-step flows (in process)")
struct SingleStepFlowTests {
    static let wheel = "datatool-0.3-py3-none-any.whl"

    /// The setup `scenario.wheeltrust([...])` gives the command line (its key only).
    static func setup(_ scenario: Scenario) -> VerificationSetup {
        VerificationSetup(
            python: scenario.python, indexURL: scenario.indexURL, keyFiles: [scenario.publicKeyPath],
            cacheDirectory: scenario.cache, environment: ["HOME": scenario.root, "PIP_CONFIG_FILE": "/dev/null"])
    }

    static func names(_ report: PackageReport) -> [CheckName] { report.checks.map(\.name) }

    static func check(_ name: CheckName, _ report: PackageReport) -> CheckResult? {
        report.checks.first { $0.name == name }
    }

    @Test("each step stops after its own checks, all passing on a genuine wheel; a missing project or wheel file is a usage error")
    func stepsOnAnIndex() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let verifier = try await Self.setup(scenario).environmentVerifier()

            let (fetchedReport, fetched) = try #require(try await verifier.fetchAttestations(of: "datatool").first)
            #expect(Self.names(fetchedReport) == [.installed, .indexFile, .download, .indexHash, .provenance])
            #expect(fetchedReport.checks.allSatisfy { $0.status == .pass }, "\(fetchedReport.checks)")
            let provenance = try #require(fetched)
            #expect(provenance.provenance.attestationBundles.flatMap(\.attestations).count == 1)

            let signature = try #require(try await verifier.verifySignatures(of: "datatool").first)
            #expect(Self.names(signature) == [.installed, .indexFile, .download, .indexHash, .provenance, .signature, .statement])
            #expect(signature.checks.allSatisfy { $0.status == .pass }, "\(signature.checks)")
            #expect(signature.wheel == Self.wheel)
            #expect(signature.signer == .key(name: scenario.publicKeyPath, fingerprint: "sha256:\(scenario.key.publicKey.fingerprint)"))

            let wheel = try #require(try await verifier.verifyWheels(of: "datatool").first)
            #expect(
                Self.names(wheel) == [
                    .installed, .indexFile, .download, .indexHash, .provenance, .signature, .statement,
                    .wheelContents,
                ])
            #expect(wheel.checks.allSatisfy { $0.status == .pass }, "\(wheel.checks)")

            let installed = try await verifier.verifyInstalled("datatool", localWheel: nil, checkBytecode: true)
            #expect(
                Self.check(.signature, installed) == nil && Self.check(.provenance, installed) == nil,
                "verify-installed does not claim a signature check: \(installed.checks)")
            #expect(Self.check(.installedFiles, installed)?.status == .pass, "\(installed.checks)")
            #expect(Self.check(.bytecode, installed)?.status == .pass, "\(installed.checks)")
            let unchecked = try await verifier.verifyInstalled("datatool", localWheel: nil, checkBytecode: false)
            #expect(Self.check(.bytecode, unchecked)?.status == .skip, "off is a skip, never a pass: \(unchecked.checks)")

            // The same files against the local copy of the wheel.
            let local = try await verifier.verifyInstalled(
                "datatool", localWheel: scenario.indexDirectory + "/" + Self.wheel,
                checkBytecode: false)
            #expect(Self.check(.installedFiles, local)?.status == .pass, "\(local.checks)")
            #expect(Self.check(.indexFile, local) == nil, "no index step with a local wheel: \(local.checks)")

            let missingWheel = await #expect(throws: VerificationError.self) {
                _ = try await verifier.verifyInstalled("datatool", localWheel: "/nonexistent.whl", checkBytecode: false)
            }
            #expect(missingWheel?.code == .usage && missingWheel?.message == "no such wheel file: /nonexistent.whl")
            // Not installed: looked up on the index, where it is not either (the index-file check says so).
            let notInstalled = try await verifier.verifySignatures(of: "absent-project")
            #expect(notInstalled.count == 1 && Self.names(notInstalled[0]) == [.indexFile], "\(notInstalled.map(\.checks))")
            #expect(
                notInstalled.first?.checks.first?.status == .fail
                    && notInstalled.first?.checks.first?.detail.hasPrefix("absent-project is not on the index") == true,
                "\(notInstalled.map(\.checks))")
            let badName = await #expect(throws: VerificationError.self) { _ = try await verifier.verifySignatures(of: "a b==1") }
            #expect(badName?.code == .usage && badName?.message == "a b==1 is not a project name or PROJECT==VERSION")

            // A modified installed file fails verify-installed's installed-files check, naming it.
            let module = scenario.sitePackages + "/datatool.py"
            try (try String(contentsOfFile: module, encoding: .utf8) + "\nimport os\n").write(
                toFile: module, atomically: false, encoding: .utf8)
            let tampered = try await verifier.verifyInstalled("datatool", localWheel: nil, checkBytecode: false)
            #expect(Self.check(.installedFiles, tampered)?.status == .fail, "\(tampered.checks)")
            #expect(tampered.files.modified.contains { $0.hasSuffix("/datatool.py") }, "\(tampered.files)")
        }
    }

    @Test(
        "a wheel signed by a key not trusted fails verify-signature and verify-wheel in the signature check, and the wheel is not judged by its statement"
    )
    func untrustedSigner() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let digest = try await scenario.sha256(ofIndexFile: Self.wheel)
            let statement = """
                {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"\(Self.wheel)","digest":{"sha256":"\(digest)"}}],\
                "predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"x"},"runDetails":{"builder":{"id":"y"}}}}
                """
            try await scenario.replaceAttestation(
                of: Self.wheel, statement: Array(statement.utf8), key: try PrivateKey.generate(.ecdsaP256))
            let verifier = try await Self.setup(scenario).environmentVerifier()
            for report in try await verifier.verifySignatures(of: "datatool") + verifier.verifyWheels(of: "datatool") {
                let signature = try #require(Self.check(.signature, report))
                #expect(signature.status == .fail && signature.detail.contains("no trusted key"), "\(signature.detail)")
                #expect(report.checks.filter { $0.status == .fail }.map(\.name) == [.signature], "\(report.checks)")
            }
        }
    }

    @Test("offline: a local wheel and a bare filename against a saved provenance; a swapped wheel fails the statement's digest check")
    func offline() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let setup = Self.setup(scenario)
            let (_, fetched) = try #require(try await setup.environmentVerifier().fetchAttestations(of: "datatool").first)
            let saved = scenario.root + "/datatool.provenance"
            try ProvenanceFile.write(try #require(fetched).bytes, to: saved)
            let offline = VerificationSetup(keyFiles: [scenario.publicKeyPath], environment: [:])

            let wheelPath = scenario.indexDirectory + "/" + Self.wheel
            let good = try await LocalVerification.wheel(at: wheelPath, provenanceFile: saved, setup: offline)
            #expect(Self.names(good) == [.download, .signature, .statement, .wheelContents])
            #expect(good.checks.allSatisfy { $0.status == .pass }, "\(good.checks)")

            let swapped = scenario.root + "/" + Self.wheel
            try FileManager.default.copyItem(atPath: scenario.indexDirectory + "/clitool-2.0-py3-none-any.whl", toPath: swapped)
            let swappedDigest = try FileHashing.digest(ofFileAt: swapped, algorithm: .sha256).digest.hex
            let wrong = try await LocalVerification.wheel(at: swapped, provenanceFile: saved, setup: offline)
            let statement = try #require(Self.check(.statement, wrong))
            #expect(
                statement.status == .fail && statement.detail.contains("differs from the file's \(swappedDigest)"), "\(statement.detail)")
            #expect(Self.check(.signature, wrong)?.status == .pass)

            let byFile = try #require(
                try await LocalVerification.signature(of: wheelPath, sha256: nil, provenanceFile: saved, setup: offline))
            #expect(Self.names(byFile) == [.signature, .statement] && byFile.checks.allSatisfy { $0.status == .pass }, "\(byFile.checks)")
            #expect(byFile.signer == .key(name: scenario.publicKeyPath, fingerprint: "sha256:\(scenario.key.publicKey.fingerprint)"))
            let digest = try await scenario.sha256(ofIndexFile: Self.wheel)
            let given = try #require(SHA256Hex(normalizing: digest.uppercased()))
            let byName = try #require(
                try await LocalVerification.signature(
                    of: Self.wheel, sha256: given,
                    provenanceFile: saved, setup: offline))
            #expect(byName.sha256 == digest && byName.checks.allSatisfy { $0.status == .pass }, "\(byName.checks)")
            // A filename alone: signature and subject name checked, the digest reported as not checked.
            let noDigest = try await LocalVerification.signature(of: Self.wheel, sha256: nil, provenanceFile: saved, setup: offline)
            #expect(Self.names(noDigest) == [.download, .signature, .statement], "\(noDigest.checks)")
            #expect(Self.check(.download, noDigest)?.status == .skip, "\(noDigest.checks)")
            #expect(Self.check(.download, noDigest)?.detail.contains("sha256 is not checked") == true)
            // The fact, and the remedy as a value (the command line names its option for it).
            #expect(Self.check(.download, noDigest)?.detail == "no file given: \(Self.wheel)'s sha256 is not checked")
            #expect(Self.check(.download, noDigest)?.remedy == .giveFileDigest)
            #expect(Self.check(.statement, noDigest)?.detail.contains("(digest not checked)") == true, "\(noDigest.checks)")
            #expect(noDigest.status == .verified && noDigest.sha256 == nil)
            // ... and a filename the statement does not name fails in the statement check.
            let otherName = try await LocalVerification.signature(
                of: "clitool-2.0-py3-none-any.whl", sha256: nil, provenanceFile: saved, setup: offline)
            let otherStatement = try #require(Self.check(.statement, otherName))
            #expect(otherStatement.status == .fail && otherStatement.detail.contains("subject name"), "\(otherStatement.detail)")

            let missing = await #expect(throws: VerificationError.self) {
                _ = try await LocalVerification.wheel(at: scenario.root + "/absent.whl", provenanceFile: saved, setup: offline)
            }
            #expect(missing?.code == .usage && missing?.message == "no such wheel file: \(scenario.root)/absent.whl")
        }
    }
}

/// Reading and writing provenance files, and the choice `verify-wheel` makes from its argument.
@Suite("provenance files and wheel targets")
struct ProvenanceFileReadingTests {
    static let amqpProvenance = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("redhat/amqp-5.3.1-0-py3-none-any.whl.provenance").path

    @Test("a FIFO or an oversized file in place of a named file is refused as a usage error without blocking or reading it whole")
    func namedFilesAreBounded() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-namedfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo.provenance"
        #expect(mkfifo(fifo, 0o600) == 0)
        let blocked = #expect(throws: VerificationError.self) { try ProvenanceFile.read(path: fifo) }
        #expect(blocked?.code == .usage && blocked?.message == "cannot read the provenance file \(fifo)")
        let large = directory + "/large.provenance"
        #expect(FileManager.default.createFile(atPath: large, contents: nil))
        #expect(truncate(large, off_t(Provenance.maxBytes + 1)) == 0)
        let oversized = #expect(throws: VerificationError.self) { try ProvenanceFile.read(path: large) }
        #expect(oversized?.code == .usage && oversized?.message == "provenance file \(large): larger than \(Provenance.maxBytes) bytes")
        let key = #expect(throws: VerificationError.self) {
            try VerificationSetup(keyFiles: [fifo], environment: [:]).trustedKeys()
        }
        #expect(key?.code == .usage && key?.message == "cannot read the key file \(fifo)")
    }

    @Test("a real provenance reads; a missing or malformed file is a usage error naming it; an unwritable path is operational")
    func readAndWrite() throws {
        let provenance = try ProvenanceFile.read(path: Self.amqpProvenance)
        #expect(provenance.attestationBundles.count == 1)
        let missing = #expect(throws: VerificationError.self) { try ProvenanceFile.read(path: "/nonexistent") }
        #expect(missing?.code == .usage && missing?.message == "cannot read the provenance file /nonexistent")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wt-provfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "{\"not\": \"provenance\"}".write(toFile: directory + "/bad.json", atomically: false, encoding: .utf8)
        let malformed = #expect(throws: VerificationError.self) { try ProvenanceFile.read(path: directory + "/bad.json") }
        #expect(
            malformed?.code == .usage && malformed?.message.hasPrefix("\(directory)/bad.json: ") == true, "\(String(describing: malformed))"
        )
        let unwritable = #expect(throws: VerificationError.self) {
            try ProvenanceFile.write(Data("{}".utf8), to: directory + "/no/such/dir/out.json")
        }
        #expect(
            unwritable?.code == .operational && unwritable?.message.hasPrefix("cannot write \(directory)/no/such/dir/out.json: ") == true)
        try ProvenanceFile.write(Data("{}".utf8), to: directory + "/out.json")
        #expect(FileManager.default.contents(atPath: directory + "/out.json") == Data("{}".utf8))
    }

    @Test("an argument ending in .whl is a local file, existing or not; anything else is a project")
    func wheelTarget() {
        #expect(WheelTarget("dist/datatool-0.3-py3-none-any.whl") == .localFile("dist/datatool-0.3-py3-none-any.whl"))
        #expect(WheelTarget("/nonexistent.whl") == .localFile("/nonexistent.whl"))
        #expect(WheelTarget("datatool") == .installed("datatool"))
        #expect(WheelTarget("datatool.whl.txt") == .installed("datatool.whl.txt"))
        #expect(WheelTarget("dist/datatool-0.3.tar.gz") == .localFile("dist/datatool-0.3.tar.gz"))
        #expect(WheelTarget("datatool-0.3.zip") == .localFile("datatool-0.3.zip"))
    }
}
