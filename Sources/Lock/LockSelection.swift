import PythonPackaging
import Verification

/// What a lock asks to install on one interpreter, chosen as an installer would choose it.
///
/// Guarantees: the lock's `requires-python` and `environments` are checked against the target
/// interpreter first (not met: ``LockError/Code/notApplicable``); a package whose marker is false
/// is left out; a `vcs`, `directory` or `archive` package is ``Choice/notVerifiable``; otherwise
/// the wheel whose best tag ranks first among the interpreter's supported tags (ties by file
/// name), else the sdist, else ``Choice/noFile`` naming what the lock offers. Marker evaluation
/// that cannot decide (a comparison the PEP does not define) is malformed (exit 2), never a guess.
/// Markers see PEP 751's `extras` (the ``Request``'s, none by default) and `dependency_groups`
/// (the lock's `default-groups` unless left out, plus the ``Request``'s groups); an extra or group
/// the lock does not offer is ``LockError/Code/notApplicable``, never silently nothing.
public enum LockSelection {
    /// What the user asks to install beyond a lock's defaults (PEP 751 extras and dependency groups).
    public struct Request: Sendable, Equatable {
        /// Extras to install: each must be in the lock's `extras`.
        public var extras: [String]
        /// Dependency groups to install: each must be in the lock's `dependency-groups` or `default-groups`.
        public var groups: [String]
        /// Whether the lock's `default-groups` are installed too (PEP 751's default: yes).
        public var defaultGroups: Bool

        public init(extras: [String] = [], groups: [String] = [], defaultGroups: Bool = true) {
            self.extras = extras
            self.groups = groups
            self.defaultGroups = defaultGroups
        }
    }

    public enum Choice: Sendable {
        case file(LockedFile)
        case notVerifiable(kind: String, detail: String)
        case noFile(String)
    }

    /// The applicable packages in lock order with the choice for each.
    public static func choose(
        in lock: PylockFile, facts: InterpreterTagFacts?, request: Request = Request()
    ) throws(LockError) -> [(package: LockedPackage, choice: Choice)] {
        let (extras, groups) = try markerSets(lock, request)
        guard let facts, let environment = MarkerEnvironment(facts: facts, extras: extras, dependencyGroups: groups) else {
            throw LockError(.operational, "the interpreter did not report its wheel tags and marker values")
        }
        let pythonVersion = environment.values["python_full_version"] ?? facts.version
        if let requires = lock.requiresPython, let specifier = VersionSpecifier(requires), !specifier.contains(pythonVersion) {
            throw LockError(
                .notApplicable, file: lock.path, line: nil,
                "requires-python \(requires) excludes this interpreter's Python \(pythonVersion)")
        }
        if !lock.environments.isEmpty {
            var supported = false
            for marker in lock.environments where try evaluate(marker, environment, lock: lock, line: nil) {
                supported = true
                break
            }
            guard supported else {
                throw LockError(.notApplicable, file: lock.path, line: nil, "none of the lock's environments is this interpreter's")
            }
        }
        let tags = CompatibleTags.supported(facts)
        var result: [(package: LockedPackage, choice: Choice)] = []
        for package in lock.packages {
            if let marker = package.marker, !(try evaluate(marker, environment, lock: lock, line: package.line)) { continue }
            switch package.source {
            case .other(let kind, let detail):
                result.append((package, .notVerifiable(kind: kind, detail: detail)))
            case .files(let wheels, let sdist):
                if let wheel = bestWheel(wheels, tags: tags) {
                    result.append((package, .file(wheel)))
                } else if let sdist {
                    result.append((package, .file(sdist)))
                } else {
                    let offered = wheels.map(\.filename).sorted().joined(separator: ", ")
                    result.append(
                        (package, .noFile("no wheel of \(package.label) suits this interpreter and the lock has no sdist: \(offered)")))
                }
            }
        }
        return result
    }

    /// The `extras` and `dependency_groups` markers see; a name the lock does not offer is refused.
    static func markerSets(_ lock: PylockFile, _ request: Request) throws(LockError) -> (extras: [String], groups: [String]) {
        func check(_ names: [String], offered: [String], what: String, key: String) throws(LockError) {
            let known = Set(offered.map(ProjectName.normalize))
            for name in names where !known.contains(ProjectName.normalize(name)) {
                let list = offered.isEmpty ? "it names none" : "it names " + offered.sorted().joined(separator: ", ")
                throw LockError(.notApplicable, file: lock.path, line: nil, "the lock offers no \(what) \"\(name)\" (\(key): \(list))")
            }
        }
        try check(request.extras, offered: lock.extras, what: "extra", key: "extras")
        try check(
            request.groups, offered: lock.dependencyGroups + lock.defaultGroups, what: "dependency group",
            key: "dependency-groups and default-groups")
        return (request.extras, (request.defaultGroups ? lock.defaultGroups : []) + request.groups)
    }

    static func evaluate(_ marker: String, _ environment: MarkerEnvironment, lock: PylockFile, line: Int?) throws(LockError) -> Bool {
        do {
            return try MarkerExpression.parse(marker).evaluate(environment)
        } catch {
            throw LockError(.malformed, file: lock.path, line: line, "marker \"\(marker)\": \(error.message)")
        }
    }

    /// The wheel an installer takes: best tag rank first, then file name.
    static func bestWheel(_ wheels: [LockedFile], tags: [WheelTag]) -> LockedFile? {
        var rank: [WheelTag: Int] = [:]
        for (index, tag) in tags.enumerated() where rank[tag] == nil { rank[tag] = index }
        let ranked = wheels.compactMap { file -> (LockedFile, Int)? in
            guard let name = try? WheelFilename(parsing: file.filename), let best = name.tags.compactMap({ rank[$0] }).min() else {
                return nil
            }
            return (file, best)
        }
        return ranked.min { ($0.1, $0.0.filename) < ($1.1, $1.0.filename) }?.0
    }
}
