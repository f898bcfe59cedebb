import Foundation

/// The index URL `serve` announces, as a person may see it.
///
/// Guarantees: with credentials, the URL shows the user and `****` for the password, never the
/// password itself; without, it is the URL as served.
public enum ServedIndexURL {
    public static func display(_ url: URL, credentials: BasicCredentials?) -> String {
        guard let credentials, var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return url.absoluteString
        }
        components.user = credentials.user
        components.password = "****"
        return components.string ?? url.absoluteString
    }
}
