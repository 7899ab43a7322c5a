import CCurl

/// Process-wide libcurl initialisation.
enum CurlGlobal {
    /// `curl_global_init` is not thread-safe and must run before the first handle is created; a static
    /// `let` is initialised exactly once, under `swift_once`, on first use.
    static let initResult: CURLcode = curl_global_init(ccurl_global_all())

    /// Why the loaded libcurl cannot be used (too old), or nil; checked once.
    static let versionError: CurlError? = {
        do throws(CurlError) {
            try CurlLibraryVersion.checkLoaded()
            return nil
        } catch {
            return error
        }
    }()

    /// Runs `curl_global_init` on first call; throws if it failed or the library is older than
    /// ``CurlLibraryVersion/minimumSupported``.
    static func ensureInitialized() throws(CurlError) {
        try CurlError.check(initResult, "curl_global_init")
        if let versionError { throw versionError }
    }
}
