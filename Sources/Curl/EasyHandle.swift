import CCurl

/// Owns one libcurl easy handle (`CURL *`) and its error buffer, and frees both.
///
/// Used by one thread at a time: the thread preparing a request, then the client's driver thread
/// while the transfer runs, then the free list.
final class EasyHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER` storage; libcurl writes the specific failure message here.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws(CurlError) {
        try CurlGlobal.ensureInitialized()
        guard let raw = curl_easy_init() else {
            throw CurlError(code: .other, message: "curl_easy_init failed (out of memory)")
        }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    /// Clears every option (connections stay in the multi handle's cache), so the handle can be reused.
    func reset() {
        curl_easy_reset(raw)
        errorBuffer[0] = 0
    }

    /// The error buffer's text; empty when libcurl wrote nothing.
    var errorMessage: String {
        errorBuffer[Int(CURL_ERROR_SIZE) - 1] = 0
        return String(cString: errorBuffer)
    }

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try CurlError.check(ccurl_easy_setopt_long(raw, option, value), "curl_easy_setopt")
    }

    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try CurlError.check(ccurl_easy_setopt_string(raw, option, value), "curl_easy_setopt")
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(CurlError) {
        try CurlError.check(ccurl_easy_setopt_pointer(raw, option, value), "curl_easy_setopt")
    }

    func set(_ option: CURLoption, offset value: Int64) throws(CurlError) {
        try CurlError.check(ccurl_easy_setopt_off_t(raw, option, curl_off_t(value)), "curl_easy_setopt")
    }

    func set(_ option: CURLoption, callback: curl_write_callback) throws(CurlError) {
        try CurlError.check(ccurl_easy_setopt_write_function(raw, option, callback), "curl_easy_setopt")
    }

    func info(_ info: CURLINFO) -> Int {
        var value = 0
        return ccurl_easy_getinfo_long(raw, info, &value) == CURLE_OK ? value : 0
    }
}
