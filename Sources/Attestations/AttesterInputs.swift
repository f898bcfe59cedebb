import Foundation

extension Attester {
    /// The first of `paths` that is not a regular file one can attest (absent, or a directory), or
    /// nil when every one is: checked for all before any is signed, so a typo does not leave half
    /// the files attested.
    public static func firstMissingFile(_ paths: [String]) -> String? {
        paths.first { path in
            var isDirectory: ObjCBool = false
            return !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || isDirectory.boolValue
        }
    }
}
