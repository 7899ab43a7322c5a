import Curl
import Foundation
import Mail
import Notifications
import Postgres
import Providers
@testable import Server
import Testing

private let opsCredentials = BasicAuth(username: "ops", password: "ops-secret-123")
private let viewerCredentials = BasicAuth(username: "viewer", password: "viewer-secret-456")

private func consoleConfiguration(trustedProxies: TrustedProxies = .none) -> ServerConfiguration {
    var configuration = testServerConfiguration(trustedProxies: trustedProxies, admin: opsCredentials)
    configuration.adminReadOnly = viewerCredentials
    return configuration
}

/// A browser-like session against the console: keeps the cookie, reads CSRF tokens from pages.
private struct ConsoleClient {
    let base: String
    let client: CurlClient
    var cookie: String?

    func request(_ method: HTTPMethod, _ path: String, form: [(String, String)]? = nil, headers: [HTTPHeader] = []) async throws -> Curl.HTTPResponse {
        var all = headers
        if let cookie { all.append(HTTPHeader("Cookie", cookie)) }
        var body: [UInt8] = []
        if let form {
            all.append(HTTPHeader("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(FormURLEncoding.encode(form.map { (name: $0.0, value: $0.1) }).utf8)
        }
        return try await client.execute(HTTPRequest(method: method, url: base + path, headers: all, body: body))
    }

    mutating func keepCookie(_ response: Curl.HTTPResponse) {
        if let set = response.header("Set-Cookie"), let pair = set.split(separator: ";").first { cookie = String(pair) }
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="[^"]*""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    /// Logs in; returns the login answer.
    @discardableResult
    mutating func logIn(_ credentials: BasicAuth) async throws -> Curl.HTTPResponse {
        let page = try await request(.GET, "/admin/login")
        keepCookie(page)
        let token = try #require(Self.csrf(in: page.bodyString))
        let answer = try await request(.POST, "/admin/login", form: [("csrf", token), ("user", credentials.username), ("password", credentials.password)])
        keepCookie(answer)
        return answer
    }

    /// The CSRF token of the current session (from a page that has a form).
    func token() async throws -> String {
        try #require(Self.csrf(in: try await request(.GET, "/admin").bodyString))
    }
}

private func insertFailedJob(_ pool: PostgresPool, kind: String = "email.send", error: String = "boom", finishedAgo: String = "1 minute") async throws -> Int64 {
    try await pool.query("""
        INSERT INTO herald_jobs (kind, state, attempt, max_attempts, errors, finished_at)
        VALUES ($1, 'failed', 3, 3, jsonb_build_array(jsonb_build_object('attempt', 3, 'at', now()::text, 'error', $2::text, 'worker', 'w1')),
                now() - $3::interval) RETURNING id
        """, [kind, error, finishedAgo])[0].decode(Int64.self, at: 0)
}

private func state(_ pool: PostgresPool, _ id: Int64) async throws -> String {
    try await pool.query("SELECT state FROM herald_jobs WHERE id = $1", [id])[0].decode(String.self, at: 0)
}

@Suite("Console sessions and CSRF tokens (pure)")
struct ConsoleSessionTests {
    let codec = ConsoleSessionCodec(signingKey: testKey, admin: opsCredentials, readOnly: viewerCredentials)

    @Test func aSessionRoundTripsAndItsCSRFTokenVerifies() throws {
        let session = ConsoleSession(role: .operator, expires: 2_000_000_000)
        let cookie = codec.encode(session)
        #expect(codec.decode(cookie, now: 1_900_000_000) == session)
        #expect(codec.verifyCSRF(codec.csrfToken(for: session), for: session))
        #expect(!codec.verifyCSRF(codec.csrfToken(for: ConsoleSession(role: .operator, expires: 2_000_000_000)), for: session))
        #expect(!codec.verifyCSRF(nil, for: session))
        #expect(!codec.verifyCSRF("", for: session))
    }

    @Test func forgedExpiredOrReassignedCookiesAreRefused() throws {
        let session = ConsoleSession(role: .viewer, expires: 2_000_000_000)
        let cookie = codec.encode(session)
        #expect(codec.decode(cookie, now: 2_000_000_000) == nil)  // expired
        #expect(codec.decode(cookie.replacingOccurrences(of: "v1.viewer.", with: "v1.operator."), now: 0) == nil)  // role raised
        #expect(codec.decode(cookie.replacingOccurrences(of: ".2000000000.", with: ".2100000000."), now: 0) == nil)  // lifetime extended
        #expect(codec.decode("v1.operator.2000000000.00000000000000000000000000000000.AAAA", now: 0) == nil)
        #expect(codec.decode("garbage", now: 0) == nil)
        let otherKey = try TokenSigningKey(secret: Array("another-secret-another-secret-12345".utf8))
        #expect(ConsoleSessionCodec(signingKey: otherKey, admin: opsCredentials, readOnly: viewerCredentials).decode(cookie, now: 0) == nil)
        // A changed password ends the sessions it opened.
        let rotated = ConsoleSessionCodec(signingKey: testKey, admin: opsCredentials, readOnly: .init(username: "viewer", password: "new-password"))
        #expect(rotated.decode(cookie, now: 0) == nil)
        #expect(rotated.decode(codec.encode(ConsoleSession(role: .operator, expires: 2_000_000_000)), now: 0) != nil)
    }

    @Test func credentialsMapToRoles() {
        #expect(ConsoleSessionCodec.role(user: "ops", password: "ops-secret-123", admin: opsCredentials, readOnly: viewerCredentials) == .operator)
        #expect(ConsoleSessionCodec.role(user: "viewer", password: "viewer-secret-456", admin: opsCredentials, readOnly: viewerCredentials) == .viewer)
        #expect(ConsoleSessionCodec.role(user: "viewer", password: "ops-secret-123", admin: opsCredentials, readOnly: viewerCredentials) == nil)
        #expect(ConsoleSessionCodec.role(user: "ops", password: "", admin: opsCredentials, readOnly: nil) == nil)
    }

    @Test func operatorTimesParseInUTCOrRelative() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try ConsoleTime.parse("2h", field: "since", now: now) == now.addingTimeInterval(-7200))
        #expect(try ConsoleTime.parse("2026-12-01 08:00", field: "since") == Date(timeIntervalSince1970: 1_796_112_000))
        #expect(try ConsoleTime.parse("2026-12-01T08:00:00Z", field: "since") == Date(timeIntervalSince1970: 1_796_112_000))
        let formatted = ConsoleTime.format(Date(timeIntervalSince1970: 1_796_112_000.123))
        #expect(try ConsoleTime.parse(formatted, field: "until").timeIntervalSince1970 == 1_796_112_000.123)
        #expect(throws: Refusal.self) { try ConsoleTime.parse("yesterday; DROP TABLE herald_jobs", field: "since") }
    }

