/// What `verify-wheel`'s argument names: a local wheel file (checked offline against a provenance
/// file) or an installed project (whose wheel is found on the index).
///
/// Guarantees: an argument ending in `.whl` is always a local file, whether or not it exists (a
/// missing file is then reported as missing, never looked up as a project); anything else is a
/// project name.
public enum WheelTarget: Sendable, Equatable {
    case localFile(String)
    case installed(String)

    public init(_ argument: String) {
        self = argument.hasSuffix(".whl") ? .localFile(argument) : .installed(argument)
    }
}
