import Foundation
import Testing

@testable import Attestations
@testable import Sigstore

/// `SigstoreBundle.decode` on the edges the conformance suite exposed: protobuf-JSON `bytes`
/// wrapped into lines (read, as protobuf-JSON readers do) and certificate chains that carry a
/// trust anchor (refused).
@Suite("Sigstore bundle decoding")
struct BundleDecodingTests {
    static func json(_ name: String) throws -> [String: Any] {
        let url = try ConformanceBundleVerifyTests.directory().appendingPathComponent("\(name)/bundle.sigstore.json")
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
        return try #require(object as? [String: Any])
    }

    static func decode(_ json: [String: Any]) throws -> SigstoreBundle {
        try SigstoreBundle.decode(try JSONSerialization.data(withJSONObject: json))
    }

    static func timestamp(_ json: [String: Any]) throws -> String {
        let material = try #require(json["verificationMaterial"] as? [String: Any])
        let data = try #require(material["timestampVerificationData"] as? [String: Any])
        let stamps = try #require(data["rfc3161Timestamps"] as? [[String: Any]])
        return try #require(stamps.first?["signedTimestamp"] as? String)
    }

    static func replacingTimestamp(_ json: [String: Any], _ text: String) throws -> [String: Any] {
        var json = json
        var material = try #require(json["verificationMaterial"] as? [String: Any])
        material["timestampVerificationData"] = ["rfc3161Timestamps": [["signedTimestamp": text]]]
        json["verificationMaterial"] = material
        return json
    }

    /// The case's token is `base64` output wrapped at 76 columns: read as the same bytes as
    /// the unwrapped text (CRLF too).
    @Test func lineBreaksInBytesAreIgnored() throws {
        let json = try Self.json("rekor2-timestamp-with-incorrect-time_fail")
        let wrapped = try Self.timestamp(json)
        #expect(wrapped.contains("\n"))
        let flat = wrapped.replacingOccurrences(of: "\n", with: "")
        let expected = try #require(Data(base64Encoded: flat))
        #expect(try Self.decode(json).timestamps == [[UInt8](expected)])
        let crlf = try Self.replacingTimestamp(json, wrapped.replacingOccurrences(of: "\n", with: "\r\n"))
        #expect(try Self.decode(crlf).timestamps == [[UInt8](expected)])
    }

    /// Only line breaks are dropped: a space, a tab or a character outside the alphabet is refused.
    @Test(arguments: [" ", "\t", "*", "-"])
    func otherCharactersInBytesAreRefused(_ character: String) throws {
        let json = try Self.json("rekor2-timestamp-with-incorrect-time_fail")
        let flat = try Self.timestamp(json).replacingOccurrences(of: "\n", with: "")
        let broken = try Self.replacingTimestamp(json, String(flat.prefix(40)) + character + String(flat.dropFirst(40)))
        #expect {
            _ = try Self.decode(broken)
        } throws: { error in
            (error as? AttestationError)?.message.contains("signedTimestamp: not valid base64") == true
        }
    }

    static func chain(_ json: [String: Any]) throws -> [[String: Any]] {
        let material = try #require(json["verificationMaterial"] as? [String: Any])
        let chain = try #require(material["x509CertificateChain"] as? [String: Any])
        return try #require(chain["certificates"] as? [[String: Any]])
    }

    static func replacingChain(_ json: [String: Any], _ certificates: [[String: Any]]) throws -> [String: Any] {
        var json = json
        var material = try #require(json["verificationMaterial"] as? [String: Any])
        material["x509CertificateChain"] = ["certificates": certificates]
        json["verificationMaterial"] = material
        return json
    }

    /// The case's chain is leaf, root, intermediate. Without the root it decodes (the leaf is the
    /// material); the root anywhere in it, or alone as the "leaf", is refused.
    @Test func aChainCarryingARootIsRefusedWhereverItIs() throws {
        let json = try Self.json("bundle-with-root-cert_fail")
        let certificates = try Self.chain(json)
        #expect(certificates.count == 3)
        let (leaf, root, intermediate) = (certificates[0], certificates[1], certificates[2])
        let withoutRoot = try Self.decode(try Self.replacingChain(json, [leaf, intermediate]))
        let leafText = try #require(leaf["rawBytes"] as? String)
        let leafDER = try #require(Data(base64Encoded: leafText))
        #expect(withoutRoot.material == .certificate([UInt8](leafDER)))
        for (layout, index) in [([leaf, intermediate, root], 2), ([root], 0), ([leaf, root], 1)] {
            #expect {
                _ = try Self.decode(try Self.replacingChain(json, layout))
            } throws: { error in
                (error as? AttestationError)?.message.contains("certificates[\(index)]: a self-signed (root) certificate") == true
            }
        }
        // Something that is not a certificate in the chain is refused too.
        #expect {
            _ = try Self.decode(try Self.replacingChain(json, [leaf, ["rawBytes": "AAAA"]]))
        } throws: { error in
            (error as? AttestationError)?.message.contains("certificates[1].rawBytes: not a DER X.509 certificate") == true
        }
    }
}
