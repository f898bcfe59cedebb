/// Which addresses `serve` may listen on without being told it is public.
///
/// Guarantees: `isLoopback` is true only for `localhost`, `::1` (bare or bracketed) and dotted
/// quads `127.a.b.c` whose four parts are each ASCII digits of a value 0–255 (`127.0.0.1`,
/// `127.1.2.3`); never for a name that merely starts with `127.` (`127.0.0.1.example`), a part
/// with a sign (`127.+0.0.1`, which no address parser reads as a number, so it would be looked up
/// as a name), the unspecified addresses (`0.0.0.0`, `::`) or any other address. Case does not
/// matter.
public enum ListenAddress {
    public static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "::1" || lowered == "[::1]" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { part in
                !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isNumber } && UInt8(part) != nil
            }
    }
}
