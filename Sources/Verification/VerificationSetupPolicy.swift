import Attestations
import Foundation
import Policy
import Sigstore

extension VerificationSetup {
    /// Whether any trust flag is set (`keyFiles`, `noDefaultKeys`, identity pins, `allowKeyless`):
    /// then they are the policy (a one-rule shorthand).
    public var trustFlagsGiven: Bool {
        !keyFiles.isEmpty || noDefaultKeys || !identityPins.isEmpty || allowKeyless
    }

    /// The policy packages are judged by.
    ///
    /// - With trust flags: a one-rule policy built from them (every package, provenance by the
    ///   flags' keys, keyless as ``acceptsKeyless`` says), verified exactly as before policies
    ///   existed. Flags together with a policy named by `policyFile` or `$WHEELTRUST_POLICY` are a
    ///   usage error; a policy found only in the user configuration is not used with flags (flags
    ///   are a deliberate, one-off choice on the command line).
    /// - Otherwise the policy ``PolicyDiscovery`` finds (`policyFile`, `$WHEELTRUST_POLICY`, the
    ///   user configuration, the built-in default). A policy that cannot be read or is invalid is
    ///   a usage error whose message is `FILE:LINE: problem`.
    public func trustPolicy() throws(VerificationError) -> TrustPolicy {
        let location =
            builtInPolicyOnly
            ? .builtIn
            : PolicyDiscovery.locate(
                explicit: policyFile, environment: environment, homeDirectory: environment["HOME"] ?? NSHomeDirectory())
        if trustFlagsGiven {
            if case .file(let path, let origin) = location, origin != .userConfiguration {
                throw VerificationError(setupProblem: .trustSettingsWithPolicy(path: path, fromEnvironment: origin == .environment))
            }
            return try shorthandPolicy()
        }
        let policy: Policy
        do {
            policy = try PolicyDiscovery.load(location)
        } catch {
            throw VerificationError(.usage, "policy: \(error.message)")
        }
        var verifiers: [Int: ProvenanceVerifier] = [:]
        for rule in policy.rules where rule.requirement == .provenance {
            // The Sigstore root is read only when some rule accepts keyless signers.
            do {
                verifiers[rule.position] = try RuleVerifier.make(rule, in: policy, trustedRoot: try sigstoreTrustedRoot())
            } catch let error as VerificationError {
                throw error
            } catch {
                throw VerificationError(.operational, "\(error)")
            }
        }
        return TrustPolicy(policy: policy, verifiers: verifiers, date: policyDate ?? Date())
    }

    /// Today's trust flags as a one-rule policy whose verifier is ``provenanceVerifier()``.
    func shorthandPolicy() throws(VerificationError) -> TrustPolicy {
        let keys = try trustedKeys()
        var anchors: [String: KeyAnchor] = [:]
        var names: [String] = []
        for (index, key) in keys.enumerated() {
            let name = keyFiles.isEmpty ? "redhat" : (index < keyFiles.count ? keyFiles[index] : key.name)
            anchors[name] = KeyAnchor(name: name, origin: keyFiles.isEmpty ? "builtin redhat-release3" : name, key: key)
            names.append(name)
        }
        let rule = Rule(
            position: 1, packages: [NameGlob("*")].compactMap { $0 }, requirement: .provenance, keys: names,
            indexPublisher: acceptsKeyless)
        let policy = Policy(keys: anchors, identities: [:], rules: [rule], path: nil, sha256: nil, origin: .flags)
        return TrustPolicy(policy: policy, verifiers: [1: try provenanceVerifier()], date: policyDate ?? Date())
    }
}
