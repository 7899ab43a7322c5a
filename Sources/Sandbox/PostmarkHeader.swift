/// One email header as Postmark writes it in JSON: `{"Name": …, "Value": …}`.
public struct PostmarkHeader: Sendable, Hashable, Codable {
    /// Header name, e.g. `Message-ID`.
    public var name: String
    /// Header value.
    public var value: String

    /// Creates a header.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case value = "Value"
    }
}
