import NIOCore
import NIOWebSocket
import Synchronization

/// The close code and reason the client sent, as seen by ``CloseFrameObserver``.
package final class CloseObservation: Sendable {
    private let state = Mutex<(code: Int, reason: String)?>(nil)

    /// Creates an empty observation.
    package init() {}

    /// The client's close code and reason, once a close frame arrived.
    package var value: (code: Int, reason: String)? { state.withLock { $0 } }

    /// Records the first close frame's payload.
    /// - Parameter frame: A close frame.
    func record(_ frame: WebSocketFrame) {
        var data = frame.unmaskedData
        let observed: (Int, String)
        if let code = data.readInteger(as: UInt16.self) {
            observed = (Int(code), data.readString(length: data.readableBytes) ?? "")
        } else {
            observed = (1005, WebSocketMessages.clientNoStatus)
        }
        state.withLock { if $0 == nil { $0 = observed } }
    }
}

/// A pass-through handler placed after the WebSocket frame decoder that notes the client's close frame.
///
/// Hummingbird's WebSocket handler consumes close frames without handing their code to the data handler,
/// and API Gateway reports the client's code and reason in `$disconnect` (`disconnectStatusCode`,
/// `disconnectReason`), so the frame is looked at on its way past.
final class CloseFrameObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    private let observation: CloseObservation

    init(_ observation: CloseObservation) {
        self.observation = observation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.opcode == .connectionClose { observation.record(frame) }
        context.fireChannelRead(data)
    }

    /// Inserts an observer right after the frame decoder of an upgraded channel.
    /// - Parameters:
    ///   - channel: The upgraded channel.
    ///   - observation: Where the close frame is recorded.
    static func install(on channel: any Channel, observation: CloseObservation) async {
        try? await channel.eventLoop.submit {
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(CloseFrameObserver(observation), position: .after(decoder))
        }.get()
    }
}
