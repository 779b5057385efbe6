import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `Expect: 100-continue` at once.
///
/// boto3 sends `Expect: 100-continue` on every S3 PutObject, even for 1 KiB bodies, and then waits about a
/// second for the interim response before sending the body anyway. Hummingbird does not send the interim
/// response by itself, so this handler (added through the HTTP/1 channel's additional handlers, after the
/// HTTP codec) writes `100 Continue` as soon as such a request head arrives and forwards everything
/// unchanged.
package final class ContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    /// Request parts from the HTTP codec.
    package typealias InboundIn = HTTPRequestPart
    /// Request parts forwarded to Hummingbird.
    package typealias InboundOut = HTTPRequestPart
    /// Response parts from Hummingbird.
    package typealias OutboundIn = HTTPResponsePart
    /// Response parts to the HTTP codec.
    package typealias OutboundOut = HTTPResponsePart

    /// Creates the handler.
    package init() {}

    /// Sends `100 Continue` for heads that ask for it, then forwards the part.
    /// - Parameters:
    ///   - context: The channel handler context.
    ///   - data: The inbound request part.
    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data),
            let expect = head.headerFields[.expect],
            expect.lowercased() == "100-continue"
        {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponse(status: .continue))), promise: nil)
        }
        context.fireChannelRead(data)
    }
}
