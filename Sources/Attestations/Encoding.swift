import Foundation

/// Hex and base64 helpers shared by the module (internal).
package enum Encoding {
    package static func hex(_ bytes: some Sequence<UInt8>, uppercase: Bool = false) -> String {
        let digits: [UInt8] = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard-alphabet base64 with padding, as PEP 740 and DSSE use; nil for anything else.
    package static func base64(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text) else { return nil }
        return [UInt8](data)
    }

    /// Standard-alphabet, padded base64 that may be wrapped into lines (CR and LF between the
    /// characters are dropped, as protobuf-JSON readers of Sigstore bundles do: `base64` without
    /// `-w0` wraps at 76 columns); any other character outside the alphabet is still refused.
    package static func base64IgnoringLineBreaks(_ text: String) -> [UInt8]? {
        guard text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return base64(text) }
        return base64(String(decoding: text.utf8.filter { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self))
    }

    package static func base64String(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
