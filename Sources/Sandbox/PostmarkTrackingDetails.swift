public import Foundation

/// The members Postmark's Open and Click webhooks both carry: which message and recipient, when,
/// and the reader's user agent, platform and place. ``PostmarkOpenEvent`` and ``PostmarkClickEvent``
/// write them in one JSON object with their own members.
public struct PostmarkTrackingDetails: Sendable, Hashable, Encodable {
    /// `MessageStream`.
    public var messageStream: String
    /// `Metadata` of the sent message.
    public var metadata: [String: String]
    /// `Recipient`.
    public var recipient: String
    /// `MessageID` of the sent message.
    public var messageID: String
    /// `ReceivedAt`: when the open or click happened.
    public var receivedAt: Date
    /// `Platform`: `Desktop`, `Mobile`, `WebMail` or `Unknown`.
    public var platform: String
    /// `Tag` of the sent message.
    public var tag: String
    /// `UserAgent`.
    public var userAgent: String
    /// `OS`.
    public var os: PostmarkUserAgentInfo
    /// `Client`.
    public var client: PostmarkUserAgentInfo
    /// `Geo` (its `IP` is the address the open or click came from).
    public var geo: PostmarkGeo

    /// A desktop Chrome user agent.
    public static let sampleUserAgent =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

    enum CodingKeys: String, CodingKey {
        case messageStream = "MessageStream", metadata = "Metadata", recipient = "Recipient", messageID = "MessageID"
        case receivedAt = "ReceivedAt", platform = "Platform", tag = "Tag", userAgent = "UserAgent", os = "OS"
        case client = "Client", geo = "Geo"
    }
}

/// The `Client` and `OS` objects of Postmark's Open and Click webhooks.
public struct PostmarkUserAgentInfo: Sendable, Hashable, Codable {
    /// `Name`, e.g. `"Chrome 120.0"`.
    public var name: String
    /// `Family`, e.g. `"Chrome"`.
    public var family: String
    /// `Company`, e.g. `"Google"`.
    public var company: String

    /// A desktop Chrome client.
    public static let chrome = PostmarkUserAgentInfo(name: "Chrome 120.0", family: "Chrome", company: "Google")
    /// macOS.
    public static let macOS = PostmarkUserAgentInfo(name: "OS X 10.15 Catalina", family: "OS X 10", company: "Apple Computer, Inc.")

    enum CodingKeys: String, CodingKey {
        case name = "Name", family = "Family", company = "Company"
    }
}

/// The `Geo` object of Postmark's Open and Click webhooks.
public struct PostmarkGeo: Sendable, Hashable, Codable {
    /// `IP`: the address the open or click came from.
    public var ip: String
    /// `City`.
    public var city: String
    /// `Country`.
    public var country: String
    /// `CountryISOCode`.
    public var countryISOCode: String
    /// `Region`.
    public var region: String
    /// `RegionISOCode`.
    public var regionISOCode: String
    /// `Zip`.
    public var zip: String
    /// `Coords`: `"latitude,longitude"`.
    public var coords: String

    /// Creates the object; unspecified fields are empty.
    public init(
        ip: String, city: String = "", country: String = "", countryISOCode: String = "", region: String = "",
        regionISOCode: String = "", zip: String = "", coords: String = ""
    ) {
        self.ip = ip
        self.city = city
        self.country = country
        self.countryISOCode = countryISOCode
        self.region = region
        self.regionISOCode = regionISOCode
        self.zip = zip
        self.coords = coords
    }

    /// A documentation-range address (192.0.2.0/24) in Amsterdam.
    public static let sample = PostmarkGeo(
        ip: "192.0.2.10", city: "Amsterdam", country: "Netherlands", countryISOCode: "NL", region: "North Holland",
        regionISOCode: "NH", zip: "1012", coords: "52.3740,4.8897")

    enum CodingKeys: String, CodingKey {
        case ip = "IP", city = "City", country = "Country", countryISOCode = "CountryISOCode", region = "Region"
        case regionISOCode = "RegionISOCode", zip = "Zip", coords = "Coords"
    }
}
