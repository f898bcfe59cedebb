import Attestations
import Foundation
import PackageIndex
import PythonPackaging

/// Everything a command line needs to turn its options into a working pipeline, in one place so
/// the CLI stays a thin shell and the rules here are tested.
///
/// Trust rules: with no `keyFiles`, Red Hat release key 3 (embedded) is the one trusted key; with
/// `keyFiles`, exactly those keys are trusted and the embedded one is not; `noDefaultKeys` with no
/// `keyFiles` trusts nothing, so nothing key-signed verifies. Nothing here silently skips a check.
public struct VerificationSetup: Sendable {
    public var python: String?
    public var indexURL: String?
    public var keyFiles: [String]
    public var noDefaultKeys: Bool
    public var cacheDirectory: String?
    public var timeout: TimeInterval
    public var environment: [String: String]

    public init(python: String? = nil, indexURL: String? = nil, keyFiles: [String] = [], noDefaultKeys: Bool = false,
                cacheDirectory: String? = nil, timeout: TimeInterval = 30,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.python = python
        self.indexURL = indexURL
        self.keyFiles = keyFiles
        self.noDefaultKeys = noDefaultKeys
        self.cacheDirectory = cacheDirectory
        self.timeout = timeout
        self.environment = environment
    }

    /// The keys trusted under the rules above.
    public func trustedKeys() throws(VerificationError) -> [TrustedKey] {
        if keyFiles.isEmpty { return noDefaultKeys ? [] : [TrustedKey.redHatRelease3] }
        var keys: [TrustedKey] = []
        for path in keyFiles {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw VerificationError(.usage, "cannot read the key file \(path)")
            }
            do {
                keys.append(TrustedKey(name: path, key: try PublicKey(pem: String(decoding: data, as: UTF8.self))))
            } catch {
                throw VerificationError(.usage, "\(path): \(error.message)")
            }
        }
        return keys
    }

    /// Asks the interpreter (once) for its scheme paths and pip's own default index.
    public func inspectEnvironment() throws(VerificationError) -> PythonEnvironment {
        let interpreter = python ?? PythonEnvironment.defaultInterpreter(environment: environment)
        do {
            return try PythonEnvironment.inspect(python: interpreter)
        } catch {
            throw VerificationError(.usage, "cannot inspect the Python environment: \(error.message)")
        }
    }

    /// The index as pip would use it for this environment (its configuration files, including the
    /// environment's own `pip.conf`, `PIP_*` variables), unless `indexURL` overrides it.
    public func indexConfiguration(for python: PythonEnvironment?) throws(VerificationError) -> IndexConfiguration {
        var override: URL?
        if let indexURL {
            guard let url = URL(string: indexURL), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                  url.host != nil else {
                throw VerificationError(.usage, "--index-url is not an http(s) URL: \(IndexSetupText.mask(indexURL))")
            }
            override = url
        }
        let interpreterDefault = python?.pipDefaultIndexURL.flatMap(URL.init(string:))
        do {
            return try PipConfiguration.resolve(
                environment: environment,
                homeDirectory: environment["HOME"] ?? NSHomeDirectory(),
                sitePrefix: python?.prefix,
                interpreterDefault: interpreterDefault,
                override: override)
        } catch {
            throw VerificationError(.usage, error.message)
        }
    }

    /// Builds the pipeline's context: HTTP client with the index's credentials, cache, verifiers.
    public func context(configuration: IndexConfiguration) throws(VerificationError) -> VerificationContext {
        let netrcPath = environment["NETRC"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.netrc")
        let netrc = FileManager.default.contents(atPath: netrcPath).map { Netrc(parsing: String(decoding: $0, as: UTF8.self)) }
        let credentials = IndexCredentials.forIndex(configuration.indexURL, netrc: netrc)
        let http = HTTPClient(credentials: credentials, certificateBundle: configuration.certificateBundle,
                              timeout: timeout, maxRetries: 3)
        let cache = ContentCache(root: cacheDirectory ?? ContentCache.defaultRoot(environment: environment))
        return VerificationContext(index: IndexClient(configuration: configuration, http: http), http: http,
                                   cache: cache, provenanceVerifier: try provenanceVerifier())
    }

    /// The verifier of provenance objects under the trust rules above (offline use needs only this):
    /// key-signed attestations against the trusted keys, Sigstore keyless ones against the embedded
    /// public-good production trusted root with the publisher's identity bound to the certificate.
    public func provenanceVerifier() throws(VerificationError) -> ProvenanceVerifier {
        let sigstoreRoot: TrustedRoot
        do {
            sigstoreRoot = try TrustedRoot.production
        } catch {
            throw VerificationError(.operational, "Sigstore trusted root: \(error.message)")
        }
        return ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: try trustedKeys()),
                                              SigstoreVerifier(trustedRoot: sigstoreRoot)])
    }
}

enum IndexSetupText {
    /// Masks anything that looks like a password in a URL-ish string that did not parse.
    static func mask(_ text: String) -> String {
        guard let at = text.firstIndex(of: "@"), let schemeEnd = text.range(of: "://") else { return text }
        let userinfo = text[schemeEnd.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":****" + String(text[at...])
    }
}
