/// Streaming extraction of one member (stored or raw-deflated) with every declared property
/// enforced: local header signature, name and method agree with the central directory; data
/// stays inside the member's byte range; the output is exactly `uncompressedSize` bytes (a
/// stream that would produce more is stopped at the first extra byte); the CRC-32 matches;
/// a truncated or corrupt deflate stream fails instead of hanging.
extension ZipArchive {
    /// Size of the reused output buffer handed to `chunk`.
    static let outputChunkSize = 256 << 10
    /// Size of the compressed input chunks read with `pread`.
    static let inputChunkSize = 64 << 10

    /// Streams the uncompressed bytes of `entry` to `chunk` in pieces. The buffer passed to
    /// `chunk` is reused: copy what you need before returning. An error thrown by `chunk` stops
    /// the read and is rethrown (wrapped as `.io` unless it already is a `PackagingError`).
    public func read(_ entry: ZipEntry, chunk: (UnsafeRawBufferPointer) throws -> Void) throws(PackagingError) {
        let place = "\(path): member \(entry.name)"
        guard !entry.isEncrypted else { throw PackagingError(.zip, "\(place) is encrypted") }
        let dataStart = try checkLocalHeader(entry, place: place)
        guard dataStart <= entry.dataLimit, entry.compressedSize <= entry.dataLimit - dataStart else {
            throw PackagingError(.zip, "\(place): data overlaps the next member or the central directory")
        }
        guard entry.uncompressedSize <= limits.maxMemberSize else {
            throw PackagingError(.limitExceeded, "\(place): \(entry.uncompressedSize) bytes is over the member size limit")
        }
        let deliver: (UnsafeRawBufferPointer) throws(PackagingError) -> Void = { buffer throws(PackagingError) in
            do {
                try chunk(buffer)
            } catch let error as PackagingError {
                throw error
            } catch {
                throw PackagingError(.io, "\(place): reading stopped: \(error)")
            }
        }
        let crc: UInt32
        switch entry.method {
        case .stored:
            crc = try readStored(entry, from: dataStart, place: place, deliver: deliver)
        case .deflate:
            crc = try readDeflated(entry, from: dataStart, place: place, deliver: deliver)
        case .unsupported(let code):
            throw PackagingError(.zip, "\(place): unsupported compression method \(code)")
        }
        guard crc == entry.crc32 else {
            throw PackagingError(.zip, "\(place): CRC-32 mismatch (declared \(hex8(entry.crc32)), computed \(hex8(crc)))")
        }
    }

