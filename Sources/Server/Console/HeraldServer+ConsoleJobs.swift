import Foundation
import Hummingbird
import Logging
import Queue

/// The console's jobs: the filtered list, one job with its history, and the operator's actions
/// (``QueueInspector`` reads, ``JobAdmin`` acts and records).
extension HeraldServer {
    /// `GET /admin/jobs?state=&kind=&queue=&since=&until=&before=`: newest first, 50 a page.
    func consoleJobs(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        let query = try ConsoleForm(queryOf: request)
        var filter = QueueInspector.JobFilter()
        if let text = query["state"] {
            guard let state = JobState(rawValue: text) else { throw Refusal(Self.text(.badRequest, "unknown state")) }
            filter.state = state
        }
        filter.kind = query["kind"]
        filter.queue = query["queue"]
        if (filter.kind?.count ?? 0) > 128 || (filter.queue?.count ?? 0) > 64 { throw Refusal(Self.text(.badRequest, "kind or queue too long")) }
        filter.since = try query["since"].map { try ConsoleTime.parse($0, field: "since") }
        filter.until = try query["until"].map { try ConsoleTime.parse($0, field: "until") }
        filter.before = try query["before"].map { text -> Int64 in
            guard let id = Int64(text), id > 0 else { throw Refusal(Self.text(.badRequest, "before must be a job id")) }
            return id
        }
        var jobs = try await queueInspector.jobs(filter, limit: 51)
        var next: String?
        if jobs.count > 50 {
            jobs.removeLast()
            var pairs: [(String, String)] = []
            for (name, value) in [("state", query["state"]), ("kind", filter.kind), ("queue", filter.queue), ("since", query["since"]), ("until", query["until"])] {
                if let value { pairs.append((name, value)) }
            }
            pairs.append(("before", jobs.last.map { String($0.id) } ?? ""))
            next = pairs.map { "\($0.0)=\(ConsoleRenderer.queryValue($0.1))" }.joined(separator: "&")
        }
        let rows = jobs.map { job -> [String: Any] in
            [
                "id": String(job.id), "state": job.state.rawValue, "kind": job.kind, "queue": job.queue, "priority": String(job.priority),
                "attempt": String(job.attempt), "max_attempts": String(job.maxAttempts), "created": ConsoleRenderer.time(job.createdAt),
                "run_at": ConsoleRenderer.time(job.runAt), "finished": ConsoleRenderer.time(job.finishedAt),
                "last_error": ConsoleRenderer.text(job.lastError),
            ]
        }
        var pageContext: [String: Any] = [
            "rows": rows, "hasRows": !rows.isEmpty, "next": next ?? NSNull(),
            "kind": filter.kind ?? "", "queue": filter.queue ?? "", "since": query["since"] ?? "", "until": query["until"] ?? "",
            "states": [["value": "", "label": "any state", "selected": filter.state == nil]]
                + JobState.allCases.map { ["value": $0.rawValue, "label": $0.rawValue, "selected": $0 == filter.state] },
        ]
        if filter.state == .failed, let kind = filter.kind {
            pageContext["bulkRetry"] = true
            pageContext["kindParam"] = ConsoleRenderer.queryValue(kind)
            pageContext["sinceParam"] = ConsoleRenderer.queryValue(query["since"] ?? "")
            pageContext["untilParam"] = ConsoleRenderer.queryValue(query["until"] ?? "")
        }
        let notice = ConsoleNotice.from(code: query["done"], count: query["n"])
        return consolePage("jobs", title: "Jobs", nav: "jobs", context: pageContext, access: access, notice: notice)
    }

    /// `GET /admin/jobs/{id}` and its self-refreshing `…/fragment`.
    func consoleJob(_ request: Request, context: ConsoleRequestContext, fragment: Bool) async throws -> Response {
        let access = try context.access()
        let id = try Self.consoleJobID(context)
        guard let detail = try await queueInspector.job(id: id) else { throw Refusal(Self.text(.notFound, "no such job")) }
        let job = detail.summary
        let errors = detail.errors.map { entry -> [String: Any] in
            ["attempt": ConsoleRenderer.text(entry.attempt), "at": ConsoleRenderer.text(entry.at),
             "worker": ConsoleRenderer.text(entry.worker), "error": ConsoleRenderer.text(entry.error)]
        }
        let yes = { (flag: Bool) -> Any in flag ? "yes" : NSNull() }
        let values: [String: Any] = [
            "id": String(job.id), "state": job.state.rawValue, "kind": job.kind, "kindParam": ConsoleRenderer.queryValue(job.kind),
            "queue": job.queue, "priority": String(job.priority), "attempt": String(job.attempt), "max_attempts": String(job.maxAttempts),
            "unique_key": ConsoleRenderer.text(detail.uniqueKey), "locked_by": ConsoleRenderer.text(detail.lockedBy), "args": detail.arguments,
            "errorCount": String(detail.errors.count), "created": ConsoleRenderer.time(job.createdAt), "run_at": ConsoleRenderer.time(job.runAt),
            "attempted": ConsoleRenderer.time(detail.attemptedAt), "finished": ConsoleRenderer.time(job.finishedAt),
            "lease": ConsoleRenderer.time(detail.leaseExpiresAt), "waited": ConsoleRenderer.text(detail.waited),
            "total": ConsoleRenderer.text(detail.total), "canRetry": yes(detail.canRetry), "canCancel": yes(detail.canCancel),
            "final": yes(detail.isFinal), "errors": errors, "hasErrors": !errors.isEmpty, "csrf": access.csrf, "canAct": access.role.canAct,
        ]
        let html = consoleRenderer.render("job_fragment", values)
        if fragment { return consoleHTML(.ok, html, access: access) }
        let query = try ConsoleForm(queryOf: request)
        return consolePage("job", title: "Job \(id)", nav: "jobs",
                           context: ["id": id, "fragment": html, "refreshMs": 1000, "final": yes(detail.isFinal)],
                           access: access, notice: ConsoleNotice.from(code: query["done"], count: nil))
    }

