import ArgumentParser
import Foundation
import Mail
import Notifications
import Providers
#if canImport(Glibc)
import Glibc
#endif
import HeraldJSON
import Postgres

/// `herald bench json`: the JSON work of one delivered email, Foundation (`JSONEncoder`,
/// `JSONDecoder`, and `JSONSerialization` for a notification's data as a template context) against
/// HeraldJSON, measured side by side in one process.
struct JSONBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json",
        abstract: "Time Foundation's JSONEncoder/JSONDecoder against HeraldJSON on the delivery path (ns per operation).",
        discussion: """
            Each case runs both ways in alternating samples of about --sample-ms milliseconds; the figures
            are the medians of the samples' ns per operation, and the ratio is Foundation's median over
            HeraldJSON's. Time is the measuring thread's CPU time, so other load on the machine does not
            count (waiting for a core does not). No database is needed. Use a release build.
            """)

    @Option(name: .long, help: "Samples per case and way.") var samples: Int = 21
    @Option(name: .long, help: "Target length of one sample, in milliseconds.") var sampleMs: Int = 20
    @Option(name: .long, help: "Run only the cases whose name contains this text.") var filter: String?
    @Flag(name: .long, help: "Print one JSON object.") var json = false

    func validate() throws {
        guard samples > 0, sampleMs > 0 else { throw ValidationError("--samples and --sample-ms must be positive") }
    }

    func run() async throws {
        let request = Self.realisticRequest()
        let requestBody = request.jsonBytes
        let answer = Array(
            #"{"To":"user17@bench.example","SubmittedAt":"2026-03-29T06:00:00.123Z","MessageID":"b7bc2f4a-e5c6-4b11-9b6a-7e4bd0f1f0a3","ErrorCode":0,"Message":"OK"}"#.utf8)
        // As PostgreSQL prints jsonb: the delivery bench's data, and a richer notification.
        let benchData = PostgresJSON(
            #"{"url": "https://app.example.com/tasks/6f1c8f9e-2b7d-4c1a-9d3e-5a8b7c6d5e4f", "task_title": "Benchmark task 17", "assigned_by": "Herald bench"}"#)
        let richData = PostgresJSON(
            #"{"url": "https://app.example.com/invoices/42", "title": "Payment overdue", "amount": 1234.5, "urgent": true, "currency": "EUR", "due_days": 3, "invoice": {"lines": [{"name": "Rent", "cents": 120000}, {"name": "Service charge", "cents": 3450}], "number": "INV-42"}, "customer": "Ada Lovelace", "reference": null}"#)

        let encoder: @Sendable () -> JSONEncoder = {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return encoder
        }
        let cases: [BenchCase] = [
            BenchCase(
                name: "encode PostmarkEmailRequest (\(requestBody.count) B, \(request.htmlBody?.utf8.count ?? 0) B HTML)",
                foundation: { (try? Array(encoder().encode(request)))?.count ?? 0 },
                heraldJSON: { request.jsonBytes.count }),
            BenchCase(
                name: "decode Postmark answer (\(answer.count) B)",
                foundation: { (try? JSONDecoder().decode(PostmarkAnswer.self, from: Data(answer)))?.errorCode ?? -1 },
                heraldJSON: { PostmarkAnswer(parsing: answer)?.errorCode ?? -1 }),
            BenchCase(
                name: "notification data -> template context (bench data, \(benchData.text.utf8.count) B)",
                foundation: { Self.memberCount(try? JSONSerialization.jsonObject(with: Data(benchData.text.utf8))) },
                heraldJSON: { Self.memberCount(try? JSONValue(parsing: benchData.text)) }),
            BenchCase(
                name: "notification data -> template context (rich data, \(richData.text.utf8.count) B)",
                foundation: { Self.memberCount(try? JSONSerialization.jsonObject(with: Data(richData.text.utf8))) },
                heraldJSON: { Self.memberCount(try? JSONValue(parsing: richData.text)) }),
        ]

        var rows: [[String: Any]] = []
        var sink = 0
        for benchCase in cases where filter.map({ benchCase.name.contains($0) }) ?? true {
            let result = benchCase.measure(samples: samples, sampleNanoseconds: Double(sampleMs) * 1e6, sink: &sink)
            rows.append([
                "case": benchCase.name, "foundation_ns": result.foundation.rounded(), "heraldjson_ns": result.heraldJSON.rounded(),
                "ratio": (result.foundation / result.heraldJSON * 100).rounded() / 100, "iterations_per_sample": result.iterations, "clock": "thread CPU time",
            ])
            if !json {
                let line = benchCase.name.padding(toLength: 62, withPad: " ", startingAt: 0)
                    + String(format: "  Foundation %8.0f ns   HeraldJSON %7.0f ns   x%5.2f", result.foundation, result.heraldJSON, result.foundation / result.heraldJSON)
                print(line)
            }
        }
        if sink == Int.min { print("") }  // keeps the measured work observable
        if json { try printJSON(["samples": samples, "cases": rows]) }
    }

    private static func memberCount(_ value: JSONValue?) -> Int {
        if case .object(let members)? = value { members.count } else { -1 }
    }

    private static func memberCount(_ value: Any?) -> Int {
        (value as? [String: Any])?.count ?? -1
    }

    /// A notification email as EmailNotificationService sends it, with a 2 KB HTML body.
    static func realisticRequest() -> PostmarkEmailRequest {
        let row = #"<tr><td style="padding:4px 8px;border-bottom:1px solid #eee">Rent — March</td><td style="text-align:right">1 200,00 €</td></tr>"#
        let html = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>Payment overdue</title></head>
            <body style="font-family:-apple-system,Segoe UI,sans-serif;color:#222"><p>Hello Ada,</p>
            <p>Invoice <a href="https://app.example.com/invoices/42?utm_source=herald&amp;utm_medium=email">#42</a> is overdue by 3 days.</p>
            <table style="border-collapse:collapse;width:100%">\(String(repeating: row + "\n", count: 11))</table>
            <p><a href="https://app.example.com/invoices/42/pay" style="background:#0a58ca;color:#fff;padding:8px 16px;border-radius:4px">Pay now</a></p>
            <p style="color:#888;font-size:12px">You receive this email because you are a tenant of NexusRMS.</p>
            <img src="https://herald.example.com/t/o/AbCdEfGhIjKlMnOp.gif" width="1" height="1" alt=""></body></html>
            """
        let text = "Hello Ada,\n\nInvoice #42 is overdue by 3 days.\n\n" + String(repeating: "Rent — March: 1 200,00 €\n", count: 11)
            + "\nPay now: https://app.example.com/invoices/42/pay\n"
        return PostmarkEmailRequest(
            from: "\"NexusRMS\" <notifications@herald.example>", to: "ada.lovelace@example.com", subject: "Payment overdue: invoice #42",
            htmlBody: html, textBody: text,
            headers: [.init(name: "Message-ID", value: "<0b5c2a34-9d7e-4f61-8a2b-3c4d5e6f7a8b.ada@herald.example>"), .init(name: "X-PM-KeepID", value: "true")],
            tag: "notification",
            metadata: ["herald_notif_id": "0b5c2a34-9d7e-4f61-8a2b-3c4d5e6f7a8b", "herald_notif_type": "invoice.overdue"],
            messageStream: "outbound")
    }
}

/// One operation done both ways; each closure returns a value derived from the result so the
/// work cannot be optimised away.
struct BenchCase {
    let name: String
    let foundation: () -> Int
    let heraldJSON: () -> Int

    struct Result {
        var foundation: Double
        var heraldJSON: Double
        var iterations: Int
    }

    /// Median ns per operation of each way, over `samples` alternating samples of equal iteration count.
    func measure(samples: Int, sampleNanoseconds: Double, sink: inout Int) -> Result {
        // Warm up both, then size a sample from the slower (Foundation) way.
        for _ in 0..<200 { sink &+= foundation() &+ heraldJSON() }
        let probe = Self.time(iterations: 200, foundation, sink: &sink)
        let iterations = max(50, Int(sampleNanoseconds / max(probe, 1)))
        var foundationTimes: [Double] = []
        var heraldTimes: [Double] = []
        for _ in 0..<samples {
            foundationTimes.append(Self.time(iterations: iterations, foundation, sink: &sink))
            heraldTimes.append(Self.time(iterations: iterations, heraldJSON, sink: &sink))
        }
        return Result(foundation: Self.median(foundationTimes), heraldJSON: Self.median(heraldTimes), iterations: iterations)
    }

    /// CPU nanoseconds of this thread per call of `body` (the work never suspends, so the thread
    /// stays the same).
    private static func time(iterations: Int, _ body: () -> Int, sink: inout Int) -> Double {
        let start = threadCPUNanoseconds()
        for _ in 0..<iterations { sink &+= body() }
        return Double(threadCPUNanoseconds() - start) / Double(iterations)
    }

    private static func threadCPUNanoseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return now.tv_sec * 1_000_000_000 + now.tv_nsec
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
