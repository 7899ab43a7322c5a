/// A message shown at the top of a page after an action (chosen from fixed texts by code, so a
/// link cannot make the console display words of an attacker's choosing).
struct ConsoleNotice: Sendable {
    var text: String
    var good: Bool

    static func from(code: String?, count: String?) -> ConsoleNotice? {
        let number = count.flatMap(Int.init).map(String.init) ?? "?"
        switch code {
        case "retried": return .init(text: "The job was re-queued.", good: true)
        case "not-retried": return .init(text: "Nothing was re-queued: the job is not failed, cancelled, retryable or scheduled any more.", good: false)
        case "unique-conflict": return .init(text: "Not re-queued: another live job holds the same unique key.", good: false)
        case "cancelled": return .init(text: "The job was cancelled.", good: true)
        case "not-cancelled": return .init(text: "Nothing was cancelled: the job has already finished.", good: false)
        case "bulk-retried": return .init(text: "\(number) failed job(s) were re-queued.", good: true)
        case "unsuppressed": return .init(text: "The suppression was removed; the reason is recorded.", good: true)
        case "not-suppressed": return .init(text: "The address was not suppressed (any more).", good: false)
        case "released": return .init(text: "The reply was released into its thread.", good: true)
        case "not-released": return .init(text: "The reply cannot be released: only replies kept for sender_mismatch or spam, with a thread, can.", good: false)
        case "discarded": return .init(text: "The reply was discarded.", good: true)
        case "not-discarded": return .init(text: "Nothing was discarded: the reply is threaded or already discarded.", good: false)
        default: return nil
        }
    }
}
