import CZlib

/// A raw-deflate (RFC 1951, no zlib/gzip header) decompressor over zlib, fed by the caller in
/// chunks and drained into a caller-provided output buffer.
///
/// Guarantees: the `z_stream` lives at a fixed heap address for its whole life (zlib requires
/// it) and is released in `deinit`; each `step` either consumes input, produces output, or
/// reports why it could not, so callers can bound their loops. Not thread-safe: use one per read.
final class Inflater {
    enum Status: Equatable {
        /// Progress was made; call again.
        case ok
        /// The final deflate block has been decoded.
        case streamEnd
        /// No progress was possible: more input (or output space) is needed.
        case needsInput
        /// The stream is corrupt or zlib failed; the text says how.
        case failed(String)
    }

    private let stream: UnsafeMutablePointer<z_stream>

    init() throws(PackagingError) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let result = inflateInit2_(stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard result == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw PackagingError(.zip, "zlib inflateInit2 failed with code \(result)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Bytes of the last `setInput` buffer not yet consumed.
    var availableInput: Int { Int(stream.pointee.avail_in) }

    /// Points the decompressor at new input; the buffer must stay valid until it is consumed.
    func setInput(_ buffer: UnsafeMutableRawBufferPointer) {
        stream.pointee.next_in = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(buffer.count)
    }

    /// Decodes as much as fits into `output`; returns the number of bytes written and the status.
    func step(into output: UnsafeMutableRawBufferPointer) -> (produced: Int, status: Status) {
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(output.count)
        let result = inflate(stream, Z_NO_FLUSH)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch result {
        case Z_OK: return (produced, .ok)
        case Z_STREAM_END: return (produced, .streamEnd)
        case Z_BUF_ERROR: return (produced, .needsInput)
        case Z_NEED_DICT: return (produced, .failed("deflate stream asks for a preset dictionary"))
        case Z_MEM_ERROR: return (produced, .failed("zlib out of memory"))
        default:
            let text = stream.pointee.msg.map { String(cString: $0) } ?? "code \(result)"
            return (produced, .failed("corrupt deflate stream: \(text)"))
        }
    }
}

/// CRC-32 (the zip/zlib polynomial) accumulated over buffers.
struct CRC32Accumulator {
    private(set) var value: UInt32 = 0

    mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        var pointer = base.assumingMemoryBound(to: Bytef.self)
        var left = buffer.count
        var crc = uLong(value)
        while left > 0 {
            let piece = min(left, Int(UInt32.max >> 1))
            crc = CZlib.crc32(crc, pointer, uInt(piece))
            pointer += piece
            left -= piece
        }
        value = UInt32(truncatingIfNeeded: crc)
    }
}
