import Attestations
import Foundation
import PackageIndex
import PythonPackaging
import Sigstore
import TUF

/// Everything a command line needs to turn its options into a working pipeline, in one place so
/// the CLI stays a thin shell and the rules here are tested.
///
/// Trust rules: with no `keyFiles`, Red Hat release key 3 (embedded) is the one trusted key; with
/// `keyFiles`, exactly those keys are trusted and the embedded one is not; `noDefaultKeys` with no
/// `keyFiles` trusts nothing, so nothing key-signed verifies. Naming keys (`keyFiles` or
/// `noDefaultKeys`) means keys only: Sigstore keyless attestations are then refused unless
/// `allowKeyless` is set or an identity pin is given (``acceptsKeyless``). Keyless attestations are
/// verified against `trustedRootFile` when given (a private Sigstore's `trusted_root.json`), else the
/// embedded staging root with `staging`, else the embedded production root; `identityPins` are
/// checked on top of the publisher's identity. Nothing here silently skips a check.
public struct VerificationSetup: Sendable {
    public var python: String?
    public var indexURL: String?
    /// Where `indexURL` came from, as the report's index line names it (a command line names its option).
    public var indexURLOrigin: String = PipConfiguration.defaultOverrideOrigin
    public var keyFiles: [String]
    public var noDefaultKeys: Bool
    public var cacheDirectory: String?
    public var timeout: TimeInterval
    public var environment: [String: String]
    /// A Sigstore `trusted_root.json` to use instead of the embedded production root.
    public var trustedRootFile: String?
    /// Use the embedded public-good staging root instead of production.
    public var staging: Bool
    /// Identity constraints added on top of the publisher policy for keyless attestations.
    public var identityPins: IdentityPins
    /// No network: the pipeline works from the cache only (see ``VerificationContext/offline``).
    public var offline: Bool = false
    /// The root the cached TUF store's chain must descend from (see `sigstoreTrustedRoot`); nil:
    /// the embedded `root.json` of the instance, which is what the command line always uses.
    public var tufBootstrapRoot: [UInt8]?
    /// Accept Sigstore keyless attestations even though `keyFiles` or `noDefaultKeys` name the
    /// trusted keys (they are then bound to the publisher the index names, and to the pins).
    public var allowKeyless: Bool = false
    /// The policy file named on the command line (`--policy`); see ``trustPolicy()``.
    public var policyFile: String?
    /// The day policy rules' `expires` are judged against (nil: today).
    public var policyDate: Date?
    /// Judge by the built-in policy whatever a policy file or `$WHEELTRUST_POLICY` says (what
    /// `policy init` describes an environment with).
    public var builtInPolicyOnly: Bool = false

    /// Whether keyless attestations can verify: with no key named (the default trust: Red Hat's key
    /// and keyless bound to the index-named publisher, as the public index's model has it), or
    /// when allowed explicitly, or when an identity pin says which keyless signer is wanted.
    public var acceptsKeyless: Bool {
        allowKeyless || !identityPins.isEmpty || (keyFiles.isEmpty && !noDefaultKeys)
    }

