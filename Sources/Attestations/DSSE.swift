/// Dead Simple Signing Envelope helpers.
///
/// A DSSE signature never covers the payload alone: it covers the pre-authentication encoding
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths as ASCII decimal byte counts.
/// That binds the payload type into the signature, so a statement cannot be replayed as another type.
public enum DSSE {
    /// The payload type PEP 740 attestations sign.
    public static let inTotoPayloadType = "application/vnd.in-toto+json"

    /// The exact bytes a DSSE signature covers for `payloadType` and `payload`.
    public static func pae(payloadType: String, payload: [UInt8]) -> [UInt8] {
        let type = Array(payloadType.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + type.count + 32)
        out += Array("DSSEv1 ".utf8)
        out += Array(String(type.count).utf8)
        out.append(0x20)
        out += type
        out.append(0x20)
        out += Array(String(payload.count).utf8)
        out.append(0x20)
        out += payload
        return out
    }
}
