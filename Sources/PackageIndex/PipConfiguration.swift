import Foundation

/// Resolves pip's index configuration the way pip does (pip's `configuration.py` and
/// `ConfigOptionParser`), without running pip.
///
/// Precedence, lowest to highest:
/// 1. Configuration files, loaded in this order, a later file overriding an earlier one key by key:
///    - global: `$XDG_CONFIG_DIRS` entries (default `/etc/xdg`) + `/pip/pip.conf`, then `/etc/pip.conf`
///      (macOS: `/Library/Application Support/pip/pip.conf`);
///    - user (skipped when `PIP_CONFIG_FILE` names an existing file): the legacy `~/.pip/pip.conf`,
///      then `$XDG_CONFIG_HOME/pip/pip.conf` (default `~/.config/pip/pip.conf`; macOS:
///      `~/Library/Application Support/pip/pip.conf` when that directory exists);
///    - site: `<sys.prefix>/pip.conf` (the virtual environment's);
///    - the file named by `PIP_CONFIG_FILE`.
///    When `PIP_CONFIG_FILE` is `/dev/null` (`os.devnull`), no file at all is read.
/// 2. Sections: after merging the files, `[global]` values are overridden by the command's section
///    (`[install]` by default, or `[download]`), whichever file they came from — as pip does.
/// 3. Environment: `PIP_<NAME>` variables (`PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`, `PIP_CERT`)
///    override every file.
/// 4. `override` (the caller's own index URL; `overrideOrigin` names where it came from) wins over
///    everything.
/// When nothing sets `index-url`, `interpreterDefault` (pip's own default, read from the
/// interpreter) is used; with none of these the result is a `configuration` error.
///
/// Keys may be written with `_` or `-` (`index_url` = `index-url`). `extra-index-url` values are
/// split on whitespace, so several URLs may be given on one line or on continuation lines.
/// The certificate bundle is pip's `cert`; failing that the variables `requests` honours
/// (`REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`) and then `SSL_CERT_FILE`.
public enum PipConfiguration {
    public static let devNull = "/dev/null"
    /// Where an `override` came from, unless the caller names it.
    public static let defaultOverrideOrigin = "the index URL given"

    public static func resolve(
        environment: [String: String],
        homeDirectory: String,
        sitePrefix: String?,
        interpreterDefault: URL?,
        override: URL?,
        overrideOrigin: String = defaultOverrideOrigin,
        command: String = "install"
    ) throws(IndexError) -> IndexConfiguration {
        try resolve(
            files: configurationFiles(environment: environment, homeDirectory: homeDirectory, sitePrefix: sitePrefix),
            environment: environment, homeDirectory: homeDirectory, interpreterDefault: interpreterDefault,
            override: override, overrideOrigin: overrideOrigin, command: command)
    }