    @Test func theChartCacheReadsOnlyTheLastMinutesAfterTheFirstRefresh() {
        let cache = ConsoleChartCache()
        let now: Int64 = 1_800_000_000 / 60 * 60
        let first = cache.readFrom(windowStart: now - 60 * 60)
        #expect(first == now - 60 * 60)
        var rows: [Int64: (completed: Int, failed: Int)] = [:]
        for index in 0...60 { rows[first + Int64(index) * 60] = (index, index % 2) }
        let merged = cache.merge(rows: rows, from: first, currentMinute: now)
        #expect(merged[now]?.completed == 60 && merged[now - 59 * 60]?.completed == 1)
        #expect(merged[now - 60 * 60] == nil)  // outside the window
        // A minute later: only the last two minutes (and the new one) are read again.
        let next = cache.readFrom(windowStart: now + 60 - 60 * 60)
        #expect(next == now - 60)
        let later = cache.merge(rows: [now - 60: (100, 0), now + 60: (7, 3)], from: next, currentMinute: now + 60)
        #expect(later[now - 60]?.completed == 100)  // recounted: it was not settled yet
        #expect(later[now - 120]?.completed == 58)  // from the cache
        #expect(later[now]?.completed == nil || later[now]?.completed == 0)  // read again, nothing finished
        #expect(later[now + 60]?.failed == 3)
        #expect(later[now - 59 * 60] == nil)
    }

    @Test func theChartDrawsOneBarPerNonEmptyMinute() {
        let minutes = (0..<60).map { ConsoleChart.Minute(label: String(format: "12:%02d", $0), completed: $0 == 10 ? 5 : 0, failed: $0 == 20 ? 2 : 0) }
        let svg = ConsoleChart(minutes: minutes).render()
        #expect(svg.components(separatedBy: "class=\"bar-completed\"").count == 2)
        #expect(svg.components(separatedBy: "class=\"bar-failed\"").count == 2)
        #expect(svg.components(separatedBy: "<title>").count == 61)
        #expect(!svg.contains("style="))
    }
}

