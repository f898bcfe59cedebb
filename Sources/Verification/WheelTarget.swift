/// What `verify-wheel`'s argument names: a local distribution file (a wheel or an sdist, checked
/// offline against a provenance file) or a project (installed, or on the index).
///
/// Guarantees: an argument ending in `.whl`, `.tar.gz` or `.zip` is always a local file, whether or
/// not it exists (a missing file is then reported as missing, never looked up as a project);
/// anything else is a project name (no project name has those endings).
public enum WheelTarget: Sendable, Equatable {
    case localFile(String)
    case installed(String)

    public init(_ argument: String) {
        let local = [".whl", ".tar.gz", ".zip"].contains { argument.hasSuffix($0) }
        self = local ? .localFile(argument) : .installed(argument)
    }
}