    public init(
        python: String? = nil, indexURL: String? = nil, keyFiles: [String] = [], noDefaultKeys: Bool = false,
        cacheDirectory: String? = nil, timeout: TimeInterval = 30,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        trustedRootFile: String? = nil, staging: Bool = false, identityPins: IdentityPins = IdentityPins()
    ) {
        self.trustedRootFile = trustedRootFile
        self.staging = staging
        self.identityPins = identityPins
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
            let data = try NamedFile.read(path, cap: 1 << 20, what: "key file")
            do {
                keys.append(TrustedKey(name: path, key: try PublicKey(pem: String(decoding: data, as: UTF8.self))))
            } catch {
                throw VerificationError(.usage, "\(path): \(error.message)")
            }
        }
        return keys
    }

    /// Asks the environment's trusted interpreter (once) for its scheme paths; reads pip's own
    /// default index from pip's source. An interpreter named by the user that cannot be found or
    /// run is a usage error (exit 2); an environment whose interpreter, `pyvenv.cfg` or answer
    /// does not check out (``PythonEnvironment/inspect(python:withPipDefaultIndex:)``) could not be
    /// verified: `operational` (exit 3), the message naming the file.
    public func inspectEnvironment() async throws(VerificationError) -> PythonEnvironment {
        let interpreter = python ?? PythonEnvironment.defaultInterpreter(environment: environment)
        if python == nil, let venv = environment["VIRTUAL_ENV"], !venv.isEmpty,
            !FileManager.default.fileExists(atPath: (venv as NSString).appendingPathComponent("pyvenv.cfg"))
        {
            throw VerificationError(.operational, "cannot inspect the Python environment: VIRTUAL_ENV=\(venv) has no pyvenv.cfg")
        }
        do {
            // pip's own default index is read only when nothing names an index up front; config
            // files may still name one, so it is read whenever they are the only possible source.
            // (uv's built-in default is the same public index, so it is read for uv too.)
            return try await PythonEnvironment.inspect(python: interpreter, withPipDefaultIndex: indexURL == nil)
        } catch {
            throw VerificationError(
                error.code == .interpreterNotTrusted ? .operational : .usage,
                "cannot inspect the Python environment: \(error.message)")
        }
    }

    /// The index as pip would use it for this environment (its configuration files, including the
    /// environment's own `pip.conf`, `PIP_*` variables), unless `indexURL` overrides it.
    public func indexConfiguration(for python: PythonEnvironment?) throws(VerificationError) -> IndexConfiguration {
        var override: URL?
        if let indexURL {
            guard let url = HTTPURL.parse(indexURL) else {
                throw VerificationError(setupProblem: .indexURLNotHTTP(shown: URLMasking.redact(indexURL)))
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
                override: override, overrideOrigin: indexURLOrigin)
        } catch {
            throw VerificationError(indexError: error)
        }
    }

    /// The configurations verification uses: pip's (``indexConfiguration(for:)``) and uv's where
    /// it applies (``uvIndexConfiguration(for:pip:)``). When pip names no index and has no default
    /// of its own (no pip in the environment or its base), uv's configuration, if it names an
    /// index, serves every distribution; otherwise pip's error stands.
    public func indexConfigurations(
        for python: PythonEnvironment?
    ) throws(VerificationError)
        -> (primary: IndexConfiguration, uv: IndexConfiguration?)
    {
        let pip: IndexConfiguration
        do {
            pip = try indexConfiguration(for: python)
        } catch let error where error.setupProblem == .noIndex(.pipNamesNone) && indexURL == nil {
            let uv: IndexConfiguration
            do {
                uv = try UVConfiguration.resolve(
                    environment: environment, homeDirectory: environment["HOME"] ?? NSHomeDirectory(),
                    interpreterDefault: nil, certificateBundle: Self.certificateBundle(environment))
            } catch let uvError where uvError.noIndex == .uvNamesNoDefault {
                throw error
            } catch let uvError {
                throw VerificationError(indexError: uvError)
            }
            return (uv, nil)
        }
        return (pip, try uvIndexConfiguration(for: python, pip: pip))
    }

    /// The CA bundle variables `requests` and OpenSSL honour, when pip's configuration is not read.
    static func certificateBundle(_ environment: [String: String]) -> String? {
        for name in ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// uv's index configuration (``UVConfiguration``) when it applies to some distribution of
    /// `python`: not with `--index-url` (which overrides every configuration); otherwise when a
    /// distribution was installed by uv (`INSTALLER` is `uv`), or when `pip` names no index and uv's
    /// configuration does. nil when it applies to none. A malformed uv configuration is a usage
    /// error (exit 2) naming the file and line, raised only when uv's configuration is needed.
    public func uvIndexConfiguration(
        for python: PythonEnvironment?, pip: IndexConfiguration
    ) throws(VerificationError)
        -> IndexConfiguration?
    {
        guard indexURL == nil else { return nil }
        let installedByUV = python.map { InstallerScan.anyInstalled(by: "uv", in: $0.sitePackages) } ?? false
        guard installedByUV || !pip.namesIndex else { return nil }
        let uv: IndexConfiguration
        do {
            uv = try UVConfiguration.resolve(
                environment: environment, homeDirectory: environment["HOME"] ?? NSHomeDirectory(),
                interpreterDefault: python?.pipDefaultIndexURL.flatMap(URL.init(string:)),
                certificateBundle: pip.certificateBundle)
        } catch {
            throw VerificationError(indexError: error)
        }
        return installedByUV || uv.namesIndex ? uv : nil
    }

    /// Builds the pipeline's context: HTTP client with every index's credentials (each bound to
    /// its own origin: URL userinfo, else uv's `UV_INDEX_<NAME>_*`, else the netrc), cache, verifiers.
    public func context(configuration: IndexConfiguration, uv: IndexConfiguration? = nil) throws(VerificationError) -> VerificationContext {
        let netrc = Netrc.load(environment: environment, homeDirectory: environment["HOME"] ?? NSHomeDirectory())
        var credentials: [IndexCredentials] = []
        for index in configuration.indexes + (uv?.indexes ?? []) {
            let found =
                IndexCredentials.forIndex(index.url, netrc: nil) ?? index.credentials ?? IndexCredentials.forIndex(index.url, netrc: netrc)
            if let found { credentials.append(found) }
        }
        let http = HTTPClient(
            credentialSet: credentials, certificateBundle: configuration.certificateBundle,
            timeout: timeout, retry: RetryPolicy(maxRetries: 3))
        // The client loaded pip's `cert` bundle once; an unusable one is reported here, as configuration.
        if !offline, let problem = http.configurationProblem { throw VerificationError(.usage, problem.message) }
        let cache = ContentCache(root: cacheDirectory ?? ContentCache.defaultRoot(environment: environment), stampKeyFrom: environment)
        let policy = try trustPolicy()
        return VerificationContext(
            index: IndexClient(configuration: configuration, http: http), uvIndex: uv.map { IndexClient(configuration: $0, http: http) },
            http: http,
            cache: cache, provenanceVerifier: policy.verifiers[1] ?? ProvenanceVerifier(verifiers: []), offline: offline,
            policy: policy)
    }

    /// The verifier of provenance objects under the trust rules above (offline use needs only this):
    /// key-signed attestations against the trusted keys, Sigstore keyless ones against the chosen
    /// trusted root with the publisher's identity (and the pins) bound to the certificate.
    public func provenanceVerifier() throws(VerificationError) -> ProvenanceVerifier {
        if let problem = identityPins.problem { throw VerificationError(pinProblem: problem) }
        let keyless: any AttestationSignatureVerifier =
            acceptsKeyless
            ? SigstoreVerifier(trustedRoot: try sigstoreTrustedRoot(), pins: identityPins) : KeylessRefusal()
        return ProvenanceVerifier(verifiers: [KeySignatureVerifier(trustedKeys: try trustedKeys()), keyless])
    }

    /// The Sigstore trusted root: `trustedRootFile`, else the one a trust update verified
    /// and cached for the instance (staging with `staging`, else production) under
    /// `<cache>/tuf/<prod|staging>` — checked offline on every use, the chain of cached roots
    /// replayed from the embedded `root.json` (each version signed by the previous one's threshold
    /// and its own), then the cached metadata's signatures and the target's length and hashes
    /// (`TUFStore.verifiedStore`; never the network) — else, when the cache holds nothing at all,
    /// the embedded trusted root of the instance. An unreadable or malformed file is a usage error
    /// naming it; a cache that does not verify (a broken chain included) is an operational error
    /// naming the store and the failed check, never silently replaced.
    public func sigstoreTrustedRoot() throws(VerificationError) -> TrustedRoot {
        if let trustedRootFile {
            guard !staging else { throw VerificationError(setupProblem: .trustedRootWithStaging) }
            let data = try NamedFile.read(trustedRootFile, cap: TrustedRoot.maxBytes, what: "trusted root file")
            do {
                return try TrustedRoot.decode(data)
            } catch {
                throw VerificationError(.usage, "trusted root file \(trustedRootFile): \(error.message)")
            }
        }
        let instance: SigstoreTUF.Instance = staging ? .staging : .production
        let cacheRoot = cacheDirectory ?? ContentCache.defaultRoot(environment: environment)
        let store = TUFStore(directory: SigstoreTUF.storeDirectory(cacheRoot: cacheRoot, instance: instance))
        let bootstrap: [UInt8]
        if let tufBootstrapRoot {
            bootstrap = tufBootstrapRoot
        } else {
            do {
                bootstrap = try SigstoreTUF.bootstrapRoot(instance)
            } catch {
                throw VerificationError(.operational, error.message)
            }
        }
        switch store.verifiedTarget(SigstoreTUF.trustedRootTarget, bootstrapRoot: bootstrap) {
        case .absent:
            break
        case .verified(let bytes):
            do {
                return try TrustedRoot.decode(Data(bytes))
            } catch {
                throw VerificationError(
                    .operational, "cached Sigstore trusted root \(store.targetPath(SigstoreTUF.trustedRootTarget)): \(error.message)")
            }
        case .failed(let failure):
            throw VerificationError(
                .operational, "cached Sigstore trusted root in \(store.directory) does not verify (\(failure.message))",
                remedy: .updateTrust)
        }
        do {
            return try staging ? TrustedRoot.staging : TrustedRoot.production
        } catch {
            throw VerificationError(.operational, "Sigstore trusted root: \(error.message)")
        }
    }
}
