import Foundation
public import Logging
public import Mail
public import Postgres
public import Providers
public import Queue

/// The discussion job handlers (`message.fanout`), for `herald work` and `herald run`.
public enum DiscussionHandlers {
    /// The handlers, composing with `composer` and sending through `postmark`.
    public static func all(
        pool: PostgresPool, composer: EmailComposer, postmark: PostmarkClient, defaultFrom: String, logger: Logger
    ) -> [any JobHandler] {
        [DiscussionFanoutHandler(pool: pool, composer: composer, postmark: postmark, defaultFrom: defaultFrom, logger: logger)]
    }
}
