import Foundation
import Hummingbird
import Postgres

extension HeraldServer {
    static let consoleRefreshMs = 5000
    static let consoleStates = ["available", "scheduled", "running", "retryable", "completed", "failed", "cancelled"]
    static let consoleFinishedStates: Set<String> = ["completed", "failed", "cancelled"]

    // MARK: Overview

    /// `GET /admin`.
    func consoleOverview(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let access = try consoleLook(request, context: context)
        let fragment = consoleRenderer.render("overview_fragment", try await consoleOverviewData())
        return consolePage("overview", title: "Overview", nav: "overview",
                           context: ["fragment": fragment, "refreshMs": Self.consoleRefreshMs], access: access)
    }

    /// `GET /admin/overview/fragment`: what the page's script swaps in every few seconds.
    func consoleOverviewFragment(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let access = try consoleLook(request, context: context, fragment: true)
        return consoleHTML(.ok, consoleRenderer.render("overview_fragment", try await consoleOverviewData()), access: access)
    }

    func consoleOverviewData() async throws -> [String: Any] {
        let pool = self.pool
        async let countsRows = pool.query(ConsoleSQL.liveCounts, [ConsoleSQL.countCap])
        // The window by this process's clock; the database's current minute decides what is over.
        let appMinute = Int64(Date().timeIntervalSince1970) / 60 * 60
        let readFrom = consoleChartCache.readFrom(windowStart: appMinute - 59 * 60 - 60)
        async let hourRows = pool.query(ConsoleSQL.lastHour, [Double(readFrom)])
        async let nowRows = pool.query(ConsoleSQL.now)
        async let oldestRows = pool.query(ConsoleSQL.oldestWaiting)
        async let failingRows = pool.query(ConsoleSQL.failingKinds)
        async let leaderRows = pool.query(ConsoleSQL.leader)
        async let listenerRows = pool.query(ConsoleSQL.listeners)
        async let holderRows = pool.query(ConsoleSQL.holders)

        struct QueueLine { var counts: [String: Int] = [:] }
        var queues: [String: QueueLine] = [:]
        var perState: [String: Int] = [:]
        for row in try await countsRows {
            let queue = try row.decode(String.self, column: "queue")
            let state = try row.decode(String.self, column: "state")
            let n = try row.decode(Int.self, column: "n")
            queues[queue, default: QueueLine()].counts[state] = n
            perState[state, default: 0] += n
        }
        let capped = perState.values.contains { $0 >= ConsoleSQL.countCap }
        let now = try await nowRows[0]
        let currentMinute = try now.decode(Int64.self, column: "minute")
        var read = [Int64: (completed: Int, failed: Int)]()
        for row in try await hourRows {
            let minute = try row.decode(Int64.self, column: "minute")
            let n = try row.decode(Int.self, column: "n")
            if try row.decode(String.self, column: "state") == "completed" {
                read[minute, default: (0, 0)].completed += n
            } else {
                read[minute, default: (0, 0)].failed += n
            }
        }
        let perMinute = consoleChartCache.merge(rows: read, from: readFrom, currentMinute: currentMinute)
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        let minutes = (0..<60).map { index -> ConsoleChart.Minute in
            let minute = currentMinute - Int64(59 - index) * 60
            let counts = perMinute[minute] ?? (0, 0)
            return .init(label: formatter.string(from: Date(timeIntervalSince1970: TimeInterval(minute))), completed: counts.completed, failed: counts.failed)
        }
        var oldest: [String: [String: Any]] = [:]
        for row in try await oldestRows {
            oldest[try row.decode(String.self, column: "queue")] = ConsoleRenderer.context(row)
        }
        for queue in oldest.keys where queues[queue] == nil { queues[queue] = QueueLine() }
        let queueContexts: [[String: Any]] = queues.keys.sorted().map { name in
            let line = queues[name]!
            var entry: [String: Any] = ["queue": name, "queueParam": ConsoleRenderer.queryValue(name)]
            for state in ["available", "scheduled", "running", "retryable"] { entry[state] = line.counts[state] ?? 0 }
            entry["failed"] = (line.counts["failed"] ?? 0) > 0 ? line.counts["failed"]! as Any : NSNull()
            if let first = oldest[name] {
                entry["oldestId"] = first["id"]
                entry["oldestKind"] = first["kind"]
                entry["oldestWait"] = first["wait"]
            } else {
                entry["oldestId"] = NSNull()
            }
            return entry
        }
        let failing = try await failingRows.map { row -> [String: Any] in
            var entry = ConsoleRenderer.context(row)
            entry["kindParam"] = ConsoleRenderer.queryValue(try row.decode(String.self, column: "kind"))
            return entry
        }
        let leader = try await leaderRows.first.map(ConsoleRenderer.context)
        let listeners = ConsoleRenderer.contexts(try await listenerRows)
        let holders = ConsoleRenderer.contexts(try await holderRows)
        return [
            "now": try now.decode(String.self, column: "now"),
            "refreshSeconds": Self.consoleRefreshMs / 1000,
            "capped": capped, "cap": ConsoleSQL.countCap,
            "queues": queueContexts, "hasQueues": !queueContexts.isEmpty,
            "chart": ConsoleChart(minutes: minutes).render(),
            "completedTotal": minutes.reduce(0) { $0 + $1.completed }, "failedTotal": minutes.reduce(0) { $0 + $1.failed },
            "failing": failing, "hasFailing": !failing.isEmpty,
            "leader": leader ?? NSNull(),
            "listeners": listeners, "hasListeners": !listeners.isEmpty,
            "holders": holders, "hasHolders": !holders.isEmpty,
        ]
    }

