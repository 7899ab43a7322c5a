/// How often a user receives the digest of their non-urgent notifications, as stored in SQL.
///
/// `never` means no email notifications at all for normal and low priority items (urgent and high
/// ones are still sent immediately).
public enum DigestFrequency: String, Sendable, Hashable, Codable, CaseIterable {
    case never
    case daily
    case weekly
    case monthly
}
