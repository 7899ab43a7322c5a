import HummingbirdAuth
import Hummingbird

/// Sets every `/admin` request's ``ConsoleAccess`` (possibly the anonymous role) by the
/// ``ConsoleGate``'s rules, or refuses it (403: no logins configured and not a direct loopback
/// client). What a role may then see or do is decided by the guards of the route's group.
struct ConsoleAuthenticator: AuthenticatorMiddleware {
    typealias Context = ConsoleRequestContext
    let gate: ConsoleGate

    func authenticate(request: Request, context: Context) async throws -> ConsoleAccess? {
        try gate.access(request, peer: context.remoteAddress?.ipAddress)
    }
}