    // MARK: Jobs

    /// `GET /admin/jobs?state=&kind=&queue=&since=&until=&before=`: newest first, 50 a page.
    func consoleJobs(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let access = try consoleLook(request, context: context)
        let query = try ConsoleForm.query(request)
        let state = query["state"]
        if let state, !Self.consoleStates.contains(state) { throw ConsoleRefusal.response(Self.text(.badRequest, "unknown state")) }
        let kind = query["kind"], queue = query["queue"]
        if (kind?.count ?? 0) > 128 || (queue?.count ?? 0) > 64 { throw ConsoleRefusal.response(Self.text(.badRequest, "kind or queue too long")) }
        let since = try query["since"].map { try ConsoleTime.parse($0, field: "since") }
        let until = try query["until"].map { try ConsoleTime.parse($0, field: "until") }
        let before = try query["before"].map { text -> Int64 in
            guard let id = Int64(text), id > 0 else { throw ConsoleRefusal.response(Self.text(.badRequest, "before must be a job id")) }
            return id
        }
        // The WHERE clause is assembled from constant fragments; every value is a parameter.
        var conditions: [String] = []
        var parameters: [any PostgresBindable] = []
        func add(_ fragment: String, _ value: any PostgresBindable) {
            parameters.append(value)
            conditions.append(fragment.replacingOccurrences(of: "$?", with: "$\(parameters.count)"))
        }
        let timeColumn = state.map { Self.consoleFinishedStates.contains($0) } == true ? "finished_at" : "created_at"
        if let state { add("state = $?", state) }
        if let kind { add("kind = $?", kind) }
        if let queue { add("queue = $?", queue) }
        if let since { add("\(timeColumn) >= $?", since) }
        if let until { add("\(timeColumn) < $?", until) }
        if let before { add("id < $?", before) }
        let sql = ConsoleSQL.jobColumns + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY id DESC LIMIT 51"
        let rows = try await pool.query(sql, parameters)
        var jobs = ConsoleRenderer.contexts(rows)
        var next: String?
        if jobs.count > 50 {
            jobs.removeLast()
            var pairs: [(String, String)] = []
            for (name, value) in [("state", state), ("kind", kind), ("queue", queue), ("since", query["since"]), ("until", query["until"])] {
                if let value { pairs.append((name, value)) }
            }
            pairs.append(("before", String(describing: jobs.last?["id"] ?? "")))
            next = pairs.map { "\($0.0)=\(ConsoleRenderer.queryValue($0.1))" }.joined(separator: "&")
        }
        var pageContext: [String: Any] = [
            "rows": jobs, "hasRows": !jobs.isEmpty, "next": next ?? NSNull(),
            "kind": kind ?? "", "queue": queue ?? "", "since": query["since"] ?? "", "until": query["until"] ?? "",
            "states": [["value": "", "label": "any state", "selected": state == nil]]
                + Self.consoleStates.map { ["value": $0, "label": $0, "selected": $0 == state] },
        ]
        if state == "failed", let kind {
            pageContext["bulkRetry"] = true
            pageContext["kindParam"] = ConsoleRenderer.queryValue(kind)
            pageContext["sinceParam"] = ConsoleRenderer.queryValue(query["since"] ?? "")
            pageContext["untilParam"] = ConsoleRenderer.queryValue(query["until"] ?? "")
        }
        let notice = ConsoleNotice.from(code: query["done"], count: query["n"])
        return consolePage("jobs", title: "Jobs", nav: "jobs", context: pageContext, access: access, notice: notice)
    }

