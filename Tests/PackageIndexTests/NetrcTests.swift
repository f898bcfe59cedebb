import Foundation
import Testing

@testable import PackageIndex

@Suite struct NetrcTests {
    @Test func machineEntriesAndDefault() {
        let netrc = Netrc(
            parsing: """
                # a comment line
                machine index.example login alice password "pa ss"   # trailing comment
                machine other.example
                    login bob
                    password hunter2
                default login anon password anonpw
                """)
        #expect(netrc.credentials(forHost: "INDEX.example")?.login == "alice")
        #expect(netrc.credentials(forHost: "index.example")?.password == "pa ss")
        #expect(netrc.credentials(forHost: "other.example")?.password == "hunter2")
        #expect(netrc.credentials(forHost: "unknown.example")?.login == "anon")
    }

    @Test func macdefBodyIsSkipped() {
        let netrc = Netrc(
            parsing: """
                macdef init
                machine evil.example login mallory password x

                machine good.example login carol password pw
                """)
        #expect(netrc.credentials(forHost: "evil.example") == nil)
        #expect(netrc.credentials(forHost: "good.example")?.login == "carol")
    }

    @Test func noEntryNoDefault() {
        let netrc = Netrc(parsing: "machine a.example login x password y")
        #expect(netrc.credentials(forHost: "b.example") == nil)
    }

    @Test func entryWithoutLoginIsUnusable() {
        let netrc = Netrc(parsing: "machine a.example password y")
        #expect(netrc.credentials(forHost: "a.example") == nil)
    }

    @Test func hostileInputDoesNotCrash() {
        _ = Netrc(parsing: "machine")
        _ = Netrc(parsing: "login")
        _ = Netrc(parsing: "\"unterminated")
        _ = Netrc(parsing: String(repeating: "machine x ", count: 10_000))
        _ = Netrc(parsing: "macdef")
    }

    @Test func loadsFromNETRCVariable() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/mynetrc"
        try "machine h.example login u password p\n".write(toFile: path, atomically: true, encoding: .utf8)
        let netrc = try #require(Netrc.load(environment: ["NETRC": path], homeDirectory: "/nonexistent"))
        #expect(netrc.credentials(forHost: "h.example")?.password == "p")
        #expect(Netrc.load(environment: [:], homeDirectory: dir.path + "/none") == nil)
    }

    @Test func aSetButEmptyNETRCIsTheOnlyPlaceLookedAt() throws {
        let dir = try TemporaryDirectory()
        try "machine h.example login u password p\n".write(toFile: dir.path + "/.netrc", atomically: true, encoding: .utf8)
        #expect(Netrc.load(environment: [:], homeDirectory: dir.path)?.credentials(forHost: "h.example")?.login == "u")
        #expect(Netrc.load(environment: ["NETRC": ""], homeDirectory: dir.path) == nil, "as pip: NETRC set, even empty, replaces ~/.netrc")
    }

    @Test func loadReadsAtMostMaxSizeBytes() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/big"
        let padding = String(repeating: "#", count: Netrc.maxSize - 1) + "\n"
        try (padding + "machine late.example login u password p\n").write(toFile: path, atomically: true, encoding: .utf8)
        let netrc = try #require(Netrc.load(environment: ["NETRC": path], homeDirectory: "/nonexistent"))
        #expect(netrc.credentials(forHost: "late.example") == nil, "an entry past the cap is never read")
        try ("machine early.example login u password p\n" + padding).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(
            Netrc.load(environment: ["NETRC": path], homeDirectory: "/nonexistent")?.credentials(forHost: "early.example")?.login == "u")
    }
}
