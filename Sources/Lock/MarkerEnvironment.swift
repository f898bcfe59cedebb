import PythonPackaging

/// The values PEP 508 markers are evaluated against, for one target interpreter.
///
/// Guarantees: built from ``InterpreterTagFacts`` (what the trusted interpreter query reported,
/// nothing of the environment run); every PEP 508 variable has a value (`extra` is empty: a lock
/// installs no extra unless named); `extras` and `dependency_groups` are sets of normalised names.
struct MarkerEnvironment: Sendable, Equatable {
    var values: [String: String]
    var sets: [String: Set<String>]

    init(values: [String: String], extras: [String] = [], dependencyGroups: [String] = []) {
        self.values = values
        self.sets = [
            "extras": Set(extras.map(ProjectName.normalize)),
            "dependency_groups": Set(dependencyGroups.map(ProjectName.normalize)),
        ]
    }

    /// The environment of the interpreter described by `facts`; nil when the facts lack the
    /// marker values (a value built by hand, not by the interpreter query).
    init?(facts: InterpreterTagFacts, extras: [String] = [], dependencyGroups: [String] = []) {
        guard let markers = facts.markers else { return nil }
        let release = VersionSpecifier.release(facts.version)
        guard release.count >= 2 else { return nil }
        let implementation: String =
            switch facts.implementation {
            case "cpython": "CPython"
            case "pypy": "PyPy"
            case "ironpython": "IronPython"
            case "jython": "Jython"
            default: facts.implementation
            }
        self.init(
            values: [
                "os_name": markers.osName,
                "sys_platform": markers.sysPlatform,
                "platform_machine": markers.machine,
                "platform_python_implementation": implementation,
                "platform_release": markers.release,
                "platform_system": markers.system,
                "platform_version": markers.systemVersion,
                "python_version": "\(release[0]).\(release[1])",
                "python_full_version": markers.fullVersion,
                "implementation_name": facts.implementation,
                "implementation_version": markers.implementationVersion,
                "extra": "",
            ], extras: extras, dependencyGroups: dependencyGroups)
    }
}