    /// `GET /admin/jobs/{id}` and its self-refreshing `…/fragment`.
    func consoleJob(_ request: Request, context: HeraldRequestContext, fragment: Bool) async throws -> Response {
        let access = try consoleLook(request, context: context, fragment: fragment)
        let id = try Self.consoleJobID(context)
        async let jobRows = pool.query(ConsoleSQL.job, [id])
        async let errorRows = pool.query(ConsoleSQL.jobErrors, [id])
        guard let row = try await jobRows.first else {
            _ = try? await errorRows
            throw ConsoleRefusal.response(Self.text(.notFound, "no such job"))
        }
        var job = ConsoleRenderer.context(row)
        let errors = ConsoleRenderer.contexts(try await errorRows)
        job["errors"] = errors
        job["hasErrors"] = !errors.isEmpty
        job["kindParam"] = ConsoleRenderer.queryValue(try row.decode(String.self, column: "kind"))
        job["csrf"] = access.csrf
        job["canAct"] = access.role.canAct
        let html = consoleRenderer.render("job_fragment", job)
        if fragment { return consoleHTML(.ok, html, access: access) }
        let query = try ConsoleForm.query(request)
        return consolePage("job", title: "Job \(id)", nav: "jobs",
                           context: ["id": id, "fragment": html, "refreshMs": 1000, "final": job["final"] ?? NSNull()],
                           access: access, notice: ConsoleNotice.from(code: query["done"], count: nil))
    }

    /// `POST /admin/jobs/{id}/retry` (`herald_retry_job`) and `…/cancel` (`herald_cancel_job`).
    func consoleJobAction(_ request: Request, context: HeraldRequestContext, form: ConsoleForm, retry: Bool) async throws -> Response {
        let access = try consoleAct(request, context: context, form: form)
        let id = try Self.consoleJobID(context)
        var outcome: String
        if retry {
            let extra = try Self.consoleExtraAttempts(form)
            do {
                let done = try await pool.query("SELECT herald_retry_job($1, $2::integer) AS done", [id, extra])[0].decode(Bool.self, column: "done")
                outcome = done ? "retried" : "not-retried"
                if done { try await consoleAudit(access, action: "retry_job", target: String(id), detail: "extra_attempts=\(extra)") }
            } catch let error as PostgresError where error.isUniqueViolation {
                outcome = "unique-conflict"
            }
        } else {
            let done = try await pool.query("SELECT herald_cancel_job($1) AS done", [id])[0].decode(Bool.self, column: "done")
            outcome = done ? "cancelled" : "not-cancelled"
            if done { try await consoleAudit(access, action: "cancel_job", target: String(id), detail: "") }
        }
        return consoleRedirect("/admin/jobs/\(id)?done=\(outcome)")
    }

    static func consoleExtraAttempts(_ form: ConsoleForm) throws -> Int {
        guard let text = form["extra_attempts"] else { return 1 }
        guard let value = Int(text), (1...100).contains(value) else {
            throw ConsoleRefusal.response(Self.text(.badRequest, "extra_attempts must be a number from 1 to 100"))
        }
        return value
    }