@Suite("Operator console over HTTP")
struct ConsoleEndpointTests {
    @Test func anAnonymousVisitorIsSentToTheLoginAndAWrongPasswordRefused() async throws {
        try await withServer("console_login", configuration: consoleConfiguration()) { base, _, client in
            let page = try await get(client, base + "/admin")
            #expect(page.status == 303)
            #expect(page.header("Location") == "/admin/login")
            #expect(try await get(client, base + "/admin/overview/fragment").status == 401)
            var console = ConsoleClient(base: base, client: client)
            let refused = try await console.logIn(.init(username: "ops", password: "wrong"))
            #expect(refused.status == 401)
            #expect(refused.bodyString.contains("Wrong user or password"))
            #expect(try await console.request(.GET, "/admin").status == 303)
            // Without the login page's token, not even the right password logs in.
            let noToken = try await console.request(.POST, "/admin/login", form: [("user", "ops"), ("password", "ops-secret-123")])
            #expect(noToken.status == 403)
        }
    }

    @Test func aLoginSetsAStrictHttpOnlyCookieSecureOnlyBehindATrustedHTTPSProxy() async throws {
        let proxies = try TrustedProxies(parsing: "127.0.0.1")
        try await withServer("console_cookie", configuration: consoleConfiguration(trustedProxies: proxies)) { base, _, client in
            var console = ConsoleClient(base: base, client: client)
            let answer = try await console.logIn(opsCredentials)
            #expect(answer.status == 303)
            let cookie = try #require(answer.header("Set-Cookie"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/admin"))
            #expect(!cookie.contains("Secure"))
            let page = try await console.request(.GET, "/admin")
            #expect(page.status == 200)
            let csp = try #require(page.header("Content-Security-Policy"))
            #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(page.header("X-Frame-Options") == "DENY")

            let behindProxy = ConsoleClient(base: base, client: client)
            let login = try await behindProxy.request(.GET, "/admin/login", headers: [HTTPHeader("X-Forwarded-Proto", "https")])
            #expect(login.header("Set-Cookie")?.contains("; Secure") == true)
        }
        // The same header from a client that is not a trusted proxy changes nothing.
        try await withServer("console_cookie_untrusted", configuration: consoleConfiguration()) { base, _, client in
            let login = try await get(client, base + "/admin/login", headers: [HTTPHeader("X-Forwarded-Proto", "https")])
            #expect(login.header("Set-Cookie")?.contains("Secure") == false)
        }
    }

    @Test func aRetryNeedsTheSessionsCSRFTokenAndTheOperatorRole() async throws {
        try await withServer("console_csrf", configuration: consoleConfiguration()) { base, pool, client in
            let id = try await insertFailedJob(pool)
            var console = ConsoleClient(base: base, client: client)
            try await console.logIn(opsCredentials)
            #expect(try await console.request(.POST, "/admin/jobs/\(id)/retry", form: [("extra_attempts", "1")]).status == 403)
            #expect(try await console.request(.POST, "/admin/jobs/\(id)/retry", form: [("csrf", "forged")]).status == 403)
            // Basic auth opens the pages to scripts, but never authorises an action.
            let basic = try await client.execute(HTTPRequest(method: .POST, url: base + "/admin/jobs/\(id)/retry",
                                                             basicAuth: BasicAuth(username: "ops", password: "ops-secret-123")))
            #expect(basic.status == 403)
            #expect(try await state(pool, id) == "failed")

            var viewer = ConsoleClient(base: base, client: client)
            try await viewer.logIn(viewerCredentials)
            let viewerPage = try await viewer.request(.GET, "/admin/jobs/\(id)")
            #expect(viewerPage.status == 200 && !viewerPage.bodyString.contains("id=\"retry\""))
            let viewerToken = try await viewer.token()
            let refused = try await viewer.request(.POST, "/admin/jobs/\(id)/retry", form: [("csrf", viewerToken)])
            #expect(refused.status == 403 && refused.bodyString.contains("look but not act"))
            #expect(try await state(pool, id) == "failed")

            let token = try await console.token()
            let done = try await console.request(.POST, "/admin/jobs/\(id)/retry", form: [("csrf", token), ("extra_attempts", "2")])
            #expect(done.status == 303)
            #expect(done.header("Location") == "/admin/jobs/\(id)?done=retried")
            let row = try await pool.query("SELECT state, max_attempts FROM herald_jobs WHERE id = $1", [id])[0]
            #expect(try row.decode(String.self, column: "state") == "available")
            #expect(try row.decode(Int.self, column: "max_attempts") == 5)
            let audit = try await pool.query("SELECT actor, action, target FROM herald_console_actions")
            #expect(audit.count == 1)
            #expect(try audit[0].decode(String.self, column: "actor") == "ops")
            #expect(try audit[0].decode(String.self, column: "target") == String(id))
            // Cancel goes through herald_cancel_job; a finished job is left alone.
            let cancelled = try await console.request(.POST, "/admin/jobs/\(id)/cancel", form: [("csrf", token)])
            #expect(cancelled.header("Location") == "/admin/jobs/\(id)?done=cancelled")
            #expect(try await state(pool, id) == "cancelled")
            let again = try await console.request(.POST, "/admin/jobs/\(id)/cancel", form: [("csrf", token)])
            #expect(again.header("Location") == "/admin/jobs/\(id)?done=not-cancelled")
            // Bad input is a 4xx, never a 500.
            #expect(try await console.request(.POST, "/admin/jobs/\(id)/retry", form: [("csrf", token), ("extra_attempts", "-3")]).status == 400)
            #expect(try await console.request(.GET, "/admin/jobs/not-a-number").status == 404)
            #expect(try await console.request(.GET, "/admin/jobs/999999999").status == 404)
            #expect(try await console.request(.GET, "/admin/jobs?state=exploded").status == 400)
            #expect(try await console.request(.GET, "/admin/jobs?since=tomorrow").status == 400)
            #expect(try await console.request(.GET, "/admin/people?q=no-at-sign").status == 400)
        }
    }

