import CCurl

extension CurlError {
    /// The one place a `CURLcode` becomes a `CurlError`.
    ///
    /// - Parameter errorBuffer: the contents of the transfer's `CURLOPT_ERRORBUFFER`; preferred over the
    ///   generic `curl_easy_strerror` text because it names the host, port and cause.
    init(curlCode: CURLcode, errorBuffer: String? = nil) {
        let raw = Int32(bitPattern: curlCode.rawValue)
        let detail: String
        if let errorBuffer, !errorBuffer.isEmpty {
            detail = errorBuffer.hasSuffix("\n") ? String(errorBuffer.dropLast()) : errorBuffer
        } else {
            detail = String(cString: curl_easy_strerror(curlCode))
        }
        self.init(code: Self.classify(curlCode), curlCode: raw, message: detail)
    }

    /// Checks the result of a libcurl call that is not a transfer (setopt, multi_add_handle …).
    static func check(_ result: CURLcode, _ what: StaticString) throws(CurlError) {
        guard result != CURLE_OK else { return }
        let base = CurlError(curlCode: result)
        throw CurlError(code: base.code, curlCode: base.curlCode, message: "\(what): \(base.message)")
    }

    private static func classify(_ code: CURLcode) -> Code {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_COULDNT_CONNECT:
            return .couldntConnect
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .couldntResolveHost
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, ccurl_code_ssl_clientcert(), CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_SEND_ERROR, CURLE_SEND_FAIL_REWIND:
            return .send
        case CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM,
            ccurl_code_http3():
            return .receive
        default:
            return .other
        }
    }
}

extension CurlError {
    /// A failed multi-handle call (`CURLMcode`); these are programming or resource errors, never transient.
    init(multiCode: CURLMcode, _ what: StaticString) {
        let text = String(cString: curl_multi_strerror(multiCode))
        self.init(code: .other, message: "\(what): \(text)")
    }
}
