import Foundation
import HeraldTestSupport
import Mail
import Postgres
import Testing

/// Cutting by the unit the database checks (code points for char_length), never inside a grapheme
/// where avoidable: flags, combining marks and right-to-left text at each limit.
@Suite("ColumnLimit: unicode-safe cuts")
struct ColumnLimitTests {
    static let flag = "🇫🇷"  // 2 code points, 8 bytes, 1 grapheme
    static let combining = "e\u{301}"  // 2 code points, 3 bytes, 1 grapheme
    static let family = "👩‍👩‍👧"  // 5 code points, 1 grapheme
    static let hebrew = "שָׁלוֹם"  // right-to-left with points (combining marks)

    @Test(arguments: [200, 255, 998, 1_000])
    func codePointCutsStayWithinTheLimitAndOnGraphemes(_ limit: Int) {
        for unit in [Self.flag, Self.combining, Self.family, Self.hebrew, "عربي", "a"] {
            for prefix in ["", "x"] {
                let text = prefix + String(repeating: unit, count: limit)  // always over the limit
                let cut = ColumnLimit.prefix(text, codePoints: limit)
                #expect(cut.unicodeScalars.count <= limit)
                #expect(text.hasPrefix(cut), "cut inside a grapheme of \(unit)")  // Character-wise: only at grapheme boundaries
                // As long as possible: one more grapheme would not fit.
                guard cut != text else { continue }
                let next = text.dropFirst(cut.count).first.map { String($0).unicodeScalars.count } ?? 0
                #expect(cut.unicodeScalars.count + next > limit)
            }
        }
    }

    @Test func byteCutsStayWithinTheLimitAndOnGraphemes() {
        let text = String(repeating: Self.flag, count: 10)
        #expect(ColumnLimit.prefix(text, utf8Bytes: 20) == Self.flag + Self.flag)
        #expect(ColumnLimit.prefix("abc", utf8Bytes: 10) == "abc")
        #expect(ColumnLimit.prefix("abc", codePoints: 0) == "")
    }

    @Test func oneGraphemeLongerThanTheLimitIsCutInside() {
        let zalgo = "a" + String(repeating: "\u{301}", count: 300)
        let cut = ColumnLimit.prefix(zalgo, codePoints: 200)
        #expect(cut.unicodeScalars.count == 200)
        #expect(cut.unicodeScalars.first == "a")
    }

    /// Each column an inbound email meets, filled past its limit with each kind of text: the row is
    /// accepted (no CHECK violation), the value cut on a grapheme boundary.
    @Test func everyInboundColumnAcceptsCutValues() async throws {
        try await withTestDatabase("column_limits") { db in
            let pool = db.pool(maximumConnections: 2)
            do {
                let thread = try await DiscussionFixtures.thread(pool, subject: "x")
                for unit in [Self.flag, Self.combining, Self.family, Self.hebrew] {
                    let long = "x" + String(repeating: unit, count: 600)
                    let name = ColumnLimit.prefix(long, codePoints: 200)
                    try await pool.query(
                        "INSERT INTO communication_messages (thread_id, author_email, author_name, body, source) VALUES ($1, 'a@example.com', $2, $3, 'email')",
                        [thread, name, ColumnLimit.prefix(String(repeating: unit, count: 500_001), codePoints: 1_000_000)])
                    let inbound = try await pool.query(
                        "INSERT INTO inbound_emails (from_email, status, auto_signal) VALUES ('a@example.com', 'auto_reply', $1) RETURNING id",
                        [ColumnLimit.prefix(long + long, codePoints: 1_000)])[0].decode(UUID.self, at: 0)
                    try await pool.query(
                        """
                        INSERT INTO inbound_email_attachments (inbound_email_id, position, name, content_type, size, content_id, content)
                        VALUES ($1, 0, $2, $3, 0, $4, ''::bytea)
                        """,
                        [inbound, ColumnLimit.prefix(long, codePoints: 255), ColumnLimit.prefix(long, codePoints: 255), ColumnLimit.prefix(long + long, codePoints: 998)])
                    #expect(long.hasPrefix(name))
                }
                #expect(try await pool.query("SELECT count(*) FROM communication_messages WHERE char_length(author_name) <= 200")[0].decode(Int.self, at: 0) == 4)
                // The uncut values are refused: the limits are the database's.
                await #expect(throws: PostgresError.self) {
                    try await pool.query("INSERT INTO inbound_email_attachments (inbound_email_id, position, name, size, content) SELECT id, 9, $1, 0, ''::bytea FROM inbound_emails LIMIT 1",
                                         [String(repeating: Self.flag, count: 128)])
                }
                await pool.close()
            } catch {
                await pool.close()
                throw error
            }
        }
    }
}
