import Foundation
import Testing

/// The layout docs/ARCHITECTURE.md describes, checked against the sources: every module imports
/// only the modules below it in the graph (no upward import, and `Sigstore` and `TUF` never each
/// other), and every `Module/File.swift:N` reference of the walkthrough points at a declaration.
@Suite("layout: the module graph and the architecture page hold")
struct LayoutTests {
    /// The repository root (this file is Tests/PythonPackagingTests/LayoutTests.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// What each module may import of ours: the graph of docs/ARCHITECTURE.md.
    static let allowed: [String: Set<String>] = [
        "CZlib": [],
        "PythonPackaging": ["CZlib"],
        "Attestations": ["PythonPackaging"],
        "Sigstore": ["Attestations", "PythonPackaging"],
        "TUF": ["Attestations", "PythonPackaging"],
        "PackageIndex": ["TUF", "Attestations", "PythonPackaging"],
        "Policy": ["Sigstore", "Attestations", "PythonPackaging"],
        "Verification": ["Policy", "PackageIndex", "Sigstore", "TUF", "Attestations", "PythonPackaging"],
        "Lock": ["Verification", "Policy", "PackageIndex", "Sigstore", "TUF", "Attestations", "PythonPackaging"],
        "Building": ["Verification", "Policy", "PackageIndex", "Sigstore", "TUF", "Attestations", "PythonPackaging"],
        "Publishing": ["Policy", "Sigstore", "Attestations", "PythonPackaging"],
        "IndexServer": ["Publishing", "Policy", "Sigstore", "Attestations", "PythonPackaging"],
    ]

    static func swiftFiles(under folder: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.map { folder + "/" + $0 }
    }

    /// The modules `file` imports (`import X`, `@testable import X`, `@_spi(…) import X`).
    static func imports(of file: String) throws -> Set<String> {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var modules: Set<String> = []
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let at = words.firstIndex(of: "import"), at + 1 < words.count,
                words[..<at].allSatisfy({ $0.hasPrefix("@") })
            else { continue }
            modules.insert(String(words[at + 1]))
        }
        return modules
    }

    @Test("no module imports one above it")
    func noUpwardImport() throws {
        let sources = Self.root + "/Sources"
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources).filter { !$0.hasPrefix(".") }.sorted()
        let ours = Set(modules)
        #expect(ours.subtracting(Self.allowed.keys) == ["wheeltrust"], "a module the graph does not place: \(modules)")
        for module in modules where module != "wheeltrust" {
            for file in try Self.swiftFiles(under: sources + "/" + module) {
                let ourImports = try Self.imports(of: file).intersection(ours)
                let upward = ourImports.subtracting(Self.allowed[module] ?? []).subtracting([module])
                #expect(upward.isEmpty, "\(file) imports \(upward.sorted()), above \(module)")
            }
        }
    }

    @Test("every file:line reference of the architecture page points at a declaration")
    func architectureReferencesPointAtDeclarations() throws {
        let page = try String(contentsOfFile: Self.root + "/docs/ARCHITECTURE.md", encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: "`([A-Za-z]+/[A-Za-z+]+\\.swift):([0-9]+)`")
        let matches = pattern.matches(in: page, range: NSRange(page.startIndex..., in: page))
        #expect(matches.count >= 10, "the walkthrough's references were not found")
        let declaration = try NSRegularExpression(pattern: "\\b(func|init|struct|enum|class|protocol|extension)\\b")
        for match in matches {
            let path = String(page[Range(match.range(at: 1), in: page)!])
            let number = Int(page[Range(match.range(at: 2), in: page)!])!
            let lines = try String(contentsOfFile: Self.root + "/Sources/" + path, encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
            guard number >= 1, number <= lines.count else {
                Issue.record("\(path):\(number) is past the end (\(lines.count) lines)")
                continue
            }
            let line = String(lines[number - 1])
            let declares = declaration.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
            #expect(declares && !line.trimmingCharacters(in: .whitespaces).hasPrefix("//"), "\(path):\(number) is `\(line)`")
        }
    }
}