    /// `POST /admin/jobs/{id}/retry` (`herald_retry_job`) and `…/cancel` (`herald_cancel_job`).
    func consoleJobAction(_ request: Request, context: ConsoleRequestContext, retry: Bool) async throws -> Response {
        let access = try context.access()
        let id = try Self.consoleJobID(context)
        let outcome: String
        if retry {
            switch try await jobAdmin.retry(id: id, extraAttempts: try Self.consoleExtraAttempts(context.form), actor: access.actor) {
            case .retried:
                logConsoleAction("retry_job")
                outcome = "retried"
            case .notRetryable: outcome = "not-retried"
            case .uniqueKeyTaken: outcome = "unique-conflict"
            }
        } else {
            let cancelled = try await jobAdmin.cancel(id: id, actor: access.actor)
            if cancelled { logConsoleAction("cancel_job") }
            outcome = cancelled ? "cancelled" : "not-cancelled"
        }
        return consoleRedirect("/admin/jobs/\(id)?done=\(outcome)")
    }

    static func consoleExtraAttempts(_ form: ConsoleForm) throws -> Int {
        guard let text = form["extra_attempts"] else { return 1 }
        guard let value = Int(text), (1...100).contains(value) else {
            throw Refusal(Self.text(.badRequest, "extra_attempts must be a number from 1 to 100"))
        }
        return value
    }

    /// `GET /admin/jobs/retry-failed?kind=&since=&until=`: how many rows the bulk retry will
    /// touch. `until` is frozen at this moment (unless given), so the POST touches exactly the
    /// jobs counted here, not ones that fail while the operator reads.
    func consoleRetryFailedConfirmation(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        let query = try ConsoleForm(queryOf: request)
        guard let kind = query["kind"], kind.count <= 128 else {
            throw Refusal(Self.text(.badRequest, "kind is required"))
        }
        let since = try query["since"].map { try ConsoleTime.parse($0, field: "since") }
        let until = try query["until"].map { try ConsoleTime.parse($0, field: "until") } ?? Date()
        let extra = try Self.consoleExtraAttempts(query)
        let count = try await queueInspector.failedCount(kind: kind, since: since, until: until)
        let values: [String: Any] = [
            "kind": kind, "kindParam": ConsoleRenderer.queryValue(kind), "count": count, "hasCount": count > 0, "extra": extra,
            "since": since.map(ConsoleTime.format) ?? "", "sinceLabel": since.map(ConsoleTime.format) ?? "the beginning",
            "until": ConsoleTime.format(until),
        ]
        return consolePage("retry_failed", title: "Retry failed jobs", nav: "jobs", context: values, access: access)
    }

    /// `POST /admin/jobs/retry-failed`: `herald_retry_failed_jobs(kind, since, until, extra)`.
    func consoleRetryFailed(_ request: Request, context: ConsoleRequestContext) async throws -> Response {
        let access = try context.access()
        let form = context.form
        guard let kind = form["kind"], kind.count <= 128, let untilText = form["until"] else {
            throw Refusal(Self.text(.badRequest, "kind and until are required"))
        }
        let since = try form["since"].map { try ConsoleTime.parse($0, field: "since") }
        let until = try ConsoleTime.parse(untilText, field: "until")
        let extra = try Self.consoleExtraAttempts(form)
        switch try await jobAdmin.retryFailed(kind: kind, since: since, until: until, extraAttempts: extra, actor: access.actor) {
        case .retried(let count):
            logConsoleAction("retry_failed_jobs")
            return consoleRedirect("/admin/jobs?kind=\(ConsoleRenderer.queryValue(kind))&done=bulk-retried&n=\(count)")
        case .uniqueKeyTaken:
            return consoleRedirect("/admin/jobs?state=failed&kind=\(ConsoleRenderer.queryValue(kind))&done=unique-conflict")
        }
    }
}
