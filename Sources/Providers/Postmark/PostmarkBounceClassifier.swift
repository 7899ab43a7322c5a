public import Mail
/// Maps a Postmark bounce (`Type` and `TypeCode` of the Bounce / SpamComplaint webhook) to
/// Herald's ``BounceType``.
///
/// The table (Postmark's bounce types, https://postmarkapp.com/developer/api/bounce-api#bounce-types):
///
/// | Type | TypeCode | BounceType | why |
/// |---|---|---|---|
/// | HardBounce | 1 | hard | unknown user, mailbox not found |
/// | Transient | 2 | soft | delayed, e.g. network trouble |
/// | Unsubscribe | 16 | hard | the recipient asked to be removed |
/// | Subscribe | 32 | soft | not a failure |
/// | AutoResponder | 64 | soft | out-of-office and similar |
/// | AddressChange | 128 | soft | the old address may still work |
/// | DnsError | 256 | soft | temporary DNS failure |
/// | SpamNotification | 512 | complaint | blocked or classified as spam by the recipient's server |
/// | OpenRelayTest | 1024 | soft | not a failure |
/// | Unknown | 2048 | soft | unclassified: never suppress on a guess |
/// | SoftBounce | 4096 | soft | mailbox full, over quota |
/// | VirusNotification | 8192 | soft | about the content, not the address |
/// | ChallengeVerification | 16384 | soft | challenge-response filter |
/// | BadEmailAddress | 100000 | hard | not a valid address |
/// | SpamComplaint | 100001 | complaint | the recipient marked the email as spam |
/// | ManuallyDeactivated | 100002 | hard | deactivated in Postmark by an operator |
/// | Unconfirmed | 100003 | soft | registration not confirmed |
/// | Blocked | 100006 | soft | ISP block, usually about the sender or content |
/// | SMTPApiError | 100007 | soft | API-side error |
/// | InboundError | 100008 | soft | inbound processing error |
/// | DMARCPolicy | 100009 | soft | rejected by the sender domain's DMARC policy, not the address |
/// | TemplateRenderingFailed | 100010 | soft | Postmark template error |
///
/// Any other name or code (including ones Postmark adds later) is `soft`: an address is only
/// suppressed on a clear signal. Names are matched case-insensitively; when both are given the
/// name wins.
public enum PostmarkBounceClassifier {
    /// One row of the table above.
    public struct Entry: Sendable, Hashable {
        /// Postmark's `Type` name.
        public let type: String
        /// Postmark's `TypeCode`.
        public let typeCode: Int
        /// Herald's classification.
        public let bounceType: BounceType
    }

    /// The documented table, in Postmark's order.
    public static let table: [Entry] = [
        Entry(type: "HardBounce", typeCode: 1, bounceType: .hard),
        Entry(type: "Transient", typeCode: 2, bounceType: .soft),
        Entry(type: "Unsubscribe", typeCode: 16, bounceType: .hard),
        Entry(type: "Subscribe", typeCode: 32, bounceType: .soft),
        Entry(type: "AutoResponder", typeCode: 64, bounceType: .soft),
        Entry(type: "AddressChange", typeCode: 128, bounceType: .soft),
        Entry(type: "DnsError", typeCode: 256, bounceType: .soft),
        Entry(type: "SpamNotification", typeCode: 512, bounceType: .complaint),
        Entry(type: "OpenRelayTest", typeCode: 1024, bounceType: .soft),
        Entry(type: "Unknown", typeCode: 2048, bounceType: .soft),
        Entry(type: "SoftBounce", typeCode: 4096, bounceType: .soft),
        Entry(type: "VirusNotification", typeCode: 8192, bounceType: .soft),
        Entry(type: "ChallengeVerification", typeCode: 16384, bounceType: .soft),
        Entry(type: "BadEmailAddress", typeCode: 100_000, bounceType: .hard),
        Entry(type: "SpamComplaint", typeCode: 100_001, bounceType: .complaint),
        Entry(type: "ManuallyDeactivated", typeCode: 100_002, bounceType: .hard),
        Entry(type: "Unconfirmed", typeCode: 100_003, bounceType: .soft),
        Entry(type: "Blocked", typeCode: 100_006, bounceType: .soft),
        Entry(type: "SMTPApiError", typeCode: 100_007, bounceType: .soft),
        Entry(type: "InboundError", typeCode: 100_008, bounceType: .soft),
        Entry(type: "DMARCPolicy", typeCode: 100_009, bounceType: .soft),
        Entry(type: "TemplateRenderingFailed", typeCode: 100_010, bounceType: .soft),
    ]

    private static let byName: [String: BounceType] = Dictionary(
        uniqueKeysWithValues: Self.table.map { ($0.type.lowercased(), $0.bounceType) }
    )
    private static let byCode: [Int: BounceType] = Dictionary(uniqueKeysWithValues: Self.table.map { ($0.typeCode, $0.bounceType) })

    /// The ``BounceType`` of a Postmark bounce, from its `Type` name and/or `TypeCode`.
    public static func classify(type: String?, typeCode: Int? = nil) -> BounceType {
        if let type, let bounceType = Self.byName[type.trimmingWhitespace().lowercased()] {
            return bounceType
        }
        if let typeCode, let bounceType = Self.byCode[typeCode] {
            return bounceType
        }
        return .soft
    }

    /// `true` when Herald must stop mailing the address: hard bounces and complaints.
    public static func shouldSuppress(_ bounceType: BounceType) -> Bool {
        bounceType.suppressesAddress
    }

    /// `true` when the bounce webhook's fields call for suppression: a hard bounce or complaint,
    /// or Postmark reporting that it deactivated the address (`Inactive: true`), after which every
    /// send to it fails with ErrorCode 406 anyway.
    public static func shouldSuppress(type: String?, typeCode: Int? = nil, inactive: Bool) -> Bool {
        inactive || Self.shouldSuppress(Self.classify(type: type, typeCode: typeCode))
    }
}
