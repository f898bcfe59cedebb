import Hummingbird
import NIOCore

/// The request context of the index: Hummingbird's core context plus the event loop of the
/// request's connection.
///
/// Guarantees: `eventLoop` is the loop that runs the connection's channel, the one every write of
/// the response is handed to (`FileStreaming` waits on it so that a download cannot outrun the
/// socket).
struct IndexRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The event loop of the request's connection.
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        eventLoop = source.channel.eventLoop
    }
}
