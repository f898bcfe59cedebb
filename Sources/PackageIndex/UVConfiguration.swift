import Foundation

/// Resolves uv's index configuration the way `uv pip install` does (uv's settings and
/// `IndexLocations`), without running uv.
///
/// Sources, highest precedence first:
/// 1. Environment: `UV_DEFAULT_INDEX` (the default index; `name=url` allowed), `UV_INDEX`
///    (space-separated indexes, `name=url` allowed), `UV_INDEX_URL` (deprecated form of the
///    default index), `UV_EXTRA_INDEX_URL` (space-separated), `UV_NO_INDEX`, `UV_INDEX_STRATEGY`.
/// 2. Configuration files: `UV_CONFIG_FILE` alone when set; none with `UV_NO_CONFIG`; otherwise
///    the user file (`$XDG_CONFIG_HOME/uv/uv.toml`, `$XDG_CONFIG_HOME` only when absolute, else
///    `~/.config/uv/uv.toml`) over the system file (the first `<dir>/uv/uv.toml` that exists for
///    each `$XDG_CONFIG_DIRS` entry, default `/etc/xdg`, else `/etc/uv/uv.toml`; none with
///    `UV_NO_SYSTEM_CONFIG`). In each, `[pip]` keys come before top-level ones (as `uv pip`
///    reads them); scalars (`index-url`, `no-index`, `index-strategy`) take the first value found,
///    arrays (`[[index]]`, `extra-index-url`) are concatenated, the higher precedence first.
///    Project files (`uv.toml` / `pyproject.toml` of a working directory) are not read.
///
/// Lookup order (uv's): the non-default, non-explicit indexes in the order `UV_DEFAULT_INDEX`,
/// `UV_INDEX`, `UV_EXTRA_INDEX_URL`, `UV_INDEX_URL`, files' `[[index]]`, `extra-index-url`,
/// `index-url`; then the default index (the first of those marked default: `UV_DEFAULT_INDEX`,
/// `UV_INDEX_URL`, a `default = true` table, `index-url`), else uv's built-in default, which is
/// the public index pip also defaults to (`interpreterDefault`, read from the interpreter's pip:
/// no index address is written into wheeltrust). Of several indexes with one name, the first
/// counts. `explicit = true` indexes are kept in ``IndexConfiguration/indexes`` but never
/// consulted. Strategy: `first-index` (uv's default) → ``IndexStrategy/firstIndex``;
/// `unsafe-first-match` / `unsafe-best-match` → ``IndexStrategy/allIndexes``.
///
/// Credentials: a named index gets `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD` (name upper-cased,
/// every other character than ASCII letters and digits → `_`), bound to that index's origin.
///
/// Errors (`configuration`): a malformed file (`<file>:<line>: <problem>`, see ``UVConfigFile``),
/// a bad URL or index name in a variable (named), `no-index` (nothing could be verified), a
/// boolean variable that is not one, or no index at all (none configured and no pip in the
/// interpreter to read uv's built-in default from; with other indexes configured, that default is
/// then left out).
public enum UVConfiguration {
    static let builtInDefaultOrigin = "uv's built-in default (the public index, as the interpreter's pip names it)"

    public static func resolve(
        environment: [String: String], homeDirectory: String, interpreterDefault: URL?, certificateBundle: String?
    ) throws(IndexError) -> IndexConfiguration {
        try resolve(
            files: try configurationFiles(environment: environment, homeDirectory: homeDirectory),
            environment: environment, interpreterDefault: interpreterDefault, certificateBundle: certificateBundle)
    }

    /// The files uv would read, highest precedence first (those that exist; `UV_CONFIG_FILE`
    /// must exist).
    public static func configurationFiles(environment: [String: String], homeDirectory: String) throws(IndexError) -> [String] {
        if let file = environment["UV_CONFIG_FILE"], !file.isEmpty {
            guard FileManager.default.fileExists(atPath: file) else {
                throw IndexError(.configuration, "UV_CONFIG_FILE names \(file), which does not exist")
            }
            return [file]
        }
        if try boolean("UV_NO_CONFIG", environment) == true { return [] }
        var files: [String] = []
        let xdgHome = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        let user = (xdgHome ?? homeDirectory + "/.config") + "/uv/uv.toml"
        if isFile(user) { files.append(user) }
        if try boolean("UV_NO_SYSTEM_CONFIG", environment) != true, let system = systemFile(environment: environment) {
            files.append(system)
        }
        return files
    }

