import Attestations
import Foundation
import Policy

/// A folder with a policy file (and key files) written by the test, removed at the end.
final class PolicyFolder {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("wt-policy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/keys", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Writes `text` to `name` under the folder; its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = root + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A fresh public key written to `keys/<name>.pub`; the key.
    func key(_ name: String) throws -> PublicKey {
        let key = try PrivateKey.generate(.ecdsaP256).publicKey
        try write("keys/\(name).pub", key.pemRepresentation)
        return key
    }

    /// Loads `text` as `policy.toml` of this folder.
    func load(_ text: String) throws -> Policy {
        try PolicyDiscovery.load(path: write("policy.toml", text))
    }

    /// The error loading `text` throws (nil when it loads).
    func error(_ text: String) throws -> PolicyError? {
        let path = try write("policy.toml", text)
        do {
            _ = try PolicyDiscovery.load(path: path)
            return nil
        } catch {
            return error
        }
    }

    static var redHatPublished: String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("redhat-release3.pub").path
    }
}