    /// The whole uncompressed member as bytes; refuses members larger than `maxSize` (default:
    /// the archive's `maxMemberSize`).
    public func data(of entry: ZipEntry, maxSize: Int64? = nil) throws(PackagingError) -> [UInt8] {
        let cap = min(maxSize ?? limits.maxMemberSize, limits.maxMemberSize)
        guard entry.uncompressedSize <= cap else {
            throw PackagingError(
                .limitExceeded,
                "\(path): member \(entry.name) has \(entry.uncompressedSize) bytes, over the limit of \(cap)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(min(entry.uncompressedSize, 16 << 20)))
        try read(entry) { buffer in bytes.append(contentsOf: buffer) }
        return bytes
    }

    /// Checks the local file header and returns the offset of the member's data.
    private func checkLocalHeader(_ entry: ZipEntry, place: String) throws(PackagingError) -> Int64 {
        let nameLength = entry.name.utf8.count
        guard entry.localHeaderOffset + 30 + Int64(nameLength) <= entry.dataLimit else {
            throw PackagingError(.zip, "\(place): local header lies outside the member's range")
        }
        let header = try Self.readBytes(fd: descriptor, at: entry.localHeaderOffset, count: 30 + nameLength, path: path)
        var reader = LittleEndianReader(header)
        guard reader.u32() == 0x0403_4b50 else {
            throw PackagingError(.zip, "\(place): bad local header signature at offset \(entry.localHeaderOffset)")
        }
        guard reader.skip(2), let flags = reader.u16(), let method = reader.u16(), reader.skip(16),
            let localNameLength = reader.u16(), let extraLength = reader.u16(),
            let localName = reader.take(nameLength)
        else {
            throw PackagingError(.zip, "\(place): truncated local header")
        }
        guard flags & 1 == 0 else { throw PackagingError(.zip, "\(place) is encrypted") }
        guard ZipEntry.Method(code: method) == entry.method else {
            throw PackagingError(.zip, "\(place): local header method \(method) differs from the central directory")
        }
        guard Int(localNameLength) == nameLength, localName.elementsEqual(entry.name.utf8) else {
            throw PackagingError(.zip, "\(place): local header name differs from the central directory")
        }
        return entry.localHeaderOffset + 30 + Int64(localNameLength) + Int64(extraLength)
    }

    private func readStored(
        _ entry: ZipEntry, from start: Int64, place: String,
        deliver: (UnsafeRawBufferPointer) throws(PackagingError) -> Void
    ) throws(PackagingError) -> UInt32 {
        guard entry.compressedSize == entry.uncompressedSize else {
            throw PackagingError(
                .zip,
                "\(place): stored member has compressed size \(entry.compressedSize) but uncompressed size \(entry.uncompressedSize)")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.outputChunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var crc = CRC32Accumulator()
        var done: Int64 = 0
        while done < entry.compressedSize {
            let count = Int(min(Int64(buffer.count), entry.compressedSize - done))
            let piece = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
            try SystemIO.preadFully(descriptor, into: piece, at: start + done, path: path)
            crc.update(UnsafeRawBufferPointer(piece))
            try deliver(UnsafeRawBufferPointer(piece))
            done += Int64(count)
        }
        return crc.value
    }

    private func readDeflated(
        _ entry: ZipEntry, from start: Int64, place: String,
        deliver: (UnsafeRawBufferPointer) throws(PackagingError) -> Void
    ) throws(PackagingError) -> UInt32 {
        let inflater = try Inflater()
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.inputChunkSize, alignment: 16)
        defer { input.deallocate() }
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.outputChunkSize, alignment: 16)
        defer { output.deallocate() }
        var crc = CRC32Accumulator()
        var consumed: Int64 = 0
        var produced: Int64 = 0
        while true {
            if inflater.availableInput == 0 && consumed < entry.compressedSize {
                let count = Int(min(Int64(input.count), entry.compressedSize - consumed))
                let piece = UnsafeMutableRawBufferPointer(rebasing: input[0..<count])
                try SystemIO.preadFully(descriptor, into: piece, at: start + consumed, path: path)
                consumed += Int64(count)
                inflater.setInput(piece)
            }
            let (count, status) = inflater.step(into: output)
            if count > 0 {
                produced += Int64(count)
                guard produced <= entry.uncompressedSize else {
                    throw PackagingError(.zip, "\(place): inflates to more than the declared \(entry.uncompressedSize) bytes")
                }
                let piece = UnsafeRawBufferPointer(rebasing: output[0..<count])
                crc.update(piece)
                try deliver(piece)
            }
            switch status {
            case .ok:
                continue
            case .streamEnd:
                guard inflater.availableInput == 0, consumed == entry.compressedSize else {
                    throw PackagingError(.zip, "\(place): data follows the end of the deflate stream")
                }
                guard produced == entry.uncompressedSize else {
                    throw PackagingError(
                        .zip,
                        "\(place): inflates to \(produced) bytes, declared \(entry.uncompressedSize)")
                }
                return crc.value
            case .needsInput:
                if inflater.availableInput == 0 && consumed == entry.compressedSize {
                    throw PackagingError(.zip, "\(place): deflate stream is truncated")
                }
                if count == 0 && inflater.availableInput > 0 {
                    throw PackagingError(.zip, "\(place): deflate stream made no progress")
                }
            case .failed(let reason):
                throw PackagingError(.zip, "\(place): \(reason)")
            }
        }
    }
}

private func hex8(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
