/// Policy files for tests, written out as an operator writes them.
public enum PolicyText {
    /// One key anchor `name` read from `file` and one rule: every project needs provenance signed
    /// by that key.
    public static func oneKey(_ name: String, file: String) -> String {
        """
        version = 1

        [keys.\(name)]
        file = "\(file)"

        [[rule]]
        packages = ["*"]
        keys = ["\(name)"]
        """
    }
}
