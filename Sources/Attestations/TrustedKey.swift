import Foundation

/// A public key the user trusts to sign attestations, with a name for reports.
///
/// Guarantees: `allowedRSAPaddings` is exactly the set of RSA paddings a signature by this key is
/// accepted with (ignored for non-RSA keys); an empty set accepts no RSA signature.
public struct TrustedKey: Sendable, Hashable {
    public var name: String
    public var key: PublicKey
    public var allowedRSAPaddings: Set<RSAPadding>

    public init(name: String, key: PublicKey, allowedRSAPaddings: Set<RSAPadding> = [.pkcs1v15, .pss]) {
        self.name = name
        self.key = key
        self.allowedRSAPaddings = allowedRSAPaddings
    }

    /// Red Hat release key 3 (RSA-4096, key id `E60D446E63405576`), from the bundled resource
    /// `Resources/redhat-release3.pub` exactly as Red Hat publishes it.
    public static let redHatRelease3: TrustedKey = {
        let name = "Red Hat release key 3"
        guard let url = Bundle.module.url(forResource: "redhat-release3", withExtension: "pub", subdirectory: "Resources"),
            let text = try? String(contentsOf: url, encoding: .utf8),
            let key = try? PublicKey(pem: text)
        else {
            // The resource ships inside this module; its absence is a broken build, not bad input.
            preconditionFailure("bundled resource Resources/redhat-release3.pub is missing or unreadable")
        }
        return TrustedKey(name: name, key: key)
    }()
}
