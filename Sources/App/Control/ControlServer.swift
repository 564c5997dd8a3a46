import Engine
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The service's control endpoint: a Unix domain socket only its owner can use, streaming the
/// engine's events (newline-delimited JSON, see `ControlMessage`) and taking `poll_now`,
/// `reset_404` and `snapshot`. Nothing a client does (garbage, a half line, never reading)
/// reaches the cycle: lines are capped, sends never wait, a stalled client is dropped.
final class ControlServer: Sendable {
    let path: String
    private let channel: any Channel
    private let fanOut: ControlFanOut
    private let pump: Task<Void, Never>
    /// The socket file this server bound: removed on stop only if it is still this one.
    private let inode: UInt

    private init(path: String, channel: any Channel, fanOut: ControlFanOut, pump: Task<Void, Never>, inode: UInt) {
        self.path = path
        self.channel = channel
        self.fanOut = fanOut
        self.pump = pump
        self.inode = inode
    }

    /// Binds `path` (replacing a stale socket file a crashed service left) and serves `events`.
    static func start(
        path: String, events: AsyncStream<EngineEvent>, state: ServiceState, commands: ControlCommands
    ) async throws -> ControlServer {
        let fanOut = ControlFanOut(state: state)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineFrameDecoder(maxLength: ControlWire.maxCommandLine)))
                    try child.pipeline.syncOperations.addHandler(ControlConnectionHandler(fanOut: fanOut, commands: commands))
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false)
            .get()
        var info = stat()
        let inode = stat(path, &info) == 0 ? UInt(info.st_ino) : 0
        let pump = Task { for await event in events { fanOut.publish(event) } }
        return ControlServer(path: path, channel: channel, fanOut: fanOut, pump: pump, inode: inode)
    }

    func stop() async {
        try? await channel.close()
        fanOut.closeAll()
        pump.cancel()
        await pump.value
        var info = stat()
        if stat(path, &info) == 0 && UInt(info.st_ino) == inode { unlink(path) }
    }
}

/// One accepted connection: its lines become commands, answered in order on a task of their own.
private final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let fanOut: ControlFanOut
    let commands: ControlCommands
    private var peer: ControlPeer?
    private var inbox: AsyncStream<[UInt8]>.Continuation?

    init(fanOut: ControlFanOut, commands: ControlCommands) {
        self.fanOut = fanOut
        self.commands = commands
    }

    func channelActive(context: ChannelHandlerContext) {
        let peer = ControlPeer(channel: context.channel)
        self.peer = peer
        fanOut.add(peer)
        // A client that sends faster than it is answered loses the excess commands, not memory.
        let (lines, inbox) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingOldest(16))
        self.inbox = inbox
        let commands = self.commands
        Task {
            for await line in lines {
                let (message, understood) = await commands.answer(line)
                peer.send(ControlWire.encode(message))
                if !understood && peer.noteBadLine() { peer.close() }
            }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        inbox?.yield(Array(line.readableBytesView))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let peer { fanOut.remove(peer) }
        inbox?.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A line over the cap: say why, then hang up.
        if let peer, error is LineFrameDecoder.LineTooLong {
            peer.send(ControlWire.encode(ControlMessage(reply: "error", ok: false, reason: "\(error): closing")))
        }
        context.close(promise: nil)
    }
}
