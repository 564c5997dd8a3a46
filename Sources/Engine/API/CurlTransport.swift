import CCurl
import Dispatch
import Synchronization

/// HTTP over libcurl: compression, timeouts, certificate checks, a body-size cap, phase timings,
/// SigV4 signing. Each request runs its blocking `curl_easy_perform` on a thread of its own, so
/// callers never block an executor; task cancellation aborts the transfer from libcurl's
/// progress callback.
public struct CurlTransport: HTTPTransport {
    public var userAgent: String

    public init(userAgent: String) {
        _ = CurlTransport.globalInit
        self.userAgent = userAgent
    }

    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        // It initialised OpenSSL, libssh2 and the rest once: 2.4 MB of their pages nothing reads again.
        CleanFilePages.release()
    }()

    public static var libcurlVersion: String {
        guard let info = curl_version_info(CURLVERSION_TENTH), let v = info.pointee.version else { return "?" }
        return String(cString: v)
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let ctx = TransferContext(limit: request.maxBodyBytes)
        let userAgent = self.userAgent
        let result: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                DedicatedThread.run {
                    cont.resume(returning: CurlTransport.perform(request, userAgent: userAgent, ctx: ctx))
                }
            }
        } onCancel: {
            ctx.cancelled.store(true, ordering: .relaxed)
        }
        return try result.get()
    }

    final class TransferContext: @unchecked Sendable {
        let limit: Int
        let cancelled = Atomic<Bool>(false)
        /// Only touched by the one worker thread that runs the transfer.
        var body: [UInt8] = []
        var overflowed = false
        var upload: [UInt8] = []
        var uploadOffset = 0
        init(limit: Int) { self.limit = limit }
    }

    private static let writeCallback: pd_curl_write_cb = { ptr, size, nmemb, userdata in
        guard let userdata, let ptr else { return 0 }
        let ctx = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
        let n = size * nmemb
        if ctx.body.count + n > ctx.limit {
            ctx.overflowed = true
            return 0
        }
        ptr.withMemoryRebound(to: UInt8.self, capacity: n) { ctx.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        return n
    }

    private static let readCallback: pd_curl_write_cb = { ptr, size, nmemb, userdata in
        guard let userdata, let ptr else { return 0 }
        let ctx = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
        let n = min(size * nmemb, ctx.upload.count - ctx.uploadOffset)
        if n > 0 {
            ctx.upload.withUnsafeBufferPointer { src in
                ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
                    $0.update(from: src.baseAddress! + ctx.uploadOffset, count: n)
                }
            }
            ctx.uploadOffset += n
        }
        return n
    }

    private static let progressCallback: pd_curl_xferinfo_cb = { clientp, _, _, _, _ in
        guard let clientp else { return 0 }
        let ctx = Unmanaged<TransferContext>.fromOpaque(clientp).takeUnretainedValue()
        return ctx.cancelled.load(ordering: .relaxed) ? 1 : 0
    }

    private static func perform(_ r: HTTPRequest, userAgent: String, ctx: TransferContext) -> Result<HTTPResponse, TransportError> {
        guard let h = curl_easy_init() else { return .failure(.other("curl_easy_init failed")) }
        defer { curl_easy_cleanup(h) }
        let unmanaged = Unmanaged.passRetained(ctx)
        defer { unmanaged.release() }
        let opaque = unmanaged.toOpaque()

        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        pd_setopt_string(h, CURLOPT_URL, r.url)
        pd_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        pd_setopt_string(h, CURLOPT_USERAGENT, userAgent)
        // A redirect is never data: the site's rate limiter has answered with one.
        pd_setopt_long(h, CURLOPT_FOLLOWLOCATION, 0)
        pd_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        pd_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        pd_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(r.connectTimeout * 1000))
        pd_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(r.totalTimeout * 1000))
        if let stall = r.stallTimeout {
            // libcurl counts the low-speed window in whole seconds.
            pd_setopt_long(h, CURLOPT_LOW_SPEED_LIMIT, 1)
            pd_setopt_long(h, CURLOPT_LOW_SPEED_TIME, max(1, Int(stall.rounded(.up))))
        }
        pd_setopt_off(h, CURLOPT_MAXFILESIZE_LARGE, r.maxBodyBytes)
        if r.acceptCompressed { pd_setopt_string(h, CURLOPT_ACCEPT_ENCODING, "") }
        pd_setopt_write_cb(h, CURLOPT_WRITEFUNCTION, writeCallback)
        pd_setopt_pointer(h, CURLOPT_WRITEDATA, opaque)
        pd_setopt_long(h, CURLOPT_NOPROGRESS, 0)
        pd_setopt_xferinfo_cb(h, progressCallback)
        pd_setopt_pointer(h, CURLOPT_XFERINFODATA, opaque)
        errorBuffer.withUnsafeMutableBytes { _ = pd_setopt_pointer(h, CURLOPT_ERRORBUFFER, $0.baseAddress) }

        var headers = r.headers
        if let sig = r.awsSigV4 {
            pd_setopt_string(h, CURLOPT_AWS_SIGV4, "aws:amz:\(sig.region):s3")
            pd_setopt_string(h, CURLOPT_USERPWD, "\(sig.accessKey):\(sig.secretKey)")
            if !headers.contains(where: { $0.0.lowercased() == "x-amz-content-sha256" }) {
                headers.append(("x-amz-content-sha256", SHA256.hex(r.body ?? [])))
            }
            if let token = sig.sessionToken { headers.append(("x-amz-security-token", token)) }
        }
        switch r.method {
        case "GET", "PUT": break  // PUT is what CURLOPT_UPLOAD sends
        case "HEAD": pd_setopt_long(h, CURLOPT_NOBODY, 1)
        default: pd_setopt_string(h, CURLOPT_CUSTOMREQUEST, r.method)
        }
        if r.method != "GET" && r.method != "HEAD", let body = r.body ?? (r.method == "PUT" ? [] : nil) {
            ctx.upload = body
            pd_setopt_long(h, CURLOPT_UPLOAD, 1)
            pd_setopt_off(h, CURLOPT_INFILESIZE_LARGE, body.count)
            pd_setopt_write_cb(h, CURLOPT_READFUNCTION, readCallback)
            pd_setopt_pointer(h, CURLOPT_READDATA, opaque)
            // No blank "Expect:" to suppress 100-continue: libcurl would sign a header it does
            // not send. Large uploads wait at most this long for the 100.
            pd_setopt_long(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 300)
        }
        for (name, value) in headers {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        if headerList != nil { pd_setopt_slist(h, CURLOPT_HTTPHEADER, headerList) }

        let code = curl_easy_perform(h)
        if code != CURLE_OK {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            if ctx.cancelled.load(ordering: .relaxed) { return .failure(.cancelled) }
            if ctx.overflowed || code == CURLE_FILESIZE_EXCEEDED { return .failure(.tooLarge(limit: r.maxBodyBytes)) }
            switch code {
            case CURLE_OPERATION_TIMEDOUT: return .failure(.timeout(message))
            case CURLE_BAD_CONTENT_ENCODING: return .failure(.badEncoding(message))
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_RECV_ERROR,
                CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2,
                CURLE_HTTP2_STREAM:
                return .failure(.connection(message))
            default: return .failure(.other(message))
            }
        }

        var status = 0
        pd_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        var wire: curl_off_t = 0
        pd_getinfo_off(h, CURLINFO_SIZE_DOWNLOAD_T, &wire)
        func micros(_ info: CURLINFO) -> Double {
            var v: curl_off_t = 0
            pd_getinfo_off(h, info, &v)
            return Double(v) / 1000
        }
        let dns = micros(CURLINFO_NAMELOOKUP_TIME_T)
        let connect = micros(CURLINFO_CONNECT_TIME_T)
        let tlsDone = micros(CURLINFO_APPCONNECT_TIME_T)
        let pre = micros(CURLINFO_PRETRANSFER_TIME_T)
        let first = micros(CURLINFO_STARTTRANSFER_TIME_T)
        let total = micros(CURLINFO_TOTAL_TIME_T)
        var t = HTTPTimings()
        t.dnsMs = dns
        t.connectMs = max(0, connect - dns)
        t.tlsMs = tlsDone > 0 ? max(0, tlsDone - connect) : 0
        t.ttfbMs = max(0, first - max(pre, tlsDone, connect))
        t.totalMs = total

        var responseHeaders: [String: String] = [:]
        for name in ["retry-after", "content-type", "location", "etag", "content-encoding", "last-modified"] {
            if let v = pd_header(h, name) { responseHeaders[name] = String(cString: v) }
        }
        return .success(
            HTTPResponse(
                status: status, headers: responseHeaders, body: ctx.body,
                bytesWire: Int(wire), timings: t))
    }
}
