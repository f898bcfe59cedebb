import PackageIndex
import PythonPackaging

extension FetchedWheel {
    /// A file the user holds (a wheelhouse's), standing for the index file of the same name:
    /// `sha256` is the digest of the bytes at `path`, which the caller computed, and the steps
    /// after download (provenance, statement, wheel contents) are then checked against those bytes.
    public static func local(file: IndexFile, path: String, sha256: SHA256Hex, checks: [CheckResult]) -> FetchedWheel {
        FetchedWheel(file: file, path: path, sha256: sha256, checks: checks)
    }
}
