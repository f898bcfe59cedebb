import Foundation
import PackageIndex
import PythonPackaging

/// Where the build requirements come from, always as wheels (`--only-binary :all:`: no
/// requirement is itself built from source behind the user's back).
///
/// Guarantees: with `findLinks` pip reads only that folder (`--no-index`, its configuration files
/// and `PIP_*` variables ignored); with `indexURL` only that index (configuration ignored); with
/// `pipConfiguration` pip uses the user's own configuration (files and `PIP_*` from `environment`).
public enum RequirementSource: Sendable, Hashable {
    case findLinks(String)
    case indexURL(String)
    case pipConfiguration(environment: [String: String])

    /// The same source with a `findLinks` folder made absolute (pip runs in another folder).
    var absolute: RequirementSource {
        if case .findLinks(let folder) = self { return .findLinks(PathResolution.absolute(folder)) }
        return self
    }

    /// pip's options that select the source.
    var pipArguments: [String] {
        switch self {
        case .findLinks(let folder): ["--no-index", "--find-links", folder]
        case .indexURL(let url): ["--index-url", url]
        case .pipConfiguration: []
        }
    }

    /// The environment pip runs with (besides PATH and HOME, which the build sets).
    var pipEnvironment: [String: String] {
        switch self {
        case .findLinks, .indexURL:
            ["PIP_CONFIG_FILE": "/dev/null", "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"]
        case .pipConfiguration(let environment):
            environment.filter { key, _ in
                key.hasPrefix("PIP_") || ["HOME", "XDG_CONFIG_HOME", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NETRC",
                    "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"].contains(key)
            }.merging(["PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"]) { _, new in new }
        }
    }

    /// What the provenance records as the build's configuration (credentials removed).
    public var recorded: String {
        switch self {
        case .findLinks(let folder): "find-links \(folder)"
        case .indexURL(let url): "index-url \(URLMasking.redact(url))"
        case .pipConfiguration: "pip configuration"
        }
    }
}
