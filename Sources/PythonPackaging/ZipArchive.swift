/// A read-only, bounded zip reader written for verifying wheels.
///
/// Opening reads the End of Central Directory record (searched in the last 64 KiB + 22 bytes),
/// the zip64 locator and record when present, and the whole central directory, and rejects:
/// multi-disk archives, out-of-range or overlapping members, duplicate names, names that could
/// escape a directory (`..`, absolute, backslash, NUL: `pathEscape`), and anything over
/// `ZipLimits`. Reading (`read`, `data`) re-checks the local header and streams the member
/// through raw inflate with the CRC-32 and exact declared size enforced.
///
/// Thread-safe: all I/O uses `pread` on a descriptor that is never moved, and the parsed state
/// is immutable, so one archive may be read from several threads at once.
public final class ZipArchive: @unchecked Sendable {
    /// The path the archive was opened from.
    public let path: String
    /// The limits the archive was opened with.
    public let limits: ZipLimits
    /// Central directory entries in the order they appear there.
    public let entries: [ZipEntry]
    /// Size of the archive file in bytes.
    public let fileSize: Int64

    let descriptor: Int32
    private let byName: [String: Int]

    private static let eocdSignature: UInt32 = 0x0605_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    private static let zip64EOCDSignature: UInt32 = 0x0606_4b50
    private static let centralSignature: UInt32 = 0x0201_4b50
    /// Upper bound on the central directory we are willing to load into memory.
    private static let maxCentralDirectorySize: Int64 = 512 << 20

    public init(path: String, limits: ZipLimits = .default) throws(PackagingError) {
        self.path = path
        self.limits = limits
        let fd = try SystemIO.openReadOnly(path)
        do throws(PackagingError) {
            let size = try SystemIO.fileSize(fd, path: path)
            let directory = try Self.locateCentralDirectory(fd: fd, fileSize: size, path: path, limits: limits)
            let parsed = try Self.parseCentralDirectory(fd: fd, directory: directory, path: path, limits: limits)
            self.fileSize = size
            self.entries = parsed
            var byName: [String: Int] = [:]
            for (index, entry) in parsed.enumerated() { byName[entry.name] = index }
            self.byName = byName
            self.descriptor = fd
        } catch {
            SystemIO.close(fd)
            throw error
        }
    }

    deinit {
        SystemIO.close(descriptor)
    }

    /// The entry named exactly `name`, if any.
    public func entry(named name: String) -> ZipEntry? {
        byName[name].map { entries[$0] }
    }

    // MARK: - End of central directory

    struct CentralDirectory {
        var offset: Int64
        var size: Int64
        var count: Int64
        /// Where the structures following the central directory begin (zip64 record or EOCD).
        var end: Int64
    }

    private static func fail(_ path: String, _ text: String) -> PackagingError {
        PackagingError(.zip, "\(path): \(text)")
    }

