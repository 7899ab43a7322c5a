public import Curl
public import Foundation
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

    /// The handlers configured from the environment (see ``DiscussionSettings/fromEnvironment(_:sandbox:)``
    /// and `PostmarkConfiguration.fromEnvironment`), sending over `httpClient`.
    /// - Throws: `DeliveryError` `.invalidConfiguration` naming what is missing.
    public static func fromEnvironment(
        _ environment: [String: String], sandbox: Bool, pool: PostgresPool, httpClient: CurlClient, logger: Logger
    ) throws -> [any JobHandler] {
        let settings = try DiscussionSettings.fromEnvironment(environment, sandbox: sandbox)
        let postmark = PostmarkClient(configuration: try PostmarkConfiguration.fromEnvironment(environment, sandbox: sandbox), httpClient: httpClient, logger: logger)
        return all(pool: pool, composer: try settings.composer(), postmark: postmark, defaultFrom: settings.defaultFrom, logger: logger)
    }
}
