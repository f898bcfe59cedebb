import Foundation
import PythonPackaging

/// Which installer wrote an environment's distributions, read cheaply before verification starts
/// (to know whether uv's index configuration is needed at all).
///
/// Guarantees: reads only `<site-packages>/*.dist-info/INSTALLER`, each as a regular file of at
/// most 4 KiB, not through a symbolic link; an unreadable one counts as no installer. The answer
/// only chooses which of the user's own index configurations is consulted: it never relaxes a check.
enum InstallerScan {
    static func anyInstalled(by installer: String, in sitePackages: [String]) -> Bool {
        for root in sitePackages {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { continue }
            for name in names where name.hasSuffix(".dist-info") {
                guard let bytes = try? BoundedFile.read("\(root)/\(name)/INSTALLER", cap: 4096, followLinks: false),
                    let text = String(validating: bytes, as: UTF8.self)
                else { continue }
                if text.trimmingCharacters(in: .whitespacesAndNewlines) == installer { return true }
            }
        }
        return false
    }
}