    /// uv's system file: the first `<dir>/uv/uv.toml` that is a file, for each `$XDG_CONFIG_DIRS`
    /// entry (default `/etc/xdg`; the list ends at its first empty entry), else `/etc/uv/uv.toml`.
    static func systemFile(environment: [String: String]) -> String? {
        let dirs = environment["XDG_CONFIG_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/xdg"
        for dir in dirs.split(separator: ":", omittingEmptySubsequences: false) {
            if dir.isEmpty { break }
            let candidate = "\(dir)/uv/uv.toml"
            if isFile(candidate) { return candidate }
        }
        return isFile("/etc/uv/uv.toml") ? "/etc/uv/uv.toml" : nil
    }

    /// `resolve` with explicit files (highest precedence first).
    static func resolve(
        files paths: [String], environment: [String: String], interpreterDefault: URL?, certificateBundle: String?
    ) throws(IndexError) -> IndexConfiguration {
        var files: [UVConfigFile] = []
        for path in paths {
            if let file = try UVConfigFile.load(path) { files.append(file) }
        }
        // A file's settings as `uv pip` reads them: every file's [pip] first, then every top level.
        let layers: [(settings: UVConfigFile.Settings, origin: String)] =
            files.map { ($0.pip, "\($0.path) [pip]") } + files.map { ($0.topLevel, $0.path) }

        var configured: [ConfiguredIndex] = []
        // Environment (uv folds these into its command-line arguments).
        if let value = environment["UV_DEFAULT_INDEX"], !value.isEmpty {
            configured.append(try index(fromArgument: value, origin: "UV_DEFAULT_INDEX", isDefault: true))
        }
        for piece in (environment["UV_INDEX"] ?? "").split(whereSeparator: { $0.isWhitespace }) {
            configured.append(try index(fromArgument: String(piece), origin: "UV_INDEX", isDefault: false))
        }
        for piece in (environment["UV_EXTRA_INDEX_URL"] ?? "").split(separator: " ") where !piece.isEmpty {
            configured.append(
                ConfiguredIndex(url: try validated(String(piece), origin: "UV_EXTRA_INDEX_URL"), origin: "UV_EXTRA_INDEX_URL"))
        }
        if let value = environment["UV_INDEX_URL"], !value.isEmpty {
            configured.append(ConfiguredIndex(url: try validated(value, origin: "UV_INDEX_URL"), origin: "UV_INDEX_URL", isDefault: true))
        }
        // Files.
        for layer in layers {
            for entry in layer.settings.index ?? [] {
                configured.append(
                    ConfiguredIndex(
                        url: entry.url, name: entry.name, origin: "\(layer.origin) [[index]]", isDefault: entry.isDefault,
                        isExplicit: entry.isExplicit))
            }
        }
        for layer in layers {
            for url in layer.settings.extraIndexURLs ?? [] {
                configured.append(ConfiguredIndex(url: url, origin: "\(layer.origin) extra-index-url"))
            }
        }
        if let found = layers.first(where: { $0.settings.indexURL != nil }), let url = found.settings.indexURL {
            configured.append(ConfiguredIndex(url: url, origin: "\(found.origin) index-url", isDefault: true))
        }

        // No index at all: nothing uv installed came from an index wheeltrust could consult.
        if let noIndex = try boolean("UV_NO_INDEX", environment) ?? layers.lazy.compactMap(\.settings.noIndex).first, noIndex {
            let origin = environment["UV_NO_INDEX"] != nil ? "UV_NO_INDEX" : layers.first { $0.settings.noIndex != nil }?.origin ?? ""
            throw IndexError(noIndex: .uvSetsNoIndex(origin: origin))
        }
        var strategy = IndexStrategy.firstIndex
        if let value = environment["UV_INDEX_STRATEGY"], !value.isEmpty {
            guard let named = Self.strategy(named: value) else {
                throw IndexError(
                    .configuration,
                    "UV_INDEX_STRATEGY '\(printable(value))' is not one of first-index, unsafe-first-match, unsafe-best-match")
            }
            strategy = named
        } else if let named = layers.lazy.compactMap(\.settings.indexStrategy).first {
            strategy = named
        }

        // uv's IndexLocations: the first index of each name counts.
        var names: Set<String> = []
        configured = configured.filter { index in index.name.map { names.insert($0).inserted } ?? true }
        let namesIndex = !configured.isEmpty
        var ordered = configured.filter { !$0.isDefault && !$0.isExplicit }
        if let chosen = configured.first(where: \.isDefault) {
            ordered.append(chosen)
        } else if let interpreterDefault {
            ordered.append(
                ConfiguredIndex(
                    url: try validated(interpreterDefault.absoluteString, origin: builtInDefaultOrigin),
                    origin: builtInDefaultOrigin, isDefault: true))
        } else if ordered.isEmpty {
            throw IndexError(noIndex: .uvNamesNoDefault)
        }
        // (With other indexes named and no pip to read the public default's address from, that
        // default is left out: a project only it offers is reported as not on the index.)
        ordered += configured.filter(\.isExplicit)
        for i in ordered.indices {
            if let name = ordered[i].name { ordered[i].credentials = credentials(forIndexNamed: name, url: ordered[i].url, environment) }
        }
        var origins: [String] = []
        for index in ordered where !origins.contains(index.origin) { origins.append(index.origin) }
        return IndexConfiguration(
            tool: .uv, indexes: ordered, strategy: strategy, certificateBundle: certificateBundle,
            source: origins.joined(separator: ", "), namesIndex: namesIndex)
    }

    /// `name=url` or `url`, as uv reads `--index` / `--default-index` (a `=` before any `:` ends a name).
    static func index(fromArgument text: String, origin: String, isDefault: Bool) throws(IndexError) -> ConfiguredIndex {
        if let equals = text.firstIndex(of: "="), !text[..<equals].contains(":") {
            let name = String(text[..<equals])
            guard !name.isEmpty, isValidIndexName(name) else {
                throw IndexError(
                    .configuration,
                    "index name '\(printable(name))' in \(origin) may only contain ASCII letters, digits, '-', '_' and '.'")
            }
            let url = try validated(String(text[text.index(after: equals)...]), origin: origin)
            return ConfiguredIndex(url: url, name: name, origin: origin, isDefault: isDefault)
        }
        return ConfiguredIndex(url: try validated(text, origin: origin), origin: origin, isDefault: isDefault)
    }

    /// `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD` for the index `name` (either may be absent).
    static func credentials(forIndexNamed name: String, url: URL, _ environment: [String: String]) -> IndexCredentials? {
        let key = environmentKey(forIndexNamed: name)
        let user = environment["UV_INDEX_\(key)_USERNAME"]
        let password = environment["UV_INDEX_\(key)_PASSWORD"]
        guard user != nil || password != nil, let origin = url.origin else { return nil }
        return IndexCredentials(user: user ?? "", password: password ?? "", scheme: origin.scheme, host: origin.host, port: origin.port)
    }

    /// uv's `IndexName::to_env_var`: ASCII letters and digits upper-cased, everything else `_`.
    public static func environmentKey(forIndexNamed name: String) -> String {
        String(
            name.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
                    ? Character(String(scalar).uppercased()) : "_"
            })
    }

