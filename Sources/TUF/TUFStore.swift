import Foundation
import PythonPackaging

/// The local trusted-metadata directory of one TUF repository (the user's cache).
///
/// Layout: `root.json`, `timestamp.json`, `snapshot.json`, `targets.json` (the latest trusted
/// version of each, unversioned names), `roots/<N>.root.json` (every root version the update
/// workflow verified after the bootstrap root, so the chain from the bootstrap can be replayed
/// offline on every use: see `TUFRootChain`, `verifiedStore`) and `targets/<name>` for verified
/// target files (the name percent-encoded into one path component).
///
/// Guarantees: every write goes to a temporary file in the same directory and is renamed into
/// place, so a crash or a full disk never leaves a partial file under a trusted name; the update
/// workflow writes only metadata it has verified (a root to `roots/` before `root.json`). Reads
/// are bounded by the caller's cap.
public struct TUFStore: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The path a metadata file (`root.json` …) is stored at.
    public func metadataPath(_ name: String) -> String {
        directory + "/" + name
    }

    /// `roots/<version>.root.json`, relative to the store (for messages).
    public func rootFile(version: Int) -> String {
        "roots/\(version).root.json"
    }

    /// The path root metadata `version` is kept at in the chain.
    public func rootPath(version: Int) -> String {
        directory + "/" + rootFile(version: version)
    }

    /// The versions of the `roots/<N>.root.json` files present (other names are ignored), sorted;
    /// nil when there is no `roots/` directory.
    func storedRootVersions() -> [Int]? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory + "/roots") else { return nil }
        return names.compactMap { name -> Int? in
            guard name.hasSuffix(".root.json") else { return nil }
            let digits = name.dropLast(".root.json".count)
            guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
            return Int(digits)
        }.sorted()
    }

    /// Whether the store holds anything at all: metadata, a root chain or the target `name`.
    func holdsAnything(target name: String) -> Bool {
        let manager = FileManager.default
        return ["root.json", "timestamp.json", "snapshot.json", "targets.json"].contains { manager.fileExists(atPath: metadataPath($0)) }
            || manager.fileExists(atPath: directory + "/roots") || manager.fileExists(atPath: targetPath(name))
    }

    /// The path a verified target file is stored at.
    public func targetPath(_ name: String) -> String {
        directory + "/targets/" + Self.fileComponent(name)
    }

    /// The bytes of a stored file, nil when absent, unreadable or larger than `maxLength`.
    func read(path: String, maxLength: Int) -> [UInt8]? {
        try? BoundedFile.read(path, cap: maxLength)
    }

    /// Atomically replaces `path` with `bytes` (creating the directories).
    func write(path: String, _ bytes: [UInt8], role: String) throws(TUFRefused) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: [.atomic])
        } catch {
            throw TUFRefused(.store, role: role, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    func remove(path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A target name as one safe file name: every byte outside `[A-Za-z0-9._-]` as `%XX`, and a
    /// leading dot escaped, so no name reaches outside `targets/` or hides as a dotfile.
    static func fileComponent(_ name: String) -> String {
        var out = ""
        for (index, byte) in name.utf8.enumerated() {
            let safe =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || (byte == UInt8(ascii: ".") && index > 0)
            out += safe ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }
        return out.isEmpty ? "%" : out
    }
}