    @Test func theBulkRetryTouchesExactlyTheJobsItsConfirmationCounted() async throws {
        try await withServer("console_bulk", configuration: consoleConfiguration()) { base, pool, client in
            for _ in 0..<3 { _ = try await insertFailedJob(pool, kind: "digest.build") }
            let old = try await insertFailedJob(pool, kind: "digest.build", finishedAgo: "3 days")
            let other = try await insertFailedJob(pool, kind: "email.send")
            var console = ConsoleClient(base: base, client: client)
            try await console.logIn(opsCredentials)
            let confirmation = try await console.request(.GET, "/admin/jobs/retry-failed?kind=digest.build&since=1d")
            #expect(confirmation.status == 200)
            #expect(confirmation.bodyString.contains("<strong id=\"touch-count\">3</strong>"))
            let html = confirmation.bodyString
            func hidden(_ name: String) throws -> String {
                let range = try #require(html.range(of: "name=\"\(name)\" value=\"[^\"]*\"", options: .regularExpression))
                return String(html[range].dropFirst("name=\"\(name)\" value=\"".count).dropLast())
            }
            let until = try hidden("until"), since = try hidden("since"), token = try #require(ConsoleClient.csrf(in: html))
            // A job failing after the confirmation is not swept up by it.
            try await Task.sleep(for: .milliseconds(20))
            let late = try await insertFailedJob(pool, kind: "digest.build", finishedAgo: "0 seconds")
            let answer = try await console.request(.POST, "/admin/jobs/retry-failed",
                                                   form: [("csrf", token), ("kind", "digest.build"), ("since", since), ("until", until)])
            #expect(answer.header("Location") == "/admin/jobs?kind=digest.build&done=bulk-retried&n=3")
            #expect(try await state(pool, old) == "failed")
            #expect(try await state(pool, other) == "failed")
            #expect(try await state(pool, late) == "failed")
            #expect(try await pool.query("SELECT count(*) FROM herald_jobs WHERE kind = 'digest.build' AND state = 'available'")[0].decode(Int.self, at: 0) == 3)
        }
    }

    @Test func everyValueIsEscapedOnEveryPage() async throws {
        try await withServer("console_escape", configuration: consoleConfiguration()) { base, pool, client in
            let id = try await insertFailedJob(pool, kind: "email.send", error: "<script>alert(1)</script>")
            try await pool.query("UPDATE herald_jobs SET args = '{\"x\": \"<b onmouseover=alert(2)>\"}' WHERE id = $1", [id])
            try await pool.query(
                "INSERT INTO inbound_emails (from_email, subject, text_body, status) VALUES ('x@example.com', '<img src=x onerror=alert(1)>', 'hi', 'unmatched')")
            var console = ConsoleClient(base: base, client: client)
            try await console.logIn(opsCredentials)
            let overview = try await console.request(.GET, "/admin").bodyString
            #expect(overview.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            let job = try await console.request(.GET, "/admin/jobs/\(id)").bodyString
            #expect(job.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && job.contains("&lt;b onmouseover=alert(2)&gt;"))
            let discussions = try await console.request(.GET, "/admin/discussions").bodyString
            #expect(discussions.contains("&lt;img src=x onerror=alert(1)&gt;"))
            for page in [overview, job, discussions] {
                #expect(!page.contains("<script>alert") && !page.contains("<img src=x") && !page.contains("<b onmouseover"))
                #expect(!page.contains("<script>") || page.contains("<script src=\"/admin/static/console.js\" defer></script>"))
            }
            let search = try await console.request(.GET, "/admin/people?q=%22%3E%3Cscript%3Ex%3C%2Fscript%3E%40example.com").bodyString
            #expect(search.contains("&quot;&gt;&lt;script&gt;x&lt;/script&gt;@example.com"))
        }
    }

