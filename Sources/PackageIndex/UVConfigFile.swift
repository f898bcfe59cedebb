import Foundation
import PythonPackaging
import TOMLKit

/// The index settings of one `uv.toml` (uv's user or system configuration file), parsed with
/// TOMLKit.
///
/// Read: at the top level and in the `[pip]` table (which `uv pip` prefers), `index` (an array of
/// `[[index]]` tables: `url`, `name`, `default`, `explicit`, `format`), `index-url`,
/// `extra-index-url` (an array of URLs), `no-index` and `index-strategy`. Every other key belongs
/// to uv and is left alone.
///
/// Guarantees: a file that is not TOML, or where one of those keys has the wrong type, an index
/// URL that is not an absolute http(s) URL, an index name uv would refuse (only ASCII letters,
/// digits, `-`, `_`, `.`), `explicit = true` without a name, a `format` other than `simple`, or
/// an unknown `index-strategy`, is a `configuration` error of the form `<file>:<line>: <problem>`
/// (the line of the offending key, or of its `[[index]]` table). URLs are masked in messages.
struct UVConfigFile: Sendable {
    /// One `[[index]]` table.
    struct Index: Sendable, Equatable {
        var url: URL
        var name: String?
        var isDefault: Bool
        var isExplicit: Bool
    }

    /// The index settings of one table (the top level, or `[pip]`); nil where the key is absent.
    struct Settings: Sendable, Equatable {
        var index: [Index]?
        var indexURL: URL?
        var extraIndexURLs: [URL]?
        var noIndex: Bool?
        var indexStrategy: IndexStrategy?
    }

    static let maxSize = 1 << 20

    let path: String
    var topLevel = Settings()
    var pip = Settings()

    /// The file at `path`; nil when there is no file there. Unreadable, too large, not UTF-8 or
    /// malformed: a `configuration` error naming the file.
    static func load(_ path: String) throws(IndexError) -> UVConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, cap: maxSize)
        } catch {
            throw IndexError(.configuration, "cannot read uv configuration file \(path): \(error.message)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw IndexError(.configuration, "uv configuration file \(path) is not UTF-8")
        }
        return try UVConfigFile(parsing: text, path: path)
    }

    init(parsing text: String, path: String) throws(IndexError) {
        self.path = path
        let lines = TOMLKeyLines(text)
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw IndexError(.configuration, "\(path):\(error.source.begin.line): \(error.description)")
        } catch {
            throw IndexError(.configuration, "\(path): not a TOML document")
        }
        topLevel = try Self.settings(of: root, table: nil, lines: lines, path: path)
        if let value = root["pip"] {
            guard let pipTable = value.table else {
                throw IndexError(.configuration, "\(path):\(lines.line(of: "pip", in: nil) ?? 1): `pip` must be a table")
            }
            pip = try Self.settings(of: pipTable, table: "pip", lines: lines, path: path)
        }
    }

    private static func settings(
        of table: TOMLTable, table name: String?, lines: TOMLKeyLines, path: String
    ) throws(IndexError)
        -> Settings
    {
        func fail(_ key: String, _ problem: String, entry: Int? = nil) -> IndexError {
            let line =
                entry.flatMap { lines.line(of: key, inArrayTable: qualified("index"), entry: $0) }
                ?? lines.line(of: key, in: name) ?? entry.flatMap { lines.headerLine(qualified("index"), entry: $0) } ?? 1
            return IndexError(.configuration, "\(path):\(line): \(problem)")
        }
        func qualified(_ key: String) -> String { name.map { "\($0).\(key)" } ?? key }
        func url(_ value: (any TOMLValueConvertible)?, key: String, entry: Int? = nil) throws(IndexError) -> URL {
            guard let text = value?.string else { throw fail(key, "`\(qualified(key))` must be a string (a URL)", entry: entry) }
            let trimmed = text.trimmingWhitespace()
            guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = url.host, !host.isEmpty
            else {
                throw fail(
                    key, "index URL '\(URLMasking.redact(trimmed))' in `\(qualified(key))` is not an absolute http(s) URL",
                    entry: entry)
            }
            return url
        }

        var settings = Settings()
        if let value = table["index-url"] { settings.indexURL = try url(value, key: "index-url") }
        if let value = table["extra-index-url"] {
            guard let array = value.array else {
                throw fail("extra-index-url", "`\(qualified("extra-index-url"))` must be an array of URLs")
            }
            var urls: [URL] = []
            for element in array { urls.append(try url(element, key: "extra-index-url")) }
            settings.extraIndexURLs = urls
        }
        if let value = table["no-index"] {
            guard let flag = value.bool else { throw fail("no-index", "`\(qualified("no-index"))` must be true or false") }
            settings.noIndex = flag
        }
        if let value = table["index-strategy"] {
            guard let text = value.string, let strategy = UVConfiguration.strategy(named: text) else {
                throw fail(
                    "index-strategy",
                    "`\(qualified("index-strategy"))` must be one of first-index, unsafe-first-match, unsafe-best-match")
            }
            settings.indexStrategy = strategy
        }
        if let value = table["index"] {
            guard let array = value.array else {
                throw fail("index", "`\(qualified("index"))` must be an array of tables ([[\(qualified("index"))]])")
            }
            var entries: [Index] = []
            for (position, element) in array.enumerated() {
                let entry = position + 1
                guard let index = element.table else {
                    throw fail("index", "`\(qualified("index"))` entry \(entry) must be a table", entry: entry)
                }
                guard let urlValue = index["url"] else {
                    throw fail("url", "[[\(qualified("index"))]] entry \(entry) has no `url`", entry: entry)
                }
                let indexURL = try url(urlValue, key: "url", entry: entry)
                var indexName: String?
                if let value = index["name"] {
                    guard let text = value.string, !text.isEmpty else {
                        throw fail("name", "[[\(qualified("index"))]] `name` must be a non-empty string", entry: entry)
                    }
                    guard UVConfiguration.isValidIndexName(text) else {
                        throw fail(
                            "name",
                            "index name '\(UVConfiguration.printable(text))' may only contain ASCII letters, digits, '-', '_' and '.'",
                            entry: entry)
                    }
                    indexName = text
                }
                var flags: [String: Bool] = [:]
                for key in ["default", "explicit"] {
                    guard let value = index[key] else { continue }
                    guard let flag = value.bool else {
                        throw fail(key, "[[\(qualified("index"))]] `\(key)` must be true or false", entry: entry)
                    }
                    flags[key] = flag
                }
                if let value = index["format"] {
                    guard value.string == "simple" else {
                        throw fail(
                            "format",
                            "[[\(qualified("index"))]] `format` must be \"simple\": wheeltrust reads indexes through the simple API only",
                            entry: entry)
                    }
                }
                let explicit = flags["explicit"] ?? false
                if explicit && indexName == nil {
                    throw fail("explicit", "an index with `explicit = true` needs a `name`", entry: entry)
                }
                entries.append(Index(url: indexURL, name: indexName, isDefault: flags["default"] ?? false, isExplicit: explicit))
            }
            settings.index = entries
        }
        return settings
    }
}

