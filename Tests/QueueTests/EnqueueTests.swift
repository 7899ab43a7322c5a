import Foundation
import HeraldTestSupport
import Postgres
import Queue
import Testing

@Suite("Producing jobs")
struct EnqueueTests {
    @Test func sqlEnqueueExistsOnlyIfTheProducerCommits() async throws {
        try await withTestDatabase("enq") { db in
            let connection = try await db.connect()
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await connection.transaction { tx in
                    try await tx.query("SELECT herald_enqueue('demo.kind', '{\"a\":1}')")
                    throw Boom()
                }
            }
            #expect(try await connection.query("SELECT count(*) FROM herald_jobs")[0].decode(Int.self, at: 0) == 0)
            let id = try await connection.transaction { tx in
                try await tx.query("SELECT herald_enqueue('demo.kind', '{\"a\":1}', 0) AS id")[0].decode(Int64.self, at: 0)
            }
            let row = try #require(try await connection.query("SELECT kind, priority, state, args->>'a' AS a FROM herald_jobs WHERE id = $1", [id]).first)
            #expect(try row.decode(String.self, column: "kind") == "demo.kind")
            #expect(try row.decode(Int.self, column: "priority") == 0)
            #expect(try row.decode(String.self, column: "state") == "available")
            #expect(try row.decode(String.self, column: "a") == "1")
            await connection.close()
        }
    }

    @Test func plainInsertWorksAndBadRowsAreRefusedByTheDatabase() async throws {
        try await withTestDatabase("insert") { db in
            let connection = try await db.connect()
            try await connection.query("INSERT INTO herald_jobs (kind, args) VALUES ($1, $2::jsonb)", ["plain.kind", PostgresJSON("{}")])
            let state = try await connection.query("SELECT state, priority, max_attempts FROM herald_jobs")[0]
            #expect(try state.decode(String.self, column: "state") == "available")
            #expect(try state.decode(Int.self, column: "priority") == 2)
            for (sql, constraint) in [
                ("INSERT INTO herald_jobs (kind, priority) VALUES ('k', 7)", "herald_jobs_priority_check"),
                ("INSERT INTO herald_jobs (kind, state) VALUES ('k', 'done')", "herald_jobs_state_check"),
                ("INSERT INTO herald_jobs (kind, args) VALUES ('k', '[1,2]')", "herald_jobs_args_check"),
                ("INSERT INTO herald_jobs (kind) VALUES ('')", "herald_jobs_kind_check"),
                ("INSERT INTO herald_jobs (kind, max_attempts) VALUES ('k', 0)", "herald_jobs_max_attempts_check"),
            ] {
                let error = try await #require(throws: PostgresError.self) { try await connection.execute(sql) }
                #expect(error.sqlState == "23514")
                #expect(error.constraintName == constraint)
            }
            await connection.close()
        }
    }

    @Test func uniqueKeyDedupesLiveJobsOnly() async throws {
        try await withTestDatabase("unique") { db in
            let pool = db.pool()
            let queue = JobQueue(pool: pool)
            let first = try await queue.enqueue(JobRequest(kind: "digest.build", uniqueKey: "user-1:daily:2026-11-28"))
            let second = try await queue.enqueue(JobRequest(kind: "digest.build", uniqueKey: "user-1:daily:2026-11-28"))
            #expect(first == second)
            let bulk = try await queue.enqueueMany([
                JobRequest(kind: "digest.build", uniqueKey: "user-1:daily:2026-11-28"),
                JobRequest(kind: "digest.build", uniqueKey: "user-2:daily:2026-11-28"),
            ])
            #expect(bulk == 1)
            #expect(try await count(pool, state: "available") == 2)
            // Once the job finished, the key is free again.
            try await pool.query("UPDATE herald_jobs SET state = 'completed', finished_at = now() WHERE id = $1", [first])
            let third = try await queue.enqueue(JobRequest(kind: "digest.build", uniqueKey: "user-1:daily:2026-11-28"))
            #expect(third != first)
            await pool.close()
        }
    }

    @Test func bulkEnqueueInsertsEveryJobInOneRoundTripPerChunk() async throws {
        try await withTestDatabase("bulk") { db in
            let pool = db.pool()
            let queue = JobQueue(pool: pool)
            let future = Date().addingTimeInterval(3600)
            let requests = (0..<25_000).map { index in
                JobRequest(kind: "bulk.kind", args: PostgresJSON("{\"n\": \(index)}"), priority: index % 4,
                           runAt: index % 10 == 0 ? future : nil)
            }
            #expect(try await queue.enqueueMany(requests) == 25_000)
            let rows = try await pool.query("SELECT state, count(*) AS n FROM herald_jobs GROUP BY state ORDER BY state")
            let counts = Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode(String.self, at: 0), try $0.decode(Int.self, at: 1)) })
            #expect(counts == ["available": 22_500, "scheduled": 2_500])
            let sum = try await pool.query("SELECT sum((args->>'n')::bigint)::bigint FROM herald_jobs")[0].decode(Int.self, at: 0)
            #expect(sum == (0..<25_000).reduce(0, +))
            await pool.close()
        }
    }

    @Test func swiftAPIRefusesBadRequestsWithAClearMessage() async throws {
        try await withTestDatabase("badreq") { db in
            let pool = db.pool()
            let queue = JobQueue(pool: pool)
            let error = try await #require(throws: QueueError.self) { try await queue.enqueue(JobRequest(kind: "k", priority: 9)) }
            #expect(error.code == .invalidJob)
            #expect(error.message.contains("priority"))
            #expect(try await count(pool, state: "available") == 0)
            await pool.close()
        }
    }

    @Test func adminFunctionsRetryAndCancel() async throws {
        try await withTestDatabase("admin") { db in
            let pool = db.pool()
            let queue = JobQueue(pool: pool)
            let id = try await queue.enqueue(JobRequest(kind: "x", maxAttempts: 2))
            try await pool.query(
                "UPDATE herald_jobs SET state = 'failed', attempt = 2, finished_at = now(), errors = '[{\"attempt\":2,\"at\":\"t\",\"error\":\"boom\"}]' WHERE id = $1",
                [id])
            let failed = try await pool.query("SELECT id, last_error FROM herald_failed_jobs")
            #expect(try failed.map { try $0.decode(Int64.self, at: 0) } == [id])
            #expect(try failed[0].decode(String.self, column: "last_error") == "boom")
            #expect(try await queue.retry(id: id))
            let row = try await pool.query("SELECT state, max_attempts, finished_at IS NULL AS open FROM herald_jobs WHERE id = $1", [id])[0]
            #expect(try row.decode(String.self, column: "state") == "available")
            #expect(try row.decode(Int.self, column: "max_attempts") == 3)
            #expect(try row.decode(Bool.self, column: "open"))
            #expect(try await queue.retry(id: id) == false)  // already available
            #expect(try await queue.cancel(id: id))
            #expect(try await jobState(pool, id) == "cancelled")
            #expect(try await queue.cancel(id: id) == false)
            #expect(try await queue.cancel(id: 999_999) == false)
            await pool.close()
        }
    }
}
