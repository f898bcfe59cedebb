import Foundation
import Testing

@testable import Publishing

@Suite("Publishing store: tokens (salted hashes, roles, projects) and access decisions")
struct TokenTests {
    private func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test func addListRevoke() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let (reader, readSecret) = try store.addToken(name: "reader", role: .read)
        let (uploader, uploadSecret) = try store.addToken(name: "ci", role: .upload, projects: ["Demo_Pkg", "demo.pkg", "other"])
        #expect(reader.role == .read && reader.projects.isEmpty)
        #expect(uploader.projects == ["demo-pkg", "other"])
        #expect(readSecret.hasPrefix("wt_" + reader.id + "_"))
        #expect(readSecret != uploadSecret)
        #expect(try store.tokens().map(\.name) == ["ci", "reader"])
        // The secret is nowhere in the database file.
        let database = try Data(contentsOf: store.directory.appendingPathComponent("index.sqlite"))
        let wal = (try? Data(contentsOf: store.directory.appendingPathComponent("index.sqlite-wal"))) ?? Data()
        let secretPart = Data(readSecret.split(separator: "_").last!.utf8)
        #expect(database.range(of: secretPart) == nil && wal.range(of: secretPart) == nil)

        #expect(try store.authenticate(user: "__token__", password: readSecret) == reader)
        #expect(try store.authenticate(user: "reader", password: readSecret) == reader)
        #expect(try store.revokeToken(name: "reader"))
        #expect(try !store.revokeToken(name: "reader"))
        #expect(try store.authenticate(user: "__token__", password: readSecret) == nil)
        #expect(try store.tokens().map(\.name) == ["ci"])
    }

    @Test func wrongSecretsUsersAndShapesAuthenticateNothing() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let (_, secret) = try store.addToken(name: "ci", role: .upload)
        var flipped = Array(secret.utf8)
        flipped[flipped.count - 1] = flipped[flipped.count - 1] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        #expect(try store.authenticate(user: "__token__", password: String(decoding: flipped, as: UTF8.self)) == nil)
        #expect(try store.authenticate(user: "someone-else", password: secret) == nil)
        #expect(try store.authenticate(user: "__token__", password: secret + "0") == nil)
        #expect(try store.authenticate(user: "__token__", password: String(secret.dropLast())) == nil)
        #expect(try store.authenticate(user: "__token__", password: "") == nil)
        #expect(try store.authenticate(user: "__token__", password: secret.uppercased()) == nil)
    }

    @Test func badNamesDuplicatesAndProjectsOnReadTokensAreRefused() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        _ = try store.addToken(name: "ci", role: .upload)
        for (name, role, projects) in [
            ("ci", TokenRole.upload, [String]()), ("", .read, []), ("__token__", .read, []), ("a b", .read, []),
            ("reader", .read, ["demo"]), ("up", .upload, ["not a name!"]),
        ] {
            #expect {
                try store.addToken(name: name, role: role, projects: projects)
            } throws: { ($0 as? PublishingError)?.code == .configuration }
        }
        #expect(try store.tokens().count == 1)
        // The library states the rule; the command line names its option for it.
        let scopedRead = #expect(throws: PublishingError.self) { try store.addToken(name: "reader", role: .read, projects: ["demo"]) }
        #expect(scopedRead?.message == "projects restrict upload tokens only; a read token reads every project")
    }

    @Test func accessDecisionsFollowRolesProjectsAndAnonymousRead() throws {
        let store = try StoreTestSupport.makeStore()
        defer { StoreTestSupport.remove(store) }
        let (_, read) = try store.addToken(name: "reader", role: .read)
        let (_, upload) = try store.addToken(name: "ci", role: .upload)
        let (_, scoped) = try store.addToken(name: "demo-ci", role: .upload, projects: ["demo"])
        let closed = StoreAccess(store: store)
        let open = StoreAccess(store: store, anonymousRead: true)

        #expect(closed.authorize(authorizationHeader: nil, for: .read) == .unauthenticated)
        #expect(open.authorize(authorizationHeader: nil, for: .read) == .granted(principal: "anonymous"))
        #expect(open.authorize(authorizationHeader: nil, for: .upload(project: "demo")) == .unauthenticated)
        #expect(closed.authorize(authorizationHeader: basic("__token__", read), for: .read) == .granted(principal: "reader"))
        #expect(
            closed.authorize(authorizationHeader: basic("__token__", read), for: .upload(project: "demo"))
                == .forbidden(reason: "token reader is a read token and may not upload"))
        #expect(
            closed.authorize(authorizationHeader: basic("__token__", upload), for: .upload(project: "any")) == .granted(principal: "ci"))
        #expect(closed.authorize(authorizationHeader: basic("__token__", upload), for: .read) == .granted(principal: "ci"))
        #expect(
            closed.authorize(authorizationHeader: basic("__token__", scoped), for: .upload(project: "Demo"))
                == .granted(principal: "demo-ci"))
        #expect(
            closed.authorize(authorizationHeader: basic("__token__", scoped), for: .upload(project: "other"))
                == .forbidden(reason: "token demo-ci may not upload to project other"))
        // Upload at all (asked before an upload's body is read): the role, whatever the projects.
        #expect(
            closed.authorize(authorizationHeader: basic("__token__", read), for: .uploadAnyProject)
                == .forbidden(reason: "token reader is a read token and may not upload"))
        #expect(closed.authorize(authorizationHeader: basic("__token__", scoped), for: .uploadAnyProject) == .granted(principal: "demo-ci"))
        #expect(open.authorize(authorizationHeader: nil, for: .uploadAnyProject) == .unauthenticated)
        // Wrong credentials are never anonymous, even where anonymous read is on.
        #expect(open.authorize(authorizationHeader: basic("__token__", "wt_wrong"), for: .read) == .unauthenticated)
        #expect(open.authorize(authorizationHeader: "Bearer " + read, for: .read) == .unauthenticated)
        #expect(closed.authorize(authorizationHeader: "Basic !!!", for: .read) == .unauthenticated)
        #expect(
            closed.authorize(authorizationHeader: basic("__token__", read) + String(repeating: "A", count: 9000), for: .read)
                == .unauthenticated)
    }
}
