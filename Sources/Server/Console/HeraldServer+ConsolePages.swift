import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// How the console answers: its pages inside the layout, redirects, static assets, and the
/// security headers every one of them carries.
extension HeraldServer {
    static let consoleCSP =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func consoleAsset(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=300"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// An HTML answer with the console's security headers.
    func consoleHTML(_ status: HTTPResponse.Status = .ok, _ html: String, access: ConsoleAccess?) -> Response {
        var headers = Self.consoleHeaders()
        headers[.contentType] = "text/html; charset=utf-8"
        if let cookie = access?.setCookie { headers[.setCookie] = cookie }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 to `location` (a console path), optionally setting a cookie.
    func consoleRedirect(_ location: String, cookie: String? = nil) -> Response {
        var headers = Self.consoleHeaders()
        headers[.location] = location
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    static func consoleHeaders() -> HTTPFields {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] = consoleCSP
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return headers
    }

    /// The page `template` inside the layout.
    func consolePage(_ template: String, title: String, nav: String, context: [String: Any], access: ConsoleAccess, notice: ConsoleNotice? = nil, status: HTTPResponse.Status = .ok) -> Response {
        var page = context
        page["csrf"] = access.csrf
        page["canAct"] = access.role.canAct
        let body = consoleRenderer.render(template, page)
        var layout: [String: Any] = [
            "title": title, "body": body, "csrf": access.csrf, "loggedIn": access.role.canLook,
            "canLogOut": access.session != nil && configuration.admin != nil && access.role.canLook,
            "roleLabel": access.role == .viewer ? "\(access.actor) · read-only" : (access.role == .operator ? access.actor : ""),
            "navOverview": nav == "overview" ? "current" : "", "navJobs": nav == "jobs" ? "current" : "",
            "navPeople": nav == "people" ? "current" : "", "navDiscussions": nav == "discussions" ? "current" : "",
        ]
        if let notice {
            layout["notice"] = notice.text
            layout["noticeKind"] = notice.good ? "good" : "bad"
        }
        return consoleHTML(status, consoleRenderer.render("layout", layout), access: access)
    }
}
