import Foundation
import Policy
import Testing

@Suite("policy discovery")
struct PolicyDiscoveryTests {
    @Test("--policy, then $WHEELTRUST_POLICY, then the user configuration, then the built-in default")
    func order() throws {
        let folder = try PolicyFolder()
        let home = folder.root + "/home"
        let xdg = folder.root + "/xdg"
        #expect(PolicyDiscovery.locate(explicit: nil, environment: [:], homeDirectory: home) == .builtIn)
        try FileManager.default.createDirectory(atPath: home + "/.config/wheeltrust", withIntermediateDirectories: true)
        try folder.write("home/.config/wheeltrust/policy.toml", "")
        #expect(
            PolicyDiscovery.locate(explicit: nil, environment: [:], homeDirectory: home)
                == .file(home + "/.config/wheeltrust/policy.toml", .userConfiguration))
        #expect(
            PolicyDiscovery.locate(explicit: nil, environment: ["XDG_CONFIG_HOME": xdg], homeDirectory: home) == .builtIn,
            "XDG_CONFIG_HOME replaces ~/.config")
        try FileManager.default.createDirectory(atPath: xdg + "/wheeltrust", withIntermediateDirectories: true)
        try folder.write("xdg/wheeltrust/policy.toml", "")
        #expect(
            PolicyDiscovery.locate(explicit: nil, environment: ["XDG_CONFIG_HOME": xdg], homeDirectory: home)
                == .file(xdg + "/wheeltrust/policy.toml", .userConfiguration))
        #expect(
            PolicyDiscovery.locate(explicit: nil, environment: ["XDG_CONFIG_HOME": xdg, "WHEELTRUST_POLICY": "/p.toml"], homeDirectory: home)
                == .file("/p.toml", .environment))
        #expect(
            PolicyDiscovery.locate(explicit: "/q.toml", environment: ["WHEELTRUST_POLICY": "/p.toml"], homeDirectory: home)
                == .file("/q.toml", .option))
    }

    @Test("a named policy that is missing is an error, not the default")
    func missingNamed() throws {
        let location = PolicyDiscovery.locate(explicit: nil, environment: ["WHEELTRUST_POLICY": "/nonexistent/p.toml"], homeDirectory: "/")
        #expect(throws: PolicyError.self) { try PolicyDiscovery.load(location) }
    }
}
