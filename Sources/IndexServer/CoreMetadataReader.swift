import PythonPackaging

/// Reads a wheel's `METADATA` bytes for PEP 658 `<file>.metadata` responses.
///
/// Guarantees: the bytes are exactly the `<name>-<version>.dist-info/METADATA` member of the wheel,
/// read through the bounded zip reader (a hostile wheel fails with an error, never hangs).
enum CoreMetadataReader {
    static func metadataBytes(ofWheelAt path: String) throws(PackagingError) -> [UInt8] {
        try Wheel.open(path: path).coreMetadataBytes
    }
}