    /// `GET /admin/jobs/retry-failed?kind=&since=&until=`: how many rows the bulk retry will
    /// touch. `until` is frozen at this moment (unless given), so the POST touches exactly the
    /// jobs counted here, not ones that fail while the operator reads.
    func consoleRetryFailedConfirmation(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let access = try consoleLook(request, context: context)
        let query = try ConsoleForm.query(request)
        guard let kind = query["kind"], kind.count <= 128 else {
            throw ConsoleRefusal.response(Self.text(.badRequest, "kind is required"))
        }
        let since = try query["since"].map { try ConsoleTime.parse($0, field: "since") } ?? Date(timeIntervalSince1970: 0)
        let until = try query["until"].map { try ConsoleTime.parse($0, field: "until") } ?? Date()
        let extra = try Self.consoleExtraAttempts(query)
        let count = try await pool.query(ConsoleSQL.countFailed, [kind, since, until])[0].decode(Int.self, column: "n")
        let context: [String: Any] = [
            "kind": kind, "kindParam": ConsoleRenderer.queryValue(kind), "count": count, "hasCount": count > 0, "extra": extra,
            "since": query["since"].map { _ in ConsoleTime.format(since) } ?? "", "sinceLabel": query["since"].map { _ in ConsoleTime.format(since) } ?? "the beginning",
            "until": ConsoleTime.format(until),
        ]
        return consolePage("retry_failed", title: "Retry failed jobs", nav: "jobs", context: context, access: access)
    }

    /// `POST /admin/jobs/retry-failed`: `herald_retry_failed_jobs(kind, since, until, extra)`.
    func consoleRetryFailed(_ request: Request, context: HeraldRequestContext, form: ConsoleForm) async throws -> Response {
        let access = try consoleAct(request, context: context, form: form)
        guard let kind = form["kind"], kind.count <= 128, let untilText = form["until"] else {
            throw ConsoleRefusal.response(Self.text(.badRequest, "kind and until are required"))
        }
        let since = try form["since"].map { try ConsoleTime.parse($0, field: "since") } ?? Date(timeIntervalSince1970: 0)
        let until = try ConsoleTime.parse(untilText, field: "until")
        let extra = try Self.consoleExtraAttempts(form)
        let count: Int
        do {
            count = try await pool.query("SELECT herald_retry_failed_jobs($1, $2, $3, $4::integer) AS n", [kind, since, until, extra])[0].decode(Int.self, column: "n")
        } catch let error as PostgresError where error.isUniqueViolation {
            return consoleRedirect("/admin/jobs?state=failed&kind=\(ConsoleRenderer.queryValue(kind))&done=unique-conflict")
        }
        try await consoleAudit(access, action: "retry_failed_jobs", target: kind,
                               detail: "since=\(form["since"] ?? "-") until=\(untilText) extra_attempts=\(extra) retried=\(count)")
        return consoleRedirect("/admin/jobs?kind=\(ConsoleRenderer.queryValue(kind))&done=bulk-retried&n=\(count)")
    }
}

/// Times typed by an operator, in UTC: `2026-12-01`, `2026-12-01 08:00`, `2026-12-01T08:00:00Z`,
/// or relative to now: `15m`, `2h`, `7d`.
enum ConsoleTime {
    static func parse(_ text: String, field: String, now: Date = Date()) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let unit = trimmed.last, "mhd".contains(unit), let amount = Int(trimmed.dropLast()), amount >= 0, amount <= 100_000 {
            let seconds = Double(amount) * (unit == "m" ? 60 : unit == "h" ? 3600 : 86400)
            return now.addingTimeInterval(-seconds)
        }
        var normalized = trimmed.replacingOccurrences(of: "T", with: " ")
        if normalized.hasSuffix("Z") { normalized.removeLast() }
        for format in ["yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: normalized) { return date }
        }
        throw ConsoleRefusal.response(HeraldServer.text(.badRequest, "\(field): use a UTC time like 2026-12-01 08:00, or 15m / 2h / 7d ago"))
    }

    /// `yyyy-MM-dd HH:mm:ss.SSS` in UTC (parses back to the same instant, to the millisecond).
    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        return formatter.string(from: date)
    }
}
