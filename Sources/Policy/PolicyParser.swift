import Attestations
import Foundation
import PythonPackaging
import Sigstore
import TOMLKit

/// Reads a policy file in exactly the issue-11 format (`version = 1`, `[keys.NAME]`,
/// `[identities.NAME]`, `[[rule]]`) into a ``Policy``.
///
/// Guarantees: the TOML is parsed by TOMLKit (toml++), never by hand; then everything is checked
/// strictly and the first problem, in the order of the file, is thrown as a ``PolicyError``
/// naming the file, the line and the problem: an unknown key at any level, a value of the wrong
/// type, `version` not 1, no rule, an empty `packages`, a bad glob, a bad URL, a bad date, an
/// unknown `require`/`keyless` value, a rule naming an anchor that is not defined, a missing
/// `reason` where one is required, a provenance rule that accepts no signer, a key anchor whose
/// file is not a public key or does not hold the key its `fingerprint` names, an identity whose
/// kind has no identity rule or lacks a field that rule needs. Key files are read (bounded,
/// regular files only) relative to the policy file's folder.
public enum PolicyParser {
    /// The largest policy file read.
    public static let maxBytes = 1 << 20
    /// The largest key file read.
    public static let maxKeyFileBytes = 1 << 20
    /// The embedded keys a `builtin` anchor may name.
    public static let builtinKeys: [String: TrustedKey] = ["redhat-release3": TrustedKey.redHatRelease3]

    /// Fields each identity kind takes: required, then optional.
    public static let identityFields: [String: (required: [String], optional: [String])] = [
        "GitHub": (["repository", "workflow"], ["environment"]),
        "GitLab": (["repository", "workflow_filepath"], ["environment"]),
        "Google": (["email"], []),
        "CircleCI": (["organization_id", "project_id", "pipeline_definition_id"], ["vcs_origin", "vcs_ref"]),
        "ActiveState": (["organization", "project"], []),
    ]

    static let ruleKeys: Set<String> = [
        "index", "packages", "require", "keys", "identities", "keyless", "builders", "predicate-types", "reason", "expires",
    ]

    /// Parses `bytes`, the contents of the policy file `file` (as named; key files are found
    /// relative to `baseDirectory`).
    public static func parse(
        _ bytes: [UInt8], file: String, baseDirectory: String, origin: PolicyOrigin
    ) throws(PolicyError) -> Policy {
        guard bytes.count <= maxBytes else {
            throw PolicyError(.unreadable, file: file, line: nil, "larger than \(maxBytes) bytes")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PolicyError(.unreadable, file: file, line: nil, "not UTF-8 text")
        }
        if let nul = text.firstIndex(of: "\0") {
            let line = text[..<nul].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            throw PolicyError(.syntax, file: file, line: line, "a NUL character is not allowed in TOML")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw PolicyError(.syntax, file: file, line: error.source.begin.line, "not valid TOML: \(error.description)")
        } catch {
            throw PolicyError(.syntax, file: file, line: nil, "not valid TOML")
        }
        var reader = Reader(file: file, lines: TOMLLayout(text), baseDirectory: baseDirectory)
        var policy = try reader.policy(root)
        policy.sha256 = FileDigest.compute(bytes, algorithm: .sha256).hex
        policy.origin = origin
        return policy
    }

    typealias Path = [TOMLLayout.Component]

    /// Walks the parsed document, knowing where each part is written.
    struct Reader {
        let file: String
        let lines: TOMLLayout
        let baseDirectory: String

        func fail(_ path: Path, _ problem: String, code: PolicyError.Code = .invalid) -> PolicyError {
            let line = lines.line(of: path)
            // With no line, the table path says where.
            let location = line == nil && !path.isEmpty ? "\(Self.name(of: path)): " : ""
            return PolicyError(code, file: file, line: line, location + problem)
        }

        /// `keys.corp`, `rule 2`, `rule 2.packages`.
        static func name(of path: Path) -> String {
            var parts: [String] = []
            var index = 0
            while index < path.count {
                if case .key("rule") = path[index], index + 1 < path.count, case .index(let n) = path[index + 1] {
                    parts.append("rule \(n + 1)")
                    index += 2
                    continue
                }
                parts.append(path[index].description)
                index += 1
            }
            return parts.joined(separator: ".")
        }

