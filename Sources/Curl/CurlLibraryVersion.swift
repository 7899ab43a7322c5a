import CCurl

/// A libcurl version (`7.68.0`), and the check that the library loaded at run time is new enough.
///
/// Herald needs libcurl 7.68.0 or newer (Ubuntu 20.04, Debian 11): the client's driver thread
/// sleeps in `curl_multi_poll` (7.66.0) and is woken by `curl_multi_wakeup` (7.68.0). The headers a
/// build compiles against may be newer than the library found at run time, so the check looks at
/// the loaded one.
public struct CurlLibraryVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The oldest libcurl Herald supports: 7.68.0.
    public static let minimumSupported = CurlLibraryVersion(major: 7, minor: 68, patch: 0)

    /// libcurl's packed form, `0xXXYYZZ` (`LIBCURL_VERSION_NUM`, `curl_version_info_data.version_num`).
    public let number: UInt32

    /// A version from its packed form `0xXXYYZZ`.
    public init(number: UInt32) {
        self.number = number
    }

    /// A version from its parts (each 0–255).
    public init(major: UInt8, minor: UInt8, patch: UInt8) {
        number = UInt32(major) << 16 | UInt32(minor) << 8 | UInt32(patch)
    }

    /// The version of the libcurl this process loaded.
    public static var loaded: CurlLibraryVersion {
        CurlLibraryVersion(number: ccurl_runtime_version_num())
    }

    /// `7.68.0`.
    public var description: String {
        "\(number >> 16 & 0xFF).\(number >> 8 & 0xFF).\(number & 0xFF)"
    }

    public static func < (lhs: CurlLibraryVersion, rhs: CurlLibraryVersion) -> Bool {
        lhs.number < rhs.number
    }

    /// Throws when `version` is older than `minimum`, with a message that names both and what to do.
    public static func check(_ version: CurlLibraryVersion, minimum: CurlLibraryVersion = .minimumSupported) throws(CurlError) {
        guard version < minimum else { return }
        throw CurlError(
            code: .other,
            message: "libcurl \(version) is too old: Herald needs libcurl \(minimum) or newer "
                + "(Ubuntu 20.04, Debian 11 or later; install libcurl4 from a newer release)")
    }

    /// Throws unless the libcurl loaded at run time is at least ``minimumSupported``.
    public static func checkLoaded() throws(CurlError) {
        try check(loaded)
    }
}