    /// uv's index names: ASCII letters, digits, `-`, `_`, `.`.
    static func isValidIndexName(_ name: String) -> Bool {
        name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
        }
    }

    static func strategy(named text: String) -> IndexStrategy? {
        switch text {
        case "first-index", "first-match": .firstIndex
        case "unsafe-first-match", "unsafe-any-match", "unsafe-best-match": .allIndexes
        default: nil
        }
    }

    /// clap's boolish values, as uv reads `UV_NO_CONFIG` and friends; nil when unset or empty.
    static func boolean(_ name: String, _ environment: [String: String]) throws(IndexError) -> Bool? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        switch value.lowercased() {
        case "y", "yes", "t", "true", "on", "1": return true
        case "n", "no", "f", "false", "off", "0": return false
        default: throw IndexError(.configuration, "\(name)='\(printable(value))' is not a boolean (true/false, 1/0, yes/no, on/off)")
        }
    }

    static func validated(_ text: String, origin: String) throws(IndexError) -> URL {
        try PipConfiguration.validated(text.trimmingWhitespace(), origin: origin)
    }

    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Text from a configuration shown in a message: control characters and non-ASCII as `?`, at most 80 characters.
    static func printable(_ text: String) -> String {
        String(
            String.UnicodeScalarView(text.unicodeScalars.prefix(80).map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? $0 : "?" }))
    }
}
