/// One email header as Postmark writes it in JSON: `{"Name": …, "Value": …}`, in the `Headers` of a
/// send request (``PostmarkEmailRequest/headers``) and of an inbound message.
public struct PostmarkHeader: Sendable, Hashable, Codable {
    /// `Name`, e.g. `Message-ID`.
    public var name: String
    /// `Value`.
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