    @Test func aSuppressionIsRemovedWithItsReasonRecordedAndAHeldReplyDiscarded() async throws {
        try await withServer("console_people", configuration: consoleConfiguration()) { base, pool, client in
            try await SuppressionList(pool: pool).add("Ana@Example.com", reason: "550 mailbox unknown", bounceType: .hard, source: "postmark_webhook")
            let inbound = try await pool.query(
                "INSERT INTO inbound_emails (from_email, subject, text_body, status, reason) VALUES ('m@x.example', 'Re: hi', 'spam!', 'rejected', 'spam') RETURNING id")[0]
                .decode(UUID.self, at: 0)
            var console = ConsoleClient(base: base, client: client)
            try await console.logIn(opsCredentials)
            let page = try await console.request(.GET, "/admin/people?q=ana%40example.com")
            #expect(page.bodyString.contains("Suppressed since") && page.bodyString.contains("550 mailbox unknown"))
            let token = try #require(ConsoleClient.csrf(in: page.bodyString))
            #expect(try await console.request(.POST, "/admin/people/unsuppress", form: [("csrf", token), ("email", "ana@example.com")]).status == 400)
            let removed = try await console.request(.POST, "/admin/people/unsuppress",
                                                    form: [("csrf", token), ("email", "ANA@example.com"), ("note", "mailbox recreated, ticket 12")])
            #expect(removed.header("Location")?.hasSuffix("done=unsuppressed") == true)
            #expect(try await SuppressionList(pool: pool).isSuppressed("ana@example.com") == false)
            let detail = try await pool.query("SELECT detail FROM herald_console_actions WHERE action = 'remove_suppression' AND target = 'ana@example.com'")
            #expect(try detail[0].decode(String.self, at: 0).contains("mailbox recreated, ticket 12"))
            #expect(try detail[0].decode(String.self, at: 0).contains("550 mailbox unknown"))
            #expect(try await console.request(.GET, "/admin/people?q=ana%40example.com").bodyString.contains("mailbox recreated, ticket 12"))

            // A spam reply without a thread cannot be released; it can be discarded, once.
            let release = try await console.request(.POST, "/admin/inbound/\(inbound.uuidString)/release", form: [("csrf", token)])
            #expect(release.header("Location") == "/admin/discussions?done=not-released")
            let discard = try await console.request(.POST, "/admin/inbound/\(inbound.uuidString)/discard", form: [("csrf", token), ("note", "spam")])
            #expect(discard.header("Location") == "/admin/discussions?done=discarded")
            let again = try await console.request(.POST, "/admin/inbound/\(inbound.uuidString)/discard", form: [("csrf", token)])
            #expect(again.header("Location") == "/admin/discussions?done=not-discarded")
            #expect(!(try await console.request(.GET, "/admin/discussions").bodyString.contains("m@x.example")))
        }
    }

    @Test func withoutCredentialsOnlyUnproxiedLoopbackClientsGetIn() async throws {
        try await withServer("console_loopback") { base, pool, client in
            let id = try await insertFailedJob(pool)
            #expect(try await get(client, base + "/admin").status == 200)
            let page = try await get(client, base + "/admin/jobs/\(id)")
            #expect(page.status == 200)
            let cookie = try #require(page.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
            let token = try #require(ConsoleClient.csrf(in: page.bodyString))
            let console = ConsoleClient(base: base, client: client, cookie: cookie)
            #expect(try await console.request(.POST, "/admin/jobs/\(id)/retry", form: [("extra_attempts", "1")]).status == 403)
            #expect(try await console.request(.POST, "/admin/jobs/\(id)/retry", form: [("csrf", token)]).status == 303)
            #expect(try await state(pool, id) == "available")
            #expect(try await get(client, base + "/admin", headers: [HTTPHeader("X-Forwarded-For", "203.0.113.5")]).status == 403)
            #expect(try await get(client, base + "/admin/login").status == 303)
        }
    }
}
