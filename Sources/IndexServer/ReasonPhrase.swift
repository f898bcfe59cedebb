import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1

/// Puts a response's own reason phrase on its status line, as the public index does for refused
/// uploads (`400 File already exists`; twine shows the reason, and `--skip-existing` reads it).
/// Hummingbird hands responses to NIO through a conversion that keeps only the standard phrase of a
/// known code, so the phrase travels in the `X-Wheeltrust-Reason` header to a handler next to
/// NIO's HTTP/1 encoder, which moves it onto the status line and drops the header.
///
/// Guarantees: only the status line changes; the phrase is printable ASCII (anything else becomes
/// `?`), at most 300 characters, so no header or line can be injected through it.
enum ReasonPhrase {
    static let headerName = "X-Wheeltrust-Reason"
    static let header = HTTPFields.Element.Name(headerName)!

    /// `text` as a safe reason phrase.
    static func sanitize(_ text: String) -> String {
        let scalars = text.unicodeScalars.prefix(300).map { scalar -> Character in
            (0x20...0x7E).contains(scalar.value) ? Character(scalar) : "?"
        }
        return String(scalars)
    }

    /// The handler Hummingbird adds to each connection; it installs `Writer` next to the encoder.
    final class Installer: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny

        func handlerAdded(context: ChannelHandlerContext) {
            let pipeline = context.pipeline.syncOperations
            if let encoder = try? pipeline.handler(type: HTTPResponseEncoder.self) {
                try? pipeline.addHandler(Writer(), position: .after(encoder))
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.fireChannelRead(data)
        }
    }

    /// Moves the header onto the status line of NIO's response head.
    final class Writer: ChannelOutboundHandler, RemovableChannelHandler {
        typealias OutboundIn = HTTPServerResponsePart
        typealias OutboundOut = HTTPServerResponsePart

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            guard case .head(var head) = unwrapOutboundIn(data), let phrase = head.headers[ReasonPhrase.headerName].first else {
                context.write(data, promise: promise)
                return
            }
            head.headers.remove(name: ReasonPhrase.headerName)
            head.status = .custom(code: head.status.code, reasonPhrase: ReasonPhrase.sanitize(phrase))
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        }
    }
}
