import Engine
import NIOCore
import Synchronization

/// One client of the control socket, as the service sees it. Sending never waits: the bytes
/// not yet taken by the client are counted, and a client that lets them pass `maxPending`
/// (it has stopped reading) is dropped rather than buffered for.
final class ControlPeer: Sendable {
    static let maxPending = 2 * 1024 * 1024
    /// Unreadable command lines tolerated before the connection is closed.
    static let maxBadLines = 16

    let channel: any Channel
    private let pending = Atomic<Int>(0)
    private let badLines = Atomic<Int>(0)

    init(channel: any Channel) { self.channel = channel }

    var id: ObjectIdentifier { ObjectIdentifier(channel) }

    func send(_ bytes: [UInt8]) {
        let count = bytes.count
        guard pending.add(count, ordering: .relaxed).newValue <= Self.maxPending else {
            close()
            return
        }
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).whenComplete { _ in
            self.pending.subtract(count, ordering: .relaxed)
        }
    }

    /// Counts an unreadable line; true when the client has sent too many to keep talking to.
    func noteBadLine() -> Bool { badLines.add(1, ordering: .relaxed).newValue > Self.maxBadLines }

    func close() { channel.close(promise: nil) }
}

/// The service's engine events, folded into its state and sent to every connected client. A
/// client that connects first gets the snapshot, then exactly the events after it.
final class ControlFanOut: Sendable {
    let state: ServiceState
    private let peers = Mutex<[ObjectIdentifier: ControlPeer]>([:])

    init(state: ServiceState) { self.state = state }

    func publish(_ event: EngineEvent) {
        // Under the lock: a client added meanwhile sees this event either in its snapshot or
        // on the stream, never both and never neither.
        peers.withLock { peers in
            let seq = state.fold(event)
            guard !peers.isEmpty else { return }
            let line = ControlWire.encode(ControlMessage(seq: seq, event: event))
            for peer in peers.values { peer.send(line) }
        }
    }

    func add(_ peer: ControlPeer) {
        peers.withLock { peers in
            peer.send(ControlWire.encode(ControlMessage(reply: ControlCommand.snapshot, ok: true, snapshot: state.snapshot())))
            peers[peer.id] = peer
        }
    }

    func remove(_ peer: ControlPeer) { _ = peers.withLock { $0.removeValue(forKey: peer.id) } }

    func closeAll() {
        for peer in peers.withLock({ Array($0.values) }) { peer.close() }
    }
}
