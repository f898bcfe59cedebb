import Foundation
import TOMLKit

/// The `[build-system]` table of a source tree's `pyproject.toml` (PEP 517, PEP 518).
///
/// Guarantees: `requires` are the strings the file lists, in order; `backend` is a
/// `module:object` reference; every `backendPath` entry is relative and stays inside the source
/// tree (PEP 517 requires it; `..` or an absolute path is refused). Without a `pyproject.toml` or
/// without `build-backend`, the fallback PEP 517 and PEP 518 name: setuptools' legacy backend,
/// requiring `setuptools>=40.8.0` and `wheel` (``isFallback`` says which applied).
public struct BuildSystemTable: Sendable, Hashable {
    public static let fallbackBackend = "setuptools.build_meta:__legacy__"
    public static let fallbackRequires = ["setuptools>=40.8.0", "wheel"]
    /// Most bytes a `pyproject.toml` may hold.
    public static let maxBytes = 1 << 20

    public let requires: [String]
    public let backend: String
    public let backendPath: [String]
    public let isFallback: Bool

    public init(requires: [String], backend: String, backendPath: [String] = [], isFallback: Bool = false) {
        self.requires = requires
        self.backend = backend
        self.backendPath = backendPath
        self.isFallback = isFallback
    }

    /// Reads the table from the `pyproject.toml` in `sourceTree` (absent: the fallback).
    public static func read(sourceTree: String) throws(BuildError) -> BuildSystemTable {
        let path = (sourceTree as NSString).appendingPathComponent("pyproject.toml")
        guard FileManager.default.fileExists(atPath: path) else {
            return BuildSystemTable(requires: fallbackRequires, backend: fallbackBackend, isFallback: true)
        }
        guard let data = FileManager.default.contents(atPath: path), data.count <= maxBytes else {
            throw BuildError(.usage, "pyproject.toml of the sdist cannot be read or is larger than \(maxBytes) bytes")
        }
        return try parse(String(decoding: data, as: UTF8.self))
    }

    public static func parse(_ text: String) throws(BuildError) -> BuildSystemTable {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch {
            throw BuildError(.usage, "pyproject.toml of the sdist is not valid TOML: \(error)")
        }
        guard let value = root["build-system"] else {
            return BuildSystemTable(requires: fallbackRequires, backend: fallbackBackend, isFallback: true)
        }
        guard let table = value.table else { throw BuildError(.usage, "pyproject.toml: [build-system] is not a table") }
        func strings(_ key: String) throws(BuildError) -> [String]? {
            guard let value = table[key] else { return nil }
            guard let array = value.array else { throw BuildError(.usage, "pyproject.toml: build-system.\(key) is not an array") }
            var result: [String] = []
            for element in array {
                guard let text = element.string else {
                    throw BuildError(.usage, "pyproject.toml: build-system.\(key) holds a value that is not a string")
                }
                result.append(text)
            }
            return result
        }
        // PEP 518: `requires` is mandatory when the table is present.
        guard let requires = try strings("requires") else {
            throw BuildError(.usage, "pyproject.toml: [build-system] has no `requires`")
        }
        guard let backendValue = table["build-backend"] else {
            return BuildSystemTable(requires: requires, backend: fallbackBackend, isFallback: true)
        }
        guard let backend = backendValue.string, isBackendReference(backend) else {
            throw BuildError(.usage, "pyproject.toml: build-system.build-backend is not a `module:object` reference")
        }
        let backendPath = try strings("backend-path") ?? []
        for entry in backendPath where !isInsideTree(entry) {
            throw BuildError(.usage, "pyproject.toml: backend-path entry \(entry.debugDescription) leaves the source tree")
        }
        return BuildSystemTable(requires: requires, backend: backend, backendPath: backendPath)
    }

    static func isBackendReference(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { word in
                !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !(word.first?.isNumber ?? true)
            }
        }
    }

    static func isInsideTree(_ entry: String) -> Bool {
        guard !entry.hasPrefix("/"), !entry.contains("\0") else { return false }
        var depth = 0
        for component in entry.split(separator: "/") {
            if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
            if depth < 0 { return false }
        }
        return true
    }
}
