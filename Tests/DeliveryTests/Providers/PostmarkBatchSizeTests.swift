import Curl
import Foundation
import Providers
import Sandbox
import Testing

/// Batches are cut by count (500) and by body size (50 MB), so Postmark never refuses a batch as a whole.
@Suite("Postmark batches within 50 MB")
struct PostmarkBatchSizeTests {
    @Test("Chunks: by count, by bytes (brackets and commas counted), an oversized message alone")
    func chunks() {
        let small = [UInt8](repeating: 1, count: 10)
        #expect(PostmarkBatch.chunks([]) == [])
        #expect(PostmarkBatch.chunks(Array(repeating: small, count: 1001)) == [0..<500, 500..<1000, 1000..<1001])
        // [a,b,c] = 2 + 30 + 2 = 34 bytes: at 34 one chunk, at 33 the third element starts the next.
        #expect(PostmarkBatch.chunks(Array(repeating: small, count: 3), maximumBytes: 34) == [0..<3])
        #expect(PostmarkBatch.chunks(Array(repeating: small, count: 3), maximumBytes: 33) == [0..<2, 2..<3])
        let huge = [UInt8](repeating: 1, count: 100)
        #expect(PostmarkBatch.chunks([small, huge, small], maximumBytes: 50) == [0..<1, 1..<2, 2..<3])
    }

    @Test("Twelve 4.9 MB digests: two /email/batch calls, every one accepted by the strict sandbox")
    func largeBatchIsSplitBySize() async throws {
        try await ProviderClientTestSupport.withSandbox { sandbox in
            // ~59 MB over loopback and parsed by a debug build: a generous, load-scaled timeout.
            let client = await ProviderClientTestSupport.postmark(sandbox) { $0.requestTimeout = .seconds(300) }
            let body = String(repeating: "a", count: 4_900_000)
            let emails = (0..<12).map { index in
                PostmarkEmailRequest(from: "n@herald.example", to: "u\(index)@example.com", subject: "Digest \(index)", htmlBody: nil, textBody: body)
            }
            let results = await client.sendBatch(emails)
            #expect(results.count == 12)
            #expect(results.allSatisfy { $0.outcome == .success }, "\(results.compactMap(\.outcome.reason).first ?? "")")
            #expect(sandbox.counters().batchRequests == 2)
            #expect(sandbox.counters().emailsAccepted == 12)
        }
    }
}