    /// `resolve` with an explicit list of configuration files (lowest precedence first).
    static func resolve(
        files: [String],
        environment: [String: String],
        homeDirectory: String,
        interpreterDefault: URL?,
        override: URL?,
        overrideOrigin: String = defaultOverrideOrigin,
        command: String = "install"
    ) throws(IndexError) -> IndexConfiguration {
        var merged: [String: [String: (value: String, origin: String)]] = [:]
        for path in files {
            guard let file = try load(path) else { continue }
            for (section, keys) in file.sections {
                for (key, value) in keys { merged[section, default: [:]][key] = (value, path) }
            }
        }
        var envValues: [String: (value: String, origin: String)] = [:]
        for (name, value) in environment where name.hasPrefix("PIP_") {
            let key = ConfigFile.normalizeKey(String(name.dropFirst(4)))
            if key == "version" || key == "help" { continue }
            envValues[key] = (value, name)
        }
        let sectionOrder = ["global", command.lowercased()]
        func lookup(_ key: String) -> (value: String, origin: String)? {
            if let found = envValues[key] { return found }
            for section in sectionOrder.reversed() {
                if let found = merged[section]?[key] { return (found.value, "\(found.origin) [\(section)]") }
            }
            return nil
        }

        let indexURL: URL
        let source: String
        if let override {
            indexURL = try validated(override.absoluteString, origin: overrideOrigin)
            source = overrideOrigin
        } else if let found = lookup("index-url") {
            indexURL = try validated(found.value.trimmingWhitespace(), origin: found.origin)
            source = found.origin
        } else if let interpreterDefault {
            indexURL = try validated(interpreterDefault.absoluteString, origin: "interpreter default")
            source = "interpreter default"
        } else {
            throw IndexError(noIndex: .pipNamesNone)
        }

        var extras: [URL] = []
        if let found = lookup("extra-index-url") {
            for piece in found.value.split(whereSeparator: { $0.isWhitespace }) {
                extras.append(try validated(String(piece), origin: found.origin))
            }
        }

        var bundle: String?
        if let found = lookup("cert"), !found.value.trimmingWhitespace().isEmpty {
            bundle = expandHome(found.value.trimmingWhitespace(), homeDirectory: homeDirectory)
        } else {
            for name in ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"] {
                if let value = environment[name], !value.isEmpty {
                    bundle = expandHome(value, homeDirectory: homeDirectory)
                    break
                }
            }
        }
        var configuration = IndexConfiguration(indexURL: indexURL, extraIndexURLs: extras, certificateBundle: bundle, source: source)
        configuration.namesIndex = source != "interpreter default" || !extras.isEmpty
        if let found = lookup("extra-index-url") {
            for i in configuration.indexes.indices.dropFirst() { configuration.indexes[i].origin = found.origin }
        }
        return configuration
    }

    /// The configuration files pip would read, lowest precedence first (existing or not).
    public static func configurationFiles(environment: [String: String], homeDirectory: String, sitePrefix: String?) -> [String] {
        let envFile = environment["PIP_CONFIG_FILE"]
        if envFile == devNull { return [] }
        var files: [String] = []
        #if os(macOS)
            files.append("/Library/Application Support/pip/pip.conf")
        #else
            let xdgDirs = environment["XDG_CONFIG_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/xdg"
            for dir in xdgDirs.split(separator: ":") where !dir.isEmpty {
                files.append("\(dir)/pip/pip.conf")
            }
            files.append("/etc/pip.conf")
        #endif
        let envFileExists = envFile.map { !$0.isEmpty && FileManager.default.fileExists(atPath: $0) } ?? false
        if !envFileExists {
            files.append("\(homeDirectory)/.pip/pip.conf")
            files.append(userConfigDirectory(environment: environment, homeDirectory: homeDirectory) + "/pip.conf")
        }
        if let sitePrefix { files.append("\(sitePrefix)/pip.conf") }
        if let envFile, !envFile.isEmpty { files.append(envFile) }
        return files
    }

    static func userConfigDirectory(environment: [String: String], homeDirectory: String) -> String {
        #if os(macOS)
            let appSupport = "\(homeDirectory)/Library/Application Support/pip"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: appSupport, isDirectory: &isDirectory), isDirectory.boolValue {
                return appSupport
            }
            return "\(homeDirectory)/.config/pip"
        #else
            if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return "\(xdg)/pip" }
            return "\(homeDirectory)/.config/pip"
        #endif
    }

    private static func load(_ path: String) throws(IndexError) -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IndexError(.configuration, "cannot read pip configuration file \(path)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: ConfigFile.maxSize + 1) ?? Data()
        } catch {
            throw IndexError(.configuration, "cannot read pip configuration file \(path)")
        }
        guard data.count <= ConfigFile.maxSize else {
            throw IndexError(.configuration, "pip configuration file \(path) is larger than \(ConfigFile.maxSize) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw IndexError(.configuration, "pip configuration file \(path) is not UTF-8")
        }
        return try ConfigFile(parsing: text, origin: path)
    }

    /// An absolute http(s) URL with a host, else a `configuration` error (value masked).
    static func validated(_ text: String, origin: String) throws(IndexError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw IndexError(.configuration, "index URL '\(URLMasking.redact(text))' from \(origin) is not an absolute http(s) URL")
        }
        return url
    }

    static func expandHome(_ path: String, homeDirectory: String) -> String {
        if path == "~" { return homeDirectory }
        if path.hasPrefix("~/") { return homeDirectory + path.dropFirst(1) }
        return path
    }
}