    static func readBytes(fd: Int32, at offset: Int64, count: Int, path: String) throws(PackagingError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 8)
        defer { buffer.deallocate() }
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
        try SystemIO.preadFully(fd, into: target, at: offset, path: path)
        return Array(target)
    }

    private static func locateCentralDirectory(
        fd: Int32, fileSize: Int64, path: String,
        limits: ZipLimits
    ) throws(PackagingError) -> CentralDirectory {
        guard fileSize >= 22 else { throw fail(path, "too small to be a zip archive (\(fileSize) bytes)") }
        let tailLength = Int(min(fileSize, 65_535 + 22))
        let tailStart = fileSize - Int64(tailLength)
        let tail = try readBytes(fd: fd, at: tailStart, count: tailLength, path: path)
        var found: Int?
        var position = tailLength - 22
        while position >= 0 {
            if tail[position] == 0x50, tail[position + 1] == 0x4b, tail[position + 2] == 0x05, tail[position + 3] == 0x06 {
                let commentLength = Int(tail[position + 20]) | Int(tail[position + 21]) << 8
                if position + 22 + commentLength == tailLength {
                    found = position
                    break
                }
            }
            position -= 1
        }
        guard let eocd = found else { throw fail(path, "no end of central directory record") }
        var reader = LittleEndianReader(tail, at: eocd + 4)
        guard let disk = reader.u16(), let cdDisk = reader.u16(), let diskEntries = reader.u16(),
            let totalEntries = reader.u16(), let cdSize = reader.u32(), let cdOffset = reader.u32()
        else {
            throw fail(path, "truncated end of central directory record")
        }
        let eocdOffset = tailStart + Int64(eocd)
        var directory = CentralDirectory(
            offset: Int64(cdOffset), size: Int64(cdSize), count: Int64(totalEntries),
            end: eocdOffset)
        let needsZip64 =
            disk == 0xFFFF || cdDisk == 0xFFFF || diskEntries == 0xFFFF || totalEntries == 0xFFFF
            || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF
        if eocdOffset >= 20 {
            let locator = try readBytes(fd: fd, at: eocdOffset - 20, count: 20, path: path)
            var loc = LittleEndianReader(locator)
            if loc.u32() == zip64LocatorSignature {
                directory = try readZip64Record(fd: fd, locator: &loc, locatorOffset: eocdOffset - 20, path: path)
            } else if needsZip64 {
                throw fail(path, "end of central directory needs zip64 but has no zip64 locator")
            }
        } else if needsZip64 {
            throw fail(path, "end of central directory needs zip64 but has no zip64 locator")
        }
        if directory.end == eocdOffset {
            guard disk == 0, cdDisk == 0, diskEntries == totalEntries else {
                throw fail(path, "multi-disk archives are not supported")
            }
        }
        guard directory.count <= Int64(limits.maxEntries) else {
            throw PackagingError(
                .limitExceeded,
                "\(path): declares \(directory.count) entries, more than the limit of \(limits.maxEntries)")
        }
        guard directory.offset >= 0, directory.size >= 0, directory.offset <= directory.end,
            directory.size <= directory.end - directory.offset
        else {
            throw fail(path, "central directory (offset \(directory.offset), size \(directory.size)) lies outside the archive")
        }
        guard directory.count * 46 <= directory.size else {
            throw fail(path, "declares \(directory.count) entries but the central directory has only \(directory.size) bytes")
        }
        guard directory.size <= maxCentralDirectorySize else {
            throw PackagingError(.limitExceeded, "\(path): central directory of \(directory.size) bytes is too large")
        }
        return directory
    }

    private static func readZip64Record(
        fd: Int32, locator: inout LittleEndianReader, locatorOffset: Int64,
        path: String
    ) throws(PackagingError) -> CentralDirectory {
        guard let recordDisk = locator.u32(), let recordOffset64 = locator.u64(), let disks = locator.u32() else {
            throw fail(path, "truncated zip64 end of central directory locator")
        }
        guard recordDisk == 0, disks <= 1 else { throw fail(path, "multi-disk archives are not supported") }
        guard recordOffset64 <= UInt64(locatorOffset), locatorOffset - Int64(recordOffset64) >= 56 else {
            throw fail(path, "zip64 end of central directory record offset \(recordOffset64) is out of range")
        }
        let recordOffset = Int64(recordOffset64)
        let record = try readBytes(fd: fd, at: recordOffset, count: 56, path: path)
        var reader = LittleEndianReader(record)
        guard reader.u32() == zip64EOCDSignature else {
            throw fail(path, "bad zip64 end of central directory signature at offset \(recordOffset)")
        }
        guard reader.skip(8 + 2 + 2), let disk = reader.u32(), let cdDisk = reader.u32(),
            let diskEntries = reader.u64(), let totalEntries = reader.u64(),
            let cdSize = reader.u64(), let cdOffset = reader.u64()
        else {
            throw fail(path, "truncated zip64 end of central directory record")
        }
        guard disk == 0, cdDisk == 0, diskEntries == totalEntries else {
            throw fail(path, "multi-disk archives are not supported")
        }
        guard totalEntries <= UInt64(Int64.max / 64), cdSize <= UInt64(Int64.max), cdOffset <= UInt64(Int64.max) else {
            throw fail(path, "zip64 end of central directory values are out of range")
        }
        return CentralDirectory(
            offset: Int64(cdOffset), size: Int64(cdSize), count: Int64(totalEntries),
            end: recordOffset)
    }

    // MARK: - Central directory entries

    private static func parseCentralDirectory(
        fd: Int32, directory: CentralDirectory, path: String,
        limits: ZipLimits
    ) throws(PackagingError) -> [ZipEntry] {
        let bytes = try readBytes(fd: fd, at: directory.offset, count: Int(directory.size), path: path)
        var reader = LittleEndianReader(bytes)
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(directory.count))
        var names = Set<String>()
        var total: Int64 = 0
        for number in 0..<Int(directory.count) {
            let entry = try parseEntry(&reader, number: number, path: path, limits: limits)
            guard entry.localHeaderOffset < directory.offset else {
                throw fail(path, "member \(entry.name) has local header offset \(entry.localHeaderOffset) outside the data area")
            }
            guard names.insert(entry.name).inserted else {
                throw fail(path, "duplicate member name \(entry.name)")
            }
            guard entry.uncompressedSize <= limits.maxMemberSize else {
                throw PackagingError(
                    .limitExceeded,
                    "\(path): member \(entry.name) declares \(entry.uncompressedSize) bytes, over the limit of \(limits.maxMemberSize)")
            }
            total += entry.uncompressedSize
            guard total <= limits.maxTotalUncompressed else {
                throw PackagingError(
                    .limitExceeded,
                    "\(path): members declare more than \(limits.maxTotalUncompressed) uncompressed bytes in total")
            }
            entries.append(entry)
        }
        guard reader.remaining == 0 else {
            throw fail(path, "central directory has \(reader.remaining) bytes after its \(directory.count) declared entries")
        }
        return try assignDataLimits(entries, directoryOffset: directory.offset, path: path)
    }

    /// Orders members by offset and checks that each one's minimum extent (local header, name,
    /// compressed data) ends before the next begins; records that boundary for `read`.
    private static func assignDataLimits(
        _ entries: [ZipEntry], directoryOffset: Int64,
        path: String
    ) throws(PackagingError) -> [ZipEntry] {
        let order = entries.indices.sorted { entries[$0].localHeaderOffset < entries[$1].localHeaderOffset }
        var result = entries
        for (rank, index) in order.enumerated() {
            let entry = entries[index]
            let limit = rank + 1 < order.count ? entries[order[rank + 1]].localHeaderOffset : directoryOffset
            let minimumEnd = entry.localHeaderOffset + 30 + Int64(entry.name.utf8.count) + entry.compressedSize
            guard minimumEnd <= limit else {
                throw fail(path, "member \(entry.name) overlaps the next member or the central directory")
            }
            result[index] = entry.withDataLimit(limit)
        }
        return result
    }

    private static func parseEntry(
        _ reader: inout LittleEndianReader, number: Int, path: String,
        limits: ZipLimits
    ) throws(PackagingError) -> ZipEntry {
        // Built only when an error names it: thousands of entries are parsed on every open.
        var place: String { "central directory entry \(number)" }
        guard reader.u32() == centralSignature else { throw fail(path, "\(place): bad signature") }
        guard reader.skip(4), let flags = reader.u16(), let methodCode = reader.u16(), reader.skip(4),
            let crc = reader.u32(), let compressed32 = reader.u32(), let uncompressed32 = reader.u32(),
            let nameLength = reader.u16(), let extraLength = reader.u16(), let commentLength = reader.u16(),
            let diskStart = reader.u16(), reader.skip(6), let offset32 = reader.u32()
        else {
            throw fail(path, "\(place): truncated")
        }
        guard Int(nameLength) <= limits.maxNameLength else {
            throw PackagingError(.limitExceeded, "\(path): \(place): name of \(nameLength) bytes is too long")
        }
        guard let nameBytes = reader.take(Int(nameLength)), let extra = reader.take(Int(extraLength)),
            reader.skip(Int(commentLength))
        else {
            throw fail(path, "\(place): truncated")
        }
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard name.utf8.elementsEqual(nameBytes) else { throw fail(path, "\(place): name is not valid UTF-8") }
        guard !name.isEmpty else { throw fail(path, "\(place): empty name") }
        if let reason = ZipMemberName.escapeReason(name) {
            throw PackagingError(.pathEscape, "\(path): member name \(name.debugDescription) \(reason)")
        }
        var compressed = UInt64(compressed32), uncompressed = UInt64(uncompressed32), offset = UInt64(offset32)
        var disk = UInt32(diskStart)
        try applyZip64Extra(
            Array(extra), uncompressed: &uncompressed, compressed: &compressed, offset: &offset,
            disk: &disk, place: "\(path): member \(name)")
        guard disk == 0 else { throw fail(path, "member \(name) is on another disk") }
        let maxValue = UInt64(Int64.max / 4)
        guard compressed <= maxValue, uncompressed <= maxValue, offset <= maxValue else {
            throw fail(path, "member \(name) has out-of-range sizes or offset")
        }
        return ZipEntry(
            name: name, compressedSize: Int64(compressed), uncompressedSize: Int64(uncompressed),
            crc32: crc, method: ZipEntry.Method(code: methodCode), localHeaderOffset: Int64(offset),
            isEncrypted: flags & 1 != 0, dataLimit: 0)
    }

    /// Replaces the 0xFFFFFFFF placeholders with the values from the zip64 extended
    /// information extra field (id 0x0001), in the order the specification fixes.
    private static func applyZip64Extra(
        _ extra: [UInt8], uncompressed: inout UInt64, compressed: inout UInt64,
        offset: inout UInt64, disk: inout UInt32,
        place: @autoclosure () -> String
    ) throws(PackagingError) {
        let needs =
            uncompressed == 0xFFFF_FFFF || compressed == 0xFFFF_FFFF || offset == 0xFFFF_FFFF
            || disk == 0xFFFF
        var reader = LittleEndianReader(extra)
        var sawZip64 = false
        while reader.remaining >= 4 {
            guard let id = reader.u16(), let length = reader.u16(), let body = reader.take(Int(length)) else {
                throw PackagingError(.zip, "\(place()): malformed extra field")
            }
            guard id == 0x0001 else { continue }
            guard !sawZip64 else { throw PackagingError(.zip, "\(place()): two zip64 extra fields") }
            sawZip64 = true
            var field = LittleEndianReader(Array(body))
            if uncompressed == 0xFFFF_FFFF {
                guard let value = field.u64() else { throw PackagingError(.zip, "\(place()): short zip64 extra field") }
                uncompressed = value
            }
            if compressed == 0xFFFF_FFFF {
                guard let value = field.u64() else { throw PackagingError(.zip, "\(place()): short zip64 extra field") }
                compressed = value
            }
            if offset == 0xFFFF_FFFF {
                guard let value = field.u64() else { throw PackagingError(.zip, "\(place()): short zip64 extra field") }
                offset = value
            }
            if disk == 0xFFFF {
                guard let value = field.u32() else { throw PackagingError(.zip, "\(place()): short zip64 extra field") }
                disk = value
            }
        }
        if needs && !sawZip64 {
            throw PackagingError(.zip, "\(place()): sizes need zip64 but no zip64 extra field is present")
        }
    }
}
