import Foundation
import Notifications
import Providers
import Sandbox
import Testing

/// The coalescer's rounds belong to the coalescer (issue 11): one caller's cancellation, such as
/// a digest job's timeout or a shutdown release, must not fail the sends of the others in its round.
@Suite("Postmark send coalescer")
struct PostmarkSendCoalescerTests {
    static func request(_ to: String) -> PostmarkEmailRequest {
        PostmarkEmailRequest(from: "digest@herald.localhost", to: to, subject: "Digest", htmlBody: "<p>x</p>", textBody: "x")
    }

    @Test("Cancelling the caller that opened a round fails nobody's send, its own included")
    func cancelledOpenerDoesNotFailTheRound() async throws {
        try await DeliveryHarness.run("coalescecancel") { h in
            h.sandbox.responseDelay = .milliseconds(300)
            let coalescer = PostmarkSendCoalescer(client: h.postmark, window: .milliseconds(800))
            let opener = Task { await coalescer.send(Self.request("opener@example.com")) }
            try await Task.sleep(for: .milliseconds(200))
            let others = Task {
                await withTaskGroup(of: PostmarkSendResult.self) { group in
                    for n in 0..<3 { group.addTask { await coalescer.send(Self.request("other\(n)@example.com")) } }
                    return await group.reduce(into: []) { $0.append($1) }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            opener.cancel()
            let results = await others.value
            #expect(results.count == 3)
            #expect(results.allSatisfy { $0.outcome == .success }, "\(results.map(\.outcome))")
            // The opener's email went out as well, and its caller is told so: a job told otherwise
            // would send it again.
            let openerResult = await opener.value
            #expect(openerResult.outcome == .success)
            #expect(h.sandbox.counters().emailsAccepted == 4)
        }
    }

    @Test("A lone email goes through /email, several through one /email/batch")
    func loneAndBatched() async throws {
        try await DeliveryHarness.run("coalescelone") { h in
            let coalescer = PostmarkSendCoalescer(client: h.postmark, window: .milliseconds(50))
            let lone = await coalescer.send(Self.request("lone@example.com"))
            #expect(lone.outcome == .success)
            #expect(h.sandbox.counters().emailRequests == 1)
            let coalescerWide = PostmarkSendCoalescer(client: h.postmark, window: .seconds(1))
            let results = await withTaskGroup(of: PostmarkSendResult.self) { group in
                for n in 0..<5 { group.addTask { await coalescerWide.send(Self.request("b\(n)@example.com")) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == 5 && results.allSatisfy { $0.outcome == .success })
            #expect(h.sandbox.counters().batchRequests >= 1)
            #expect(h.sandbox.counters().emailsAccepted == 6)
        }
    }
}
