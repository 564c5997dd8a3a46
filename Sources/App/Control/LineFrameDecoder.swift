import NIOCore

/// Splits a byte stream into lines (without their newline) for newline-delimited JSON. A line
/// longer than `maxLength` is an error (the connection is then closed), so a client that never
/// sends a newline cannot make the buffer grow without bound. A partial line at the end of the
/// stream is dropped.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct LineTooLong: Error, CustomStringConvertible {
        var limit: Int
        var description: String { "a line longer than \(limit) bytes" }
    }

    let maxLength: Int
    /// How far the current buffer has been searched for a newline already.
    private var searched = 0

    init(maxLength: Int) { self.maxLength = maxLength }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        if let newline = view.dropFirst(searched).firstIndex(of: 0x0A) {
            let length = newline - view.startIndex
            searched = 0
            guard length <= maxLength else { throw LineTooLong(limit: maxLength) }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(wrapInboundOut(line))
            return .continue
        }
        searched = view.count
        guard view.count <= maxLength else { throw LineTooLong(limit: maxLength) }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        searched = 0
        return .needMoreData
    }
}