/// Where keys sit in a TOML document's text, for error messages only (the values themselves are
/// read by TOMLKit): a line-by-line scan of table headers (`[pip]`, `[[index]]`) and `key =`
/// assignments. Lines are 1-based.
struct TOMLKeyLines: Sendable {
    private struct Assignment: Sendable {
        let table: String?
        let entry: Int?
        let key: String
        let line: Int
    }
    private var assignments: [Assignment] = []
    private var headers: [(table: String, entry: Int, line: Int)] = []

    init(_ text: String) {
        var table: String?
        var entry: Int?
        var counts: [String: Int] = [:]
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.trimmingWhitespace()
            if line.hasPrefix("[[") {
                let name = Self.bare(line.dropFirst(2).prefix { $0 != "]" })
                counts[name, default: 0] += 1
                table = name
                entry = counts[name]
                headers.append((name, counts[name] ?? 1, number))
            } else if line.hasPrefix("[") {
                table = Self.bare(line.dropFirst().prefix { $0 != "]" })
                entry = nil
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = Self.bare(line[..<equals])
                assignments.append(Assignment(table: table, entry: entry, key: key, line: number))
            }
        }
    }

    private static func bare<S: StringProtocol>(_ text: S) -> String {
        text.trimmingWhitespace().replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "'", with: "")
    }

    /// The line of `key` in the table `table` (nil: the top level); a dotted `table.key` at the
    /// top level counts too.
    func line(of key: String, in table: String?) -> Int? {
        if let found = assignments.first(where: { $0.table == table && $0.entry == nil && $0.key == key }) { return found.line }
        if let table, let found = assignments.first(where: { $0.table == nil && $0.key == "\(table).\(key)" }) { return found.line }
        return nil
    }

    /// The line of `key` inside the `entry`-th (1-based) `[[table]]`.
    func line(of key: String, inArrayTable table: String, entry: Int) -> Int? {
        assignments.first(where: { $0.table == table && $0.entry == entry && $0.key == key })?.line
    }

    /// The line of the `entry`-th `[[table]]` header.
    func headerLine(_ table: String, entry: Int) -> Int? {
        headers.first(where: { $0.table == table && $0.entry == entry })?.line
    }
}
