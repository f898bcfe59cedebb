import Foundation
import PythonPackaging

extension IndexClient {
    /// The Integrity API URLs to try for `file`, in order, without duplicates:
    /// 1. the `provenance` URL the simple page advertised;
    /// 2. the same with `/api` inserted before its path when the path does not start with
    ///    `/api/` (Pulp before 3.28 advertised URLs lacking the prefix it is served under);
    /// 3. Pulp's form derived from the index URL: when the index path ends in `/simple/`, its
    ///    parent + `integrity/<normalized>/<version>/<filename>/provenance/` (trailing slash);
    ///    when that parent looks like Pulp's `…/pypi/<domain>/<distribution>/` without a leading
    ///    `/api/`, also the `/api`-prefixed variant;
    /// 4. PyPI's form on the index's origin: `/integrity/<normalized>/<version>/<filename>/provenance`.
    /// Userinfo is never part of a candidate. Pure function: no I/O.
    public static func provenanceCandidates(
        advertised: URL?, indexURL: URL, project: ProjectName,
        version: String, filename: String
    ) -> [URL] {
        var result: [URL] = []
        var seen: Set<String> = []
        func add(_ url: URL?) {
            guard let url, seen.insert(url.absoluteString).inserted else { return }
            result.append(url)
        }
        if let advertised = advertised?.removingUserInfo {
            add(advertised)
            let path = URLComponents(url: advertised, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? advertised.path
            if !path.hasPrefix("/api/") {
                add(replacingPath(of: advertised, with: "/api" + (path.hasPrefix("/") ? path : "/" + path)))
            }
        }
        let tail = [project.normalized, version, filename].map(encodeSegment).joined(separator: "/")
        let indexPath = URLComponents(url: indexURL, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? indexURL.path
        let segments = indexPath.split(separator: "/").map(String.init)
        if segments.last == "simple" {
            let parent = Array(segments.dropLast())
            let parentPath = parent.isEmpty ? "/" : "/" + parent.joined(separator: "/") + "/"
            add(replacingPath(of: indexURL, with: parentPath + "integrity/\(tail)/provenance/"))
            let looksLikePulp = parent.count >= 3 && parent[parent.count - 3] == "pypi"
            if looksLikePulp, parent.first != "api" {
                add(replacingPath(of: indexURL, with: "/api" + parentPath + "integrity/\(tail)/provenance/"))
            }
        }
        add(replacingPath(of: indexURL, with: "/integrity/\(tail)/provenance"))
        return result
    }

    static func encodeSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `url`'s scheme, host and port with `percentEncodedPath`; no userinfo, query or fragment.
    static func replacingPath(of url: URL, with percentEncodedPath: String) -> URL? {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return nil }
        parts.percentEncodedUser = nil
        parts.percentEncodedPassword = nil
        parts.percentEncodedQuery = nil
        parts.percentEncodedFragment = nil
        parts.percentEncodedPath = percentEncodedPath
        return parts.url
    }
}
