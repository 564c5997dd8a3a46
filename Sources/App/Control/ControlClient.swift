import Engine
import NIOCore
import NIOPosix
import TUI

/// A connection to a service's control socket: the snapshot it opens with, then its messages.
final class ControlClient: ServiceLink {
    /// Messages after the snapshot, in order; the stream ends when the service goes away.
    let messages: AsyncStream<ControlMessage>
    let snapshot: ServiceSnapshot
    private let channel: any Channel

    private init(channel: any Channel, snapshot: ServiceSnapshot, messages: AsyncStream<ControlMessage>) {
        self.channel = channel
        self.snapshot = snapshot
        self.messages = messages
    }

    struct NoService: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "no polisen-dash service answers on \(path) (\(reason))" }
    }

    /// Connects and waits (up to `timeout` seconds) for the service's snapshot.
    static func connect(path: String, timeout: Int64 = 10) async throws -> ControlClient {
        let (messages, continuation) = AsyncStream.makeStream(of: ControlMessage.self)
        let group = MultiThreadedEventLoopGroup.singleton
        let first = group.any().makePromise(of: ServiceSnapshot.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // A snapshot or a cycle's stored events make long lines: a generous cap.
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: 256 << 20)))
                        try channel.pipeline.syncOperations.addHandler(ControlClientHandler(first: first, rest: continuation))
                    }
                }
                .connect(unixDomainSocketPath: path)
                .get()
        } catch {
            first.fail(error)
            throw NoService(path: path, reason: "\(error)")
        }
        let deadline = channel.eventLoop.scheduleTask(in: .seconds(timeout)) {
            first.fail(NoService(path: path, reason: "no snapshot within \(timeout) s"))
        }
        do {
            let snapshot = try await first.futureResult.get()
            deadline.cancel()
            return ControlClient(channel: channel, snapshot: snapshot, messages: messages)
        } catch {
            try? await channel.close()
            throw error as? NoService ?? NoService(path: path, reason: "\(error)")
        }
    }

    func send(_ command: String) {
        channel.writeAndFlush(channel.allocator.buffer(bytes: ControlWire.encode(ControlCommand(command))), promise: nil)
    }

    func close() { channel.close(promise: nil) }
}

private final class ControlClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let first: EventLoopPromise<ServiceSnapshot>
    let rest: AsyncStream<ControlMessage>.Continuation
    private var opened = false

    init(first: EventLoopPromise<ServiceSnapshot>, rest: AsyncStream<ControlMessage>.Continuation) {
        self.first = first
        self.rest = rest
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        guard let message = try? ControlWire.decode(ControlMessage.self, line: line.readableBytesView) else { return }
        if !opened, let snapshot = message.snapshot {
            opened = true
            first.succeed(snapshot)
        } else {
            rest.yield(message)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        first.fail(ControlClient.NoService(path: "the control socket", reason: "closed before its snapshot"))
        rest.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