        /// The keys of `table` in the order they are written.
        func orderedKeys(_ table: TOMLTable, at path: Path) -> [String] {
            table.keys.sorted { a, b in
                let (la, lb) = (lines.line(of: path + [.key(a)]) ?? Int.max, lines.line(of: path + [.key(b)]) ?? Int.max)
                return (la, a) < (lb, b)
            }
        }

        func rejectUnknown(_ table: TOMLTable, at path: Path, allowed: Set<String>, what: String) throws(PolicyError) {
            for key in orderedKeys(table, at: path) where !allowed.contains(key) {
                throw fail(path + [.key(key)], "unknown key \"\(key)\" in \(what) (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }

        func string(_ table: TOMLTable, _ key: String, at path: Path) throws(PolicyError) -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.string else {
                throw fail(path + [.key(key)], "\(key) must be a string, not \(value.type)")
            }
            return text
        }

        func strings(_ table: TOMLTable, _ key: String, at path: Path) throws(PolicyError) -> [String]? {
            guard let value = table[key] else { return nil }
            guard let array = value.array else {
                throw fail(path + [.key(key)], "\(key) must be an array of strings, not \(value.type)")
            }
            var result: [String] = []
            for element in array {
                guard let text = element.string else {
                    throw fail(path + [.key(key)], "\(key) must be an array of strings; it holds a \(element.type)")
                }
                result.append(text)
            }
            return result
        }

        func subtable(_ value: any TOMLValueConvertible, at path: Path, what: String) throws(PolicyError) -> TOMLTable {
            guard let table = value.table else { throw fail(path, "\(what) must be a table, not \(value.type)") }
            return table
        }

        mutating func policy(_ root: TOMLTable) throws(PolicyError) -> Policy {
            try rejectUnknown(root, at: [], allowed: ["version", "keys", "identities", "rule"], what: "the policy")
            guard let version = root["version"] else {
                throw PolicyError(.invalid, file: file, line: 1, "missing version = 1 (the policy format's version)")
            }
            guard version.int == 1 else {
                throw fail([.key("version")], "version must be 1 (the only policy format there is), not \(version.debugDescription)")
            }
            var keys: [String: KeyAnchor] = [:]
            if let value = root["keys"] {
                let table = try subtable(value, at: [.key("keys")], what: "keys")
                for name in orderedKeys(table, at: [.key("keys")]) {
                    let path: Path = [.key("keys"), .key(name)]
                    guard let entry = table[name] else { continue }
                    keys[name] = try keyAnchor(name, try subtable(entry, at: path, what: "keys.\(name)"), at: path)
                }
            }
            var identities: [String: IdentityAnchor] = [:]
            if let value = root["identities"] {
                let table = try subtable(value, at: [.key("identities")], what: "identities")
                for name in orderedKeys(table, at: [.key("identities")]) {
                    let path: Path = [.key("identities"), .key(name)]
                    guard let entry = table[name] else { continue }
                    identities[name] = try identityAnchor(name, try subtable(entry, at: path, what: "identities.\(name)"), at: path)
                }
            }
            guard let ruleValue = root["rule"] else {
                throw PolicyError(.invalid, file: file, line: nil, "the policy has no [[rule]]: no package could pass")
            }
            guard let array = ruleValue.array else {
                throw fail([.key("rule")], "rule must be an array of tables ([[rule]]), not \(ruleValue.type)")
            }
            guard !array.isEmpty else { throw fail([.key("rule")], "the policy has no [[rule]]: no package could pass") }
            var rules: [Rule] = []
            for (index, element) in array.enumerated() {
                let path: Path = [.key("rule"), .index(index)]
                let table = try subtable(element, at: path, what: "rule \(index + 1)")
                rules.append(try rule(index + 1, table, at: path, keys: keys, identities: identities))
            }
            return Policy(keys: keys, identities: identities, rules: rules, path: file, sha256: nil, origin: .option)
        }

        func keyAnchor(_ name: String, _ table: TOMLTable, at path: Path) throws(PolicyError) -> KeyAnchor {
            try rejectUnknown(table, at: path, allowed: ["builtin", "file", "fingerprint"], what: "keys.\(name)")
            let builtin = try string(table, "builtin", at: path)
            let filePath = try string(table, "file", at: path)
            let fingerprint = try string(table, "fingerprint", at: path)
            let anchor: KeyAnchor
            switch (builtin, filePath) {
            case (nil, nil):
                throw fail(path, "keys.\(name) needs builtin or file")
            case (_?, _?):
                throw fail(path + [.key("file")], "keys.\(name) gives both builtin and file; give one")
            case (let builtin?, nil):
                guard let key = PolicyParser.builtinKeys[builtin] else {
                    throw fail(
                        path + [.key("builtin")],
                        "unknown builtin key \"\(builtin)\" (known: \(PolicyParser.builtinKeys.keys.sorted().joined(separator: ", ")))")
                }
                anchor = KeyAnchor(name: name, origin: "builtin \(builtin)", key: key)
            case (nil, let filePath?):
                guard !filePath.isEmpty else { throw fail(path + [.key("file")], "keys.\(name) file is empty") }
                let resolved = filePath.hasPrefix("/") ? filePath : (baseDirectory as NSString).appendingPathComponent(filePath)
                let bytes: [UInt8]
                do {
                    bytes = try BoundedFile.read(resolved, cap: PolicyParser.maxKeyFileBytes)
                } catch where error.code == .limitExceeded {
                    throw fail(path + [.key("file")], "key file \(filePath) is larger than \(PolicyParser.maxKeyFileBytes) bytes", code: .key)
                } catch {
                    throw fail(path + [.key("file")], "cannot read the key file \(filePath) (\(resolved))", code: .key)
                }
                let key: PublicKey
                do {
                    key = try PublicKey(pem: String(decoding: bytes, as: UTF8.self))
                } catch {
                    throw fail(path + [.key("file")], "key file \(filePath) is not a public key: \(error.message)", code: .key)
                }
                anchor = KeyAnchor(name: name, origin: filePath, key: TrustedKey(name: "\(name) (\(filePath))", key: key))
            }
            if let fingerprint {
                let parts = fingerprint.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "sha256", let hex = SHA256Hex(normalizing: parts[1]) else {
                    throw fail(path + [.key("fingerprint")], "fingerprint must be sha256:<64 hex digits>, not \(fingerprint)")
                }
                guard hex.text == anchor.key.key.fingerprint else {
                    throw fail(
                        path + [.key("fingerprint")],
                        "keys.\(name): the key in \(anchor.origin) is \(anchor.fingerprint), not the fingerprint sha256:\(hex.text)",
                        code: .key)
                }
            }
            return anchor
        }

        func identityAnchor(_ name: String, _ table: TOMLTable, at path: Path) throws(PolicyError) -> IdentityAnchor {
            guard let kind = try string(table, "kind", at: path) else {
                throw fail(path, "identities.\(name) needs a kind (\(PolicyParser.identityFields.keys.sorted().joined(separator: " | ")))")
            }
            guard let fields = PolicyParser.identityFields[kind] else {
                throw fail(
                    path + [.key("kind")],
                    "unknown identity kind \"\(kind)\" (known: \(PolicyParser.identityFields.keys.sorted().joined(separator: ", ")))")
            }
            var allowed = Set(["kind"] + fields.required + fields.optional)
            // GitLab's workflow may be written `workflow`, as GitHub's is.
            if kind == "GitLab" { allowed.insert("workflow") }
            try rejectUnknown(table, at: path, allowed: allowed, what: "identities.\(name) (kind \(kind))")
            var values: [String: JSONValue] = [:]
            for key in orderedKeys(table, at: path) where key != "kind" {
                guard let value = try string(table, key, at: path) else { continue }
                guard !value.isEmpty else { throw fail(path + [.key(key)], "identities.\(name).\(key) is empty") }
                let field = kind == "GitLab" && key == "workflow" ? "workflow_filepath" : key
                if values[field] != nil {
                    throw fail(path + [.key(key)], "identities.\(name) gives the workflow twice (workflow and workflow_filepath)")
                }
                values[field] = .string(value)
            }
            for field in fields.required where values[field] == nil {
                throw fail(path, "identities.\(name) (kind \(kind)) needs \(field)")
            }
            if let repository = values["repository"]?.stringValue {
                let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
                if parts.count < 2 || parts.contains(where: \.isEmpty) {
                    throw fail(path + [.key("repository")], "identities.\(name).repository \(repository) is not OWNER/NAME")
                }
            }
            return IdentityAnchor(name: name, publisher: Publisher(kind: kind, fields: values))
        }

        func rule(
            _ position: Int, _ table: TOMLTable, at path: Path, keys: [String: KeyAnchor], identities: [String: IdentityAnchor]
        ) throws(PolicyError) -> Rule {
            let label = "rule \(position)"
            try rejectUnknown(table, at: path, allowed: PolicyParser.ruleKeys, what: label)
            var index: IndexMatch?
            if let text = try string(table, "index", at: path) {
                switch IndexMatch.parse(text) {
                case .success(let match): index = match
                case .failure(let problem): throw fail(path + [.key("index")], "\(label): index: \(problem.message)")
                }
            }
            guard let packageTexts = try strings(table, "packages", at: path) else {
                throw fail(path, "\(label) needs packages (a list of project names or globs, [\"*\"] for all)")
            }
            guard !packageTexts.isEmpty else {
                throw fail(path + [.key("packages")], "\(label): packages is empty, so the rule could match nothing")
            }
            var packages: [NameGlob] = []
            for text in packageTexts {
                guard let glob = NameGlob(text) else {
                    throw fail(
                        path + [.key("packages")],
                        "\(label): \"\(text)\" is not a project name or glob (letters, digits, -, _, . and the wildcards * and ?)")
                }
                packages.append(glob)
            }
            var requirement = Requirement.provenance
            if let text = try string(table, "require", at: path) {
                guard let value = Requirement(rawValue: text) else {
                    throw fail(path + [.key("require")], "\(label): require must be provenance, integrity or none, not \"\(text)\"")
                }
                requirement = value
            }
            let keyNames = try strings(table, "keys", at: path) ?? []
            for name in keyNames where keys[name] == nil {
                let defined = keys.keys.sorted().joined(separator: ", ")
                throw fail(
                    path + [.key("keys")], "\(label): unknown key anchor \"\(name)\" (defined: \(defined.isEmpty ? "none" : defined))")
            }
            let identityNames = try strings(table, "identities", at: path) ?? []
            for name in identityNames where identities[name] == nil {
                let defined = identities.keys.sorted().joined(separator: ", ")
                throw fail(
                    path + [.key("identities")],
                    "\(label): unknown identity \"\(name)\" (defined: \(defined.isEmpty ? "none" : defined))")
            }
            var indexPublisher = false
            if let text = try string(table, "keyless", at: path) {
                guard text == "index-publisher" else {
                    throw fail(path + [.key("keyless")], "\(label): keyless must be \"index-publisher\", not \"\(text)\"")
                }
                indexPublisher = true
            }
            let builders = try strings(table, "builders", at: path)
            if let builders, builders.isEmpty {
                throw fail(path + [.key("builders")], "\(label): builders is empty, so no attestation could pass; leave it out to allow any")
            }
            let predicateTypes = try strings(table, "predicate-types", at: path)
            if let predicateTypes {
                guard !predicateTypes.isEmpty else {
                    throw fail(
                        path + [.key("predicate-types")],
                        "\(label): predicate-types is empty, so no attestation could pass; leave it out to allow any")
                }
                for type in predicateTypes where !StatementChecks.allowedPredicateTypes.contains(type) {
                    throw fail(
                        path + [.key("predicate-types")],
                        "\(label): predicate type \(type) is not one wheeltrust verifies (\(StatementChecks.allowedPredicateTypes.sorted().joined(separator: ", ")))"
                    )
                }
            }
            let reason = try string(table, "reason", at: path)
            if let reason, reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw fail(path + [.key("reason")], "\(label): reason is empty")
            }
            var expires: PolicyDate?
            if let value = table["expires"] {
                guard let date = value.date else {
                    throw fail(
                        path + [.key("expires")],
                        "\(label): expires must be a TOML date such as 2027-06-30 (unquoted, no time), not \(value.debugDescription)")
                }
                expires = PolicyDate(year: date.year, month: date.month, day: date.day)
            }
            switch requirement {
            case .provenance:
                if keyNames.isEmpty && identityNames.isEmpty && !indexPublisher {
                    throw fail(
                        path,
                        "\(label) requires provenance but accepts no signer: name keys, identities or keyless = \"index-publisher\"")
                }
            case .integrity, .none:
                guard reason != nil else {
                    throw fail(path, "\(label): require = \"\(requirement.rawValue)\" needs a reason")
                }
                for key in ["keys", "identities", "keyless", "builders", "predicate-types"] where table[key] != nil {
                    throw fail(
                        path + [.key(key)],
                        "\(label): \(key) has no effect with require = \"\(requirement.rawValue)\" (no provenance is checked)")
                }
            }
            return Rule(
                position: position, line: lines.line(of: path), index: index, packages: packages, requirement: requirement,
                keys: keyNames, identities: identityNames, indexPublisher: indexPublisher, builders: builders,
                predicateTypes: predicateTypes, reason: reason, expires: expires)
        }
    }
}
