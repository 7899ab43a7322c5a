import Foundation
import HTTPTypes
import Hummingbird
import Mail
import NIOCore
import Notifications

/// `GET` and `POST /u/{token}`: the one-click unsubscribe URL of digest emails (RFC 8058).
///
/// Only a POST unsubscribes (a mail provider's one-click POST carries `List-Unsubscribe=One-Click`;
/// the confirmation page's form posts the same). A GET — a link scanner, a preview, a person who
/// clicked — shows a page with that form and changes nothing. A forged or altered token is 400.
extension HeraldServer {
    func unsubscribePage(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard (try? UnsubscribeToken.verify(token, key: configuration.signingKey)) != nil else {
            return Self.text(.badRequest, "invalid or altered unsubscribe link")
        }
        // The token is base64url: nothing in it needs escaping in an attribute.
        return Self.html(.ok, """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Unsubscribe</title><meta name="robots" content="noindex"></head>
            <body><h1>Stop digest emails?</h1>
            <p>You will no longer receive summary emails. Urgent notifications are still sent.</p>
            <form method="post" action="/u/\(token)"><input type="hidden" name="List-Unsubscribe" value="One-Click">
            <button type="submit">Unsubscribe</button></form></body></html>
            """)
    }

    func unsubscribe(_ request: Request, context: HeraldRequestContext) async throws -> Response {
        let token = context.parameters.get("token") ?? ""
        guard let verified = try? UnsubscribeToken.verify(token, key: configuration.signingKey) else {
            return Self.text(.badRequest, "invalid or altered unsubscribe link")
        }
        _ = try await body(of: request)
        switch try await DigestUnsubscriber(pool: pool).unsubscribe(userID: verified.userID) {
        case .unsubscribed:
            return Self.html(.ok, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Unsubscribed</title></head><body><p>You are unsubscribed from digest emails.</p></body></html>")
        case .unknownUser:
            return Self.text(.notFound, "no such subscription")
        }
    }

    static func html(_ status: HTTPResponse.Status, _ page: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
