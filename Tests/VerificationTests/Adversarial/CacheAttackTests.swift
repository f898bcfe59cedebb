import Foundation
import Testing
import Verification

/// The attacker who can write wheeltrust's cache directory (docs/THREAT-MODEL.md, "C. the
/// cache": downloaded wheels and check markers included; a CI cache restored from another branch
/// is one). Content addressing only holds if the bytes are hashed before use: a marker that lets an
/// entry skip the hash must be one this attacker cannot write.
@Suite("adversarial: the cache")
struct CacheAttackTests {
    @Test("a cached wheel replaced by a forged one, with a hash stamp forged for its identity, is re-hashed and never used")
    func forgedWheelAndStamp() async throws {
        try await Scenario.with(packages: ["datatool"]) { scenario in
            let first = try await scenario.verifyJSON(["datatool"])
            #expect(first.result.status == 0, "\(first.result.output)")
            let sha = try #require(first.package("datatool")?.sha256)
            // Entries are stamped once their times are a second old: a second run writes the stamp.
            try await Task.sleep(for: .milliseconds(1500))
            let second = try await scenario.verifyJSON(["datatool"])
            #expect(second.result.status == 0, "\(second.result.output)")
            let shard = String(sha.prefix(2))
            let entry = scenario.cache + "/sha256/\(shard)/\(sha)"
            let stamp = scenario.cache + "/checked/\(shard)/\(sha).hashed"
            #expect(FileManager.default.fileExists(atPath: stamp), "the honest run stamped the entry")

            // The forged wheel: datatool.py with a line added, RECORD rewritten to match; the
            // installed module gets the same line; then a stamp for the forged file's identity.
            let module = scenario.site + "/datatool.py"
            let forge = """
                import base64, hashlib, os, sys, time, zipfile
                entry, stamp, sha, module = sys.argv[1:5]
                with zipfile.ZipFile(entry) as z:
                    members = {n: z.read(n) for n in z.namelist()}
                members["datatool.py"] += b"\\nprint('attacker code ran')\\n"
                def h(b):
                    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
                rec = "datatool-0.3.dist-info/RECORD"
                members[rec] = ("\\n".join(f"{n},{h(d)},{len(d)}" for n, d in members.items() if n != rec) + f"\\n{rec},,\\n").encode()
                with zipfile.ZipFile(entry + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
                    for n, d in members.items():
                        z.writestr(n, d)
                os.replace(entry + ".tmp", entry)
                open(module, "wb").write(members["datatool.py"])
                time.sleep(1.5)
                s = os.stat(entry)
                fields = [s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns // 10**9, s.st_mtime_ns % 10**9, s.st_ctime_ns // 10**9, s.st_ctime_ns % 10**9]
                with open(stamp) as f:
                    magic = f.read().split(" ")[0]
                open(stamp, "w").write(" ".join([magic, sha] + [str(x) for x in fields]) + "\\n")
                """
            let forged = try await TestProcess.run(TestProcess.python3, ["-c", forge, entry, stamp, sha, module])
            try #require(forged.status == 0, "\(forged.output)")
            let live = try await TestProcess.run(scenario.python, ["-c", "import datatool"])
            #expect(live.stdout.contains("attacker code ran"), "\(live.output)")

            let json = try await scenario.verifyJSON(["datatool"])
            json.expect("datatool", .installedFiles, .fail, "modified", module)
            json.expect("datatool", .signature, .pass)
        }
    }
}
