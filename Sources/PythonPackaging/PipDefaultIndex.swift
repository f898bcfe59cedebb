import Foundation

/// pip's built-in default index, read as text from pip's own source, never by running pip.
///
/// pip defines it in `pip/_internal/models/index.py` as `PyPI = PackageIndex("<url>", …)` (older
/// pips: `Index("<url>")`), and uses `urljoin(url, "simple")` as the simple index. This reads that
/// file (at most ``maxBytes``, a regular file, not through a link) and computes the same URL, so
/// that no index address is written into wheeltrust and nothing of the environment is imported.
///
/// Why reading a file of the checked environment is safe here: the text is only parsed, never
/// executed, and the index it names is untrusted anyway: every wheel fetched from it must match
/// the index's hash *and* a signed attestation from a trusted signer, so a tampered `index.py` can
/// at worst point at an index that cannot make anything verify.
public enum PipDefaultIndex {
    /// Largest `index.py` read (pip's is about 1 KiB).
    public static let maxBytes = 64 << 10
    /// The file's path below a site-packages directory.
    static let relativePath = "pip/_internal/models/index.py"

    /// The simple-index URL of the first pip found in `sitePackages` (in order), or nil when there
    /// is none or its source does not define the default index in the expected form.
    public static func find(in sitePackages: [String]) -> String? {
        for directory in sitePackages {
            let path = directory + "/" + relativePath
            guard PathResolution.linkStatus(path) != nil else { continue }
            guard let bytes = try? BoundedFile.read(path, cap: maxBytes, followLinks: false) else { return nil }
            return simpleURL(fromSource: bytes)
        }
        return nil
    }

    /// `urljoin(url, "simple")` of the URL given to `PyPI = PackageIndex(…)` or `PyPI = Index(…)`
    /// in pip's source text; nil unless that URL is an absolute `http(s)` URL with a host, without
    /// blanks, quotes or control characters, of at most 2048 bytes.
    public static func simpleURL(fromSource bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let pattern = #"(?m)^PyPI\s*=\s*(?:PackageIndex|Index)\(\s*(?:url\s*=\s*)?(["'])([^"'\\\s]{1,2048})\1"#
        guard let expression = try? NSRegularExpression(pattern: pattern),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 2), in: text)
        else { return nil }
        let url = String(text[range])
        guard url.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
            let base = URL(string: url), let scheme = base.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = base.host, !host.isEmpty,
            let simple = URL(string: "simple", relativeTo: base)?.absoluteString
        else { return nil }
        return simple
    }
}
