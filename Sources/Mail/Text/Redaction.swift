/// Masks credentials in text that is about to be printed or logged.
public enum Redaction {
    /// What replaces a secret.
    public static let mask = "***"

    /// `url` with the password of its user-info part replaced by `***`
    /// (`https://user:***@host/path`); a URL without one comes back unchanged.
    ///
    /// Base URLs from the environment (`POSTMARK_API_URL`, `TWILIO_API_URL`, `HERALD_PUBLIC_URL`)
    /// may carry credentials, and configurations print their URLs.
    public static func url(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        // The last `@` ends the user-info: a password may contain an unencoded `@`.
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":" + mask + String(url[at...])
    }
}
