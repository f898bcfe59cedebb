import Foundation
import Testing

@testable import Lock

@Suite("requirements files: only named requirements reach pip")
struct RequirementsFileCheckTests {
    /// Writes `files` (name → text) into a fresh folder; its path.
    static func folder(_ files: [String: String]) throws -> String {
        let root = NSTemporaryDirectory() + "wt-req-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test("names with extras, versions, markers, hashes, continuations, comments and index options are taken; -r and -c are followed")
    func accepts() throws {
        let root = try Self.folder([
            "requirements.txt": """
            # a comment
            --index-url https://user:${TOKEN}@index.example/simple/
            --only-binary=:all:
            requests[socks, security] >=2.0,<3 ; python_version >= "3.8"  # trailing comment
            dotted.pkg==1.2.0 \\
                --hash=sha256:\(String(repeating: "a", count: 64))
            -r more.txt
            -cconstraints.txt

            """,
            "more.txt": "clitool\n--pre\n",
            "constraints.txt": "urllib3<3\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let names = try RequirementsFileCheck.check(root + "/requirements.txt")
        #expect(names == ["requests", "dotted.pkg", "clitool", "urllib3"])
    }

    @Test(
        "a path, URL, direct reference, editable, archive name, build option, --no-binary, variable, unknown option or include cycle is refused naming file and line",
        arguments: [
            ("./proj", "is not a requirement by name"),
            ("/abs/proj", "is not a requirement by name"),
            ("proj/", "is a direct reference"),
            ("pkg @ https://files.example/pkg-1.0.tar.gz", "is a direct reference"),
            ("https://files.example/pkg-1.0.tar.gz", "is a direct reference"),
            ("git+https://example.invalid/pkg.git", "is a direct reference"),
            ("-e .", "the option -e is not taken"),
            ("--editable=./proj", "the option --editable is not taken"),
            ("pkg-1.0.tar.gz", "reads as an archive file name"),
            ("pkg.whl", "reads as an archive file name"),
            ("pkg --config-settings=x=y", "the option --config-settings=x=y is not taken on a requirement line"),
            ("--no-binary :all:", "the option --no-binary is not taken"),
            ("${PACKAGE}", "a variable in a requirement"),
            ("--use-pep517", "the option --use-pep517 is not taken"),
            ("-r https://files.example/r.txt", "a requirements file from a URL"),
            ("-r requirements.txt", "included twice"),
        ])
    func refuses(line: String, problem: String) throws {
        let root = try Self.folder(["requirements.txt": "clitool\n\(line)\n"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        do {
            _ = try RequirementsFileCheck.check(root + "/requirements.txt")
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.code == .notApplicable)
            #expect(error.message.contains(problem), "\(error.message)")
            if problem != "included twice" {
                #expect(error.message.hasPrefix(root + "/requirements.txt:2: "), "\(error.message)")
            }
        }
    }

    @Test("a missing requirements file is refused, not taken as empty")
    func missing() {
        #expect(throws: LockError.self) { try RequirementsFileCheck.check(NSTemporaryDirectory() + "wt-no-such-\(UUID().uuidString).txt") }
    }
}
