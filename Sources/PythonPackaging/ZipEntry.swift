/// One member of a zip archive as described by its central directory record.
///
/// Guarantees (checked when the archive is opened): `name` is valid UTF-8, relative, free of
/// `..` components, backslashes and NUL; sizes and offsets are zip64-resolved and lie inside
/// the archive without overlapping any other member; sizes are within the archive's limits.
/// The compression method and encryption flag are reported as found; `ZipArchive.read`
/// refuses anything but unencrypted stored or deflated members.
public struct ZipEntry: Sendable, Hashable {
    /// The compression method of a member.
    public enum Method: Sendable, Hashable {
        case stored
        case deflate
        case unsupported(UInt16)

        init(code: UInt16) {
            switch code {
            case 0: self = .stored
            case 8: self = .deflate
            default: self = .unsupported(code)
            }
        }
    }

    /// The member's path inside the archive, `/`-separated; directories end with `/`.
    public let name: String
    public let compressedSize: Int64
    public let uncompressedSize: Int64
    /// The CRC-32 declared in the central directory.
    public let crc32: UInt32
    public let method: Method
    /// Offset of the member's local file header from the start of the archive.
    public let localHeaderOffset: Int64
    /// True when the general-purpose flag says the member is encrypted.
    public let isEncrypted: Bool

    /// End of the byte range this member may occupy (the next member's header or the central
    /// directory); reading checks the data stays below it.
    let dataLimit: Int64

    /// True for directory entries (names ending in `/`).
    public var isDirectory: Bool { name.hasSuffix("/") }

    init(
        name: String, compressedSize: Int64, uncompressedSize: Int64, crc32: UInt32, method: Method,
        localHeaderOffset: Int64, isEncrypted: Bool, dataLimit: Int64
    ) {
        self.name = name
        self.compressedSize = compressedSize
        self.uncompressedSize = uncompressedSize
        self.crc32 = crc32
        self.method = method
        self.localHeaderOffset = localHeaderOffset
        self.isEncrypted = isEncrypted
        self.dataLimit = dataLimit
    }

    func withDataLimit(_ limit: Int64) -> ZipEntry {
        ZipEntry(
            name: name, compressedSize: compressedSize, uncompressedSize: uncompressedSize, crc32: crc32,
            method: method, localHeaderOffset: localHeaderOffset, isEncrypted: isEncrypted, dataLimit: limit)
    }
}

/// Resource caps applied while opening and reading an archive, so hostile input costs bounded
/// time and memory.
public struct ZipLimits: Sendable, Hashable {
    /// Maximum number of central directory entries.
    public var maxEntries: Int
    /// Maximum declared (and actual) uncompressed size of one member, in bytes.
    public var maxMemberSize: Int64
    /// Maximum sum of declared uncompressed sizes over all members, in bytes.
    public var maxTotalUncompressed: Int64
    /// Maximum member name length in bytes.
    public var maxNameLength: Int

    public init(
        maxEntries: Int = 100_000, maxMemberSize: Int64 = 4 << 30,
        maxTotalUncompressed: Int64 = 16 << 30, maxNameLength: Int = 4096
    ) {
        self.maxEntries = maxEntries
        self.maxMemberSize = maxMemberSize
        self.maxTotalUncompressed = maxTotalUncompressed
        self.maxNameLength = maxNameLength
    }

    /// 100 000 entries, 4 GiB per member, 16 GiB in total, 4096-byte names.
    public static let `default` = ZipLimits()
}

/// Validation of member names: the rules that keep an extracted or compared path inside its root.
enum ZipMemberName {
    /// Returns `nil` when `name` is acceptable, else a short reason. One pass over the UTF-8
    /// bytes (a wheel's central directory has thousands of names, each checked on every open).
    static func escapeReason(_ name: String) -> String? {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: "."), colon = UInt8(ascii: ":")
        var name = name
        return name.withUTF8 { bytes -> String? in
            if bytes.contains(0) { return "contains NUL" }
            if bytes.contains(UInt8(ascii: "\\")) { return "contains a backslash" }
            if bytes.first == slash { return "is absolute" }
            var start = 0
            var firstEnd: Int?
            for index in 0...bytes.count where index == bytes.count || bytes[index] == slash {
                if index - start == 2, bytes[start] == dot, bytes[start + 1] == dot { return "has a .. component" }
                if firstEnd == nil { firstEnd = index }
                start = index + 1
            }
            // A first component of one character and a colon, like `C:`.
            if let end = firstEnd, end >= 2, bytes[end - 1] == colon,
                String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<(end - 1)]), as: UTF8.self).count == 1
            {
                return "starts with a drive letter"
            }
            return nil
        }
    }
}
