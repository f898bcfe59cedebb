import Foundation
import Policy
import PythonPackaging
import TOMLKit
import Verification

/// Reads PEP 751 lock files strictly.
///
/// Guarantees: the TOML is parsed by TOMLKit (toml++); then every key is checked against the PEP:
/// unknown keys (outside `[tool]` tables), wrong types, a missing `lock-version`, `created-by`,
/// `packages` or package `name`, a `lock-version` whose major version is not 1, more than one kind
/// of source in a package (`vcs`, `directory`, `archive`, or `wheels`/`sdist`), a package with no
/// source, a file without hashes or whose hashes are not hex of the algorithm's length, a file name
/// of another project or version, an unparsable marker or `requires-python`, and
/// `attestation-identities` that name no `kind` or lack the fields that identify their kind are
/// all ``LockError/Code/malformed``, the message naming file, line (the package's header when the
/// problem is inside it) and problem.
public enum PylockParser {
    /// The largest lock file read.
    public static let maxBytes = 32 << 20

    public static func read(_ path: String) throws(LockError) -> PylockFile {
        let data: Data
        do {
            data = Data(try BoundedFile.read(path, cap: maxBytes))
        } catch  where error.code == .limitExceeded {
            throw LockError(.malformed, file: path, line: nil, "larger than \(maxBytes) bytes")
        } catch {
            throw LockError(.malformed, file: path, line: nil, "cannot read the lock file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LockError(.malformed, file: path, line: nil, "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(LockError) -> PylockFile {
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].filter { $0 == UInt8(ascii: "\n") }.count + 1
            throw LockError(.malformed, file: file, line: line, "a NUL character is not allowed in TOML")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw LockError(.malformed, file: file, line: error.source.begin.line, "not valid TOML: \(error.description)")
        } catch {
            throw LockError(.malformed, file: file, line: nil, "not valid TOML")
        }
        let layout = TOMLLayout(text)
        var reader = Reader(file: file, headers: layout.arrayElements("packages").map(\.line))
        return try reader.lock(root, text: text)
    }

    static let topKeys: Set<String> = [
        "lock-version", "environments", "requires-python", "extras", "dependency-groups", "default-groups",
        "created-by", "packages", "tool",
    ]
    static let packageKeys: Set<String> = [
        "name", "version", "marker", "requires-python", "dependencies", "vcs", "directory", "archive", "index",
        "sdist", "wheels", "attestation-identities", "tool",
    ]
    static let fileKeys: Set<String> = ["name", "upload-time", "url", "path", "size", "hashes"]
    /// Hex digest lengths of the algorithms whose digests are checked.
    static let digestLengths = ["sha256": 64, "sha384": 96, "sha512": 128]

    struct Reader {
        let file: String
        /// Lines of the `[[packages]]` headers, in order (may be fewer than the packages when the
        /// lock writes them inline).
        let headers: [Int]
        var line: Int?

        func fail(_ problem: String) -> LockError { LockError(.malformed, file: file, line: line, problem) }

        func rejectUnknown(_ table: TOMLTable, allowed: Set<String>, what: String) throws(LockError) {
            for key in table.keys.sorted() where !allowed.contains(key) {
                throw fail("unknown key \"\(key)\" in \(what)")
            }
        }

        func string(_ table: TOMLTable, _ key: String, in what: String) throws(LockError) -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.string else { throw fail("\(what).\(key) must be a string, not \(value.type)") }
            return text
        }

        func strings(_ table: TOMLTable, _ key: String, in what: String) throws(LockError) -> [String] {
            guard let value = table[key] else { return [] }
            guard let array = value.array else { throw fail("\(what).\(key) must be an array of strings, not \(value.type)") }
            var result: [String] = []
            for element in array {
                guard let text = element.string else { throw fail("\(what).\(key) must hold strings; it holds a \(element.type)") }
                result.append(text)
            }
            return result
        }

        func tables(_ table: TOMLTable, _ key: String, in what: String) throws(LockError) -> [TOMLTable]? {
            guard let value = table[key] else { return nil }
            guard let array = value.array else { throw fail("\(what).\(key) must be an array of tables, not \(value.type)") }
            var result: [TOMLTable] = []
            for element in array {
                guard let table = element.table else { throw fail("\(what).\(key) must hold tables; it holds a \(element.type)") }
                result.append(table)
            }
            return result
        }

        mutating func lock(_ root: TOMLTable, text: String) throws(LockError) -> PylockFile {
            try rejectUnknown(root, allowed: PylockParser.topKeys, what: "the lock")
            guard let version = try string(root, "lock-version", in: "lock") else { throw fail("lock-version is missing") }
            let parts = version.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int($0) != nil }) else {
                throw fail("lock-version \"\(version)\" is not MAJOR.MINOR")
            }
            guard parts[0] == "1" else { throw fail("lock-version \(version) is not supported (only 1.x)") }
            guard try string(root, "created-by", in: "lock") != nil else { throw fail("created-by is missing") }
            let requiresPython = try string(root, "requires-python", in: "lock")
            if let requiresPython, VersionSpecifier(requiresPython) == nil {
                throw fail("requires-python \"\(requiresPython)\" is not a version specifier")
            }
            let environments = try strings(root, "environments", in: "lock")
            for marker in environments {
                do {
                    _ = try MarkerExpression.parse(marker)
                } catch {
                    throw fail("environments: \(error.message): \"\(marker)\"")
                }
            }
            let extras = try strings(root, "extras", in: "lock")
            let dependencyGroups = try strings(root, "dependency-groups", in: "lock")
            let defaultGroups = try strings(root, "default-groups", in: "lock")
            for (key, names) in [("extras", extras), ("dependency-groups", dependencyGroups), ("default-groups", defaultGroups)] {
                if let bad = names.first(where: { !ProjectName.isValidName($0) }) {
                    throw fail("\(key): \"\(bad)\" is not a valid name")
                }
            }
            if let tool = root["tool"], tool.table == nil { throw fail("tool must be a table, not \(tool.type)") }
            guard let packageTables = try tables(root, "packages", in: "lock") else { throw fail("packages is missing") }
            var packages: [LockedPackage] = []
            for (position, table) in packageTables.enumerated() {
                line = position < headers.count ? headers[position] : nil
                packages.append(try package(table, position: position))
            }
            line = nil
            return PylockFile(
                path: file, lockVersion: version, requiresPython: requiresPython, environments: environments,
                extras: extras, dependencyGroups: dependencyGroups, defaultGroups: defaultGroups, packages: packages, text: text)
        }

        func package(_ table: TOMLTable, position: Int) throws(LockError) -> LockedPackage {
            var what = "packages[\(position)]"
            try rejectUnknown(table, allowed: PylockParser.packageKeys, what: what)
            guard let rawName = try string(table, "name", in: what) else { throw fail("\(what) has no name") }
            guard ProjectName.isValidName(rawName) else { throw fail("\(what).name \"\(rawName)\" is not a valid project name") }
            let name = ProjectName(rawName)
            what = "package \(rawName)"
            var version: PythonVersion?
            if let text = try string(table, "version", in: what) {
                let parsed = PythonVersion(text)
                guard parsed.isValid else { throw fail("\(what): version \"\(text)\" is not a PEP 440 version") }
                version = parsed
            }
            let marker = try string(table, "marker", in: what)
            if let marker {
                do {
                    _ = try MarkerExpression.parse(marker)
                } catch {
                    throw fail("\(what): \(error.message): \"\(marker)\"")
                }
            }
            let requiresPython = try string(table, "requires-python", in: what)
            if let requiresPython, VersionSpecifier(requiresPython) == nil {
                throw fail("\(what): requires-python \"\(requiresPython)\" is not a version specifier")
            }
            let index = try string(table, "index", in: what)
            if let index, HTTPURLCheck.isHTTP(index) == false {
                throw fail("\(what): index \"\(index)\" is not an http(s) URL")
            }
            _ = try tables(table, "dependencies", in: what)
            for key in ["tool"] where table[key] != nil && table[key]?.table == nil {
                throw fail("\(what).\(key) must be a table")
            }

            let others = ["vcs", "directory", "archive"].filter { table[$0] != nil }
            let wheelTables = try tables(table, "wheels", in: what)
            let sdistValue = table["sdist"]
            let hasFiles = wheelTables != nil || sdistValue != nil
            if others.count + (hasFiles ? 1 : 0) > 1 {
                throw fail(
                    "\(what) names more than one kind of source (\((others + (hasFiles ? ["wheels/sdist"] : [])).joined(separator: ", ")))")
            }
            let source: LockedPackage.Source
            if let kind = others.first {
                guard let sourceTable = table[kind]?.table else { throw fail("\(what).\(kind) must be a table") }
                let url = try string(sourceTable, "url", in: "\(what).\(kind)")
                let path = try string(sourceTable, "path", in: "\(what).\(kind)")
                let detail = url ?? path ?? ""
                source = .other(kind: kind, detail: detail)
            } else if hasFiles {
                var wheels: [LockedFile] = []
                for (number, wheel) in (wheelTables ?? []).enumerated() {
                    let file = try lockedFile(wheel, in: "\(what).wheels[\(number)]")
                    let parsed: WheelFilename
                    do {
                        parsed = try WheelFilename(parsing: file.filename)
                    } catch {
                        throw fail("\(what).wheels[\(number)]: \"\(file.filename)\" is not a wheel file name")
                    }
                    try checkOwnFile(parsed.name, parsed.version, file.filename, name: name, version: version, what: what)
                    wheels.append(file)
                }
                var sdist: LockedFile?
                if let sdistValue {
                    guard let sdistTable = sdistValue.table else { throw fail("\(what).sdist must be a table, not \(sdistValue.type)") }
                    let file = try lockedFile(sdistTable, in: "\(what).sdist")
                    let parsed: SdistFilename
                    do {
                        parsed = try SdistFilename(parsing: file.filename)
                    } catch {
                        throw fail("\(what).sdist: \"\(file.filename)\" is not an sdist file name")
                    }
                    try checkOwnFile(parsed.name, parsed.version, file.filename, name: name, version: version, what: what)
                    sdist = file
                }
                source = .files(wheels: wheels, sdist: sdist)
            } else {
                throw fail("\(what) has no source (vcs, directory, archive, sdist or wheels)")
            }
            var identities: [LockedIdentity]?
            if let identityTables = try tables(table, "attestation-identities", in: what) {
                identities = try identityTables.enumerated().map { (number, identity) throws(LockError) in
                    try lockedIdentity(identity, in: "\(what).attestation-identities[\(number)]")
                }
            }
            return LockedPackage(
                position: position, line: line, name: name, version: version, marker: marker,
                requiresPython: requiresPython, index: index, source: source, identities: identities)
        }

        func checkOwnFile(
            _ fileName: ProjectName, _ fileVersion: PythonVersion, _ filename: String, name: ProjectName,
            version: PythonVersion?, what: String
        ) throws(LockError) {
            guard fileName == name else { throw fail("\(what): \(filename) is a file of \(fileName.raw), not of \(name.raw)") }
            if let version, fileVersion != version {
                throw fail("\(what): \(filename) is version \(fileVersion), not \(version)")
            }
        }

        func lockedFile(_ table: TOMLTable, in what: String) throws(LockError) -> LockedFile {
            try rejectUnknown(table, allowed: PylockParser.fileKeys, what: what)
            let url = try string(table, "url", in: what)
            let path = try string(table, "path", in: what)
            guard url != nil || path != nil else { throw fail("\(what) has neither url nor path") }
            var filename = try string(table, "name", in: what)
            if filename == nil, let location = url ?? path {
                let withoutQuery = location.split(separator: "#").first.map(String.init) ?? location
                let last = withoutQuery.split(separator: "?").first?.split(separator: "/").last.map(String.init)
                filename = last?.removingPercentEncoding ?? last
            }
            guard let filename, !filename.isEmpty, !filename.contains("/") else { throw fail("\(what) has no file name") }
            var size: Int?
            if let value = table["size"] {
                guard let number = value.int, number >= 0 else { throw fail("\(what).size must be a non-negative integer") }
                size = number
            }
            if let value = table["upload-time"], value.dateTime == nil {
                throw fail("\(what).upload-time must be a TOML date-time, not \(value.type)")
            }
            guard let hashValue = table["hashes"] else { throw fail("\(what) has no hashes") }
            guard let hashTable = hashValue.table else { throw fail("\(what).hashes must be a table, not \(hashValue.type)") }
            var hashes: [String: String] = [:]
            for algorithm in hashTable.keys.sorted() {
                guard let digest = hashTable[algorithm]?.string else { throw fail("\(what).hashes.\(algorithm) must be a string") }
                let lower = digest.lowercased()
                if let length = PylockParser.digestLengths[algorithm.lowercased()] {
                    guard lower.utf8.count == length, lower.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
                        throw fail("\(what).hashes.\(algorithm) is not \(length) hex digits")
                    }
                }
                hashes[algorithm.lowercased()] = lower
            }
            guard !hashes.isEmpty else { throw fail("\(what).hashes is empty") }
            return LockedFile(filename: filename, url: url, path: path, size: size, hashes: hashes)
        }

        func lockedIdentity(_ table: TOMLTable, in what: String) throws(LockError) -> LockedIdentity {
            guard let kind = try string(table, "kind", in: what), !kind.isEmpty else { throw fail("\(what) has no kind") }
            var fields: [String: String] = [:]
            for key in table.keys.sorted() where key != "kind" {
                guard let value = try string(table, key, in: what) else { continue }
                fields[key] = value
            }
            if kind == "key" {
                guard let fingerprint = fields["fingerprint"], fields.count == 1 else {
                    throw fail("\(what): a key identity has exactly a fingerprint")
                }
                let hex = fingerprint.lowercased().dropFirst("sha256:".count)
                guard fingerprint.lowercased().hasPrefix("sha256:"), SHA256Hex(hex) != nil else { throw fail("\(what): fingerprint must be sha256:<64 hex digits>") }
            } else if let known = PinnedIdentity.identifyingFields[kind] {
                for field in known.required where (fields[field] ?? "").isEmpty {
                    throw fail("\(what): a \(kind) identity needs \(field)")
                }
            } else if fields.isEmpty {
                throw fail("\(what): a \(kind) identity must name at least one field")
            }
            return LockedIdentity(kind: kind, fields: fields)
        }
    }
}

/// Whether a text is an absolute http(s) URL with a host.
enum HTTPURLCheck {
    static func isHTTP(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else { return false }
        return true
    }
}
