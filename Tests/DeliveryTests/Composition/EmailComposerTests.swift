import Foundation
import Mail
import Providers
import Testing

@Suite("EmailComposer")
struct EmailComposerTests {
    let key: TokenSigningKey
    let composer: EmailComposer
    let threadID = UUID(uuidString: "0b7d5b1c-3a52-4a8e-9f61-2d1c4e5f6a7b") ?? UUID()
    let rootID = UUID(uuidString: "6f1c2b1e-8d3a-4c1e-9b2a-0e4f5a6b7c8d") ?? UUID()
    let replyID = UUID(uuidString: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d") ?? UUID()
    let secondReplyID = UUID(uuidString: "11111111-2222-4333-8444-555555555555") ?? UUID()
    let pixel = TrackingPixelID(rawValue: "0123456789abcdef0123456789abcdef")

    init() throws {
        self.key = try TokenSigningKey(secret: String(repeating: "s3cr3t-", count: 6))
        self.composer = try EmailComposer(
            configuration: .init(publicURL: "https://herald.example.com/", messageIDDomain: "mail.example.com"),
            signingKey: self.key
        )
    }

    private func email(
        id: UUID,
        to: String = "jane@example.com",
        toName: String? = "Jane Doe",
        subject: String = "Kick-off: venue",
        html: String = "<html><body><p>Hello</p></body></html>",
        text: String = "Hello",
        ancestors: [EmailAncestor] = [],
        signature: EmailSignature? = nil
    ) throws -> OutboundEmail {
        OutboundEmail(
            messageID: id,
            threadID: self.threadID,
            from: try EmailAddress("events@nexusrms.example", name: "Ada (NexusRMS)"),
            to: try EmailAddress(to, name: toName),
            subject: subject,
            htmlBody: html,
            textBody: text,
            ancestors: ancestors,
            replyDomain: "reply.example.com",
            signature: signature,
            trackingPixelID: try #require(self.pixel)
        )
    }

    // MARK: Threading

    @Test("Three generations: root → reply → reply carry In-Reply-To and References")
    func threeGenerations() throws {
        let root = try self.composer.compose(self.email(id: self.rootID))
        #expect(root.inReplyTo == nil)
        #expect(root.references.isEmpty)
        #expect(root.header("In-Reply-To") == nil)
        #expect(root.header("References") == nil)
        #expect(root.subject == "Kick-off: venue")

        let reply = try self.composer.compose(self.email(id: self.replyID, ancestors: [.herald(messageID: self.rootID)]))
        #expect(reply.inReplyTo == root.messageID)
        #expect(reply.references == [root.messageID])
        #expect(reply.header("In-Reply-To") == root.messageID.value)
        #expect(reply.header("References") == root.messageID.value)
        #expect(reply.subject == "Re: Kick-off: venue")

        let second = try self.composer.compose(
            self.email(id: self.secondReplyID, subject: "Re: Kick-off: venue", ancestors: [.herald(messageID: self.rootID), .herald(messageID: self.replyID)])
        )
        #expect(second.inReplyTo == reply.messageID)
        #expect(second.references == [root.messageID, reply.messageID])
        #expect(second.header("In-Reply-To") == reply.messageID.value)
        #expect(second.header("References") == "\(root.messageID.value) \(reply.messageID.value)")
        #expect(second.subject == "Re: Kick-off: venue")  // not doubled

        #expect(Set([root.messageID, reply.messageID, second.messageID]).count == 3)
        #expect(second.headers.map(\.name) == ["Message-ID", "X-PM-KeepID", "In-Reply-To", "References", "X-Auto-Response-Suppress"])
        #expect(second.header("X-PM-KeepID") == "true")
    }

    @Test("An inbound reply in the chain is referenced by the Message-ID it arrived with")
    func receivedAncestor() throws {
        let root = try self.composer.compose(self.email(id: self.rootID))
        let gmailID = "<CAF=abc123+XyZ@mail.gmail.com>"
        let onward = try self.composer.compose(
            self.email(id: self.secondReplyID, ancestors: [.herald(messageID: self.rootID), .received(messageIDHeader: "  CAF=abc123+XyZ@mail.gmail.com ")])
        )
        #expect(onward.inReplyTo?.value == gmailID)
        #expect(onward.header("References") == "\(root.messageID.value) \(gmailID)")
    }

    @Test("Each recipient's References use the ids that recipient received")
    func perRecipientReferences() throws {
        let rootForJane = try self.composer.compose(self.email(id: self.rootID, to: "jane@example.com"))
        let rootForBob = try self.composer.compose(self.email(id: self.rootID, to: "bob@example.com"))
        #expect(rootForJane.messageID != rootForBob.messageID)
        let replyForBob = try self.composer.compose(self.email(id: self.replyID, to: "bob@example.com", ancestors: [.herald(messageID: self.rootID)]))
        #expect(replyForBob.inReplyTo == rootForBob.messageID)

        let shared = try EmailComposer(configuration: .init(messageIDDomain: "mail.example.com", messageIDPerRecipient: false), signingKey: self.key)
        let sharedJane = try shared.compose(self.email(id: self.rootID, to: "jane@example.com"))
        let sharedBob = try shared.compose(self.email(id: self.rootID, to: "bob@example.com"))
        #expect(sharedJane.messageID == sharedBob.messageID)
    }

    @Test("Message-ID is deterministic per (message, recipient) and matches an independent UUIDv5")
    func deterministicMessageID() throws {
        let first = try self.composer.compose(self.email(id: self.rootID))
        let retry = try self.composer.compose(self.email(id: self.rootID, to: "  JANE@Example.com"))
        #expect(first.messageID == retry.messageID)
        // Python: uuid.uuid5(uuid.UUID("bdf696df-0ccb-52c1-9dc5-ddc318c8b1d5"), "6f1c2b1e-8d3a-4c1e-9b2a-0e4f5a6b7c8d|jane@example.com")
        #expect(first.messageID.value == "<b8609fc4-c464-5001-b734-552a73470484@mail.example.com>")
        #expect(first.header("Message-ID") == first.messageID.value)
        // The namespace itself is uuid5(NAMESPACE_DNS, "herald.nexusrms").
        #expect(MessageID.namespace.uuidString.lowercased() == "bdf696df-0ccb-52c1-9dc5-ddc318c8b1d5")
    }

    @Test("References are capped, keeping the root and the most recent ids")
    func referencesCap() throws {
        let ids = (0..<15).map { _ in UUID() }
        let email = try self.email(id: self.secondReplyID, ancestors: ids.map { .herald(messageID: $0) })
        let composed = try self.composer.compose(email)
        let expected = try ids.map { try self.composer.messageID(for: $0, recipient: "jane@example.com") }
        #expect(composed.references.count == 10)
        #expect(composed.references.first == expected[0])
        #expect(Array(composed.references.dropFirst()) == Array(expected.suffix(9)))
        #expect(composed.inReplyTo == expected[14])
        #expect(EmailComposer.cappedReferences(Array(expected.prefix(3)), maximum: 10) == Array(expected.prefix(3)))
        #expect(EmailComposer.cappedReferences(expected, maximum: 0).count == 2)
    }

    @Test("Subject prefix: Re: added once, in any case")
    func subjectPrefix() {
        #expect(EmailComposer.subject("Hello", isReply: true) == "Re: Hello")
        #expect(EmailComposer.subject("RE: Hello", isReply: true) == "RE: Hello")
        #expect(EmailComposer.subject("re:Hello", isReply: true) == "re:Hello")
        #expect(EmailComposer.subject("Hello", isReply: false) == "Hello")
        #expect(EmailComposer.subject("Reply needed", isReply: true) == "Re: Reply needed")
    }

    // MARK: Header injection

    @Test("CR/LF in names, subjects and stored Message-IDs can never start a new header")
    func headerInjection() throws {
        let email = OutboundEmail(
            messageID: self.replyID,
            threadID: self.threadID,
            from: try EmailAddress("events@nexusrms.example", name: "Eve\r\nBcc: victim@example.com"),
            to: try EmailAddress("jane@example.com", name: "Jane\n\"Boss\" \\ Doe\u{2028}X-Evil: 1"),
            subject: "Invoice\r\nBcc: victim@example.com\u{0085}\u{0000}\tdue",
            htmlBody: "<p>x</p>",
            textBody: "x",
            ancestors: [.received(messageIDHeader: "<a@b.example>\r\nBcc: victim@example.com"), .received(messageIDHeader: "<ok@b.example>")],
            replyDomain: "reply.example.com",
            trackingPixelID: try #require(self.pixel),
            tag: "disc\r\nussion"
        )
        let composed = try self.composer.compose(email)
        let everyHeaderValue = [composed.from, composed.to, composed.subject, composed.replyTo ?? "", composed.tag ?? ""] + composed.headers.flatMap { [$0.name, $0.value] }
        for value in everyHeaderValue {
            #expect(HeaderSanitizer.isSafe(value), "unsafe header value: \(value.debugDescription)")
            #expect(!value.contains("\r") && !value.contains("\n"))
        }
        #expect(composed.from == "\"Eve Bcc: victim@example.com\" <events@nexusrms.example>")
        #expect(composed.to == "\"Jane \\\"Boss\\\" \\\\ Doe X-Evil: 1\" <jane@example.com>")
        #expect(composed.subject == "Re: Invoice Bcc: victim@example.com due")
        // The poisoned stored id is dropped, not repaired into something else.
        #expect(composed.references.map(\.value) == ["<ok@b.example>"])
        #expect(composed.tag == "disc ussion")
    }

    @Test("Addresses that could smuggle headers or recipients are refused", arguments: [
        "jane@example.com\r\nBcc: victim@example.com",
        "jane doe@example.com",
        "<jane@example.com>",
        "jane@example.com, victim@example.com",
        "jane@@example.com",
        "@example.com",
        "jane@",
        "jane@exa mple.com",
        "jane@-example.com",
        "jane\"@example.com",
        "",
    ])
    func invalidAddresses(address: String) {
        #expect { try EmailAddress(address) } throws: { error in
            (error as? DeliveryError)?.code == .invalidEmailAddress
        }
    }

    @Test("Display names: quoted and escaped; empty names are dropped")
    func displayNames() throws {
        #expect(try EmailAddress("a@b.example", name: "Ada Lovelace").formatted == "\"Ada Lovelace\" <a@b.example>")
        #expect(try EmailAddress("a@b.example", name: "Doe, Jane").formatted == "\"Doe, Jane\" <a@b.example>")
        #expect(try EmailAddress("a@b.example", name: "Zoë Ångström").formatted == "\"Zoë Ångström\" <a@b.example>")
        #expect(try EmailAddress(" a@b.example ", name: " \r\n ").formatted == "a@b.example")
        #expect(try EmailAddress("a@b.example").name == nil)
    }

    // MARK: Signature, pixel, links

    @Test("Signature of exactly 2,000 characters is appended; 2,001 are refused")
    func signatureLimits() throws {
        let exact = try EmailSignature(String(repeating: "é", count: 1_999) + "!")
        let composed = try self.composer.compose(self.email(id: self.rootID, signature: exact))
        #expect(composed.textBody.hasSuffix("-- \n" + exact.text))
        #expect(composed.htmlBody.contains("<div class=\"herald-signature\""))
        #expect(composed.htmlBody.contains(String(repeating: "é", count: 1_999) + "!</div>"))
        #expect(throws: DeliveryError.self) { try EmailSignature(String(repeating: "é", count: 2_001)) }
    }

    @Test("The 1x1 pixel is the last thing in the HTML body, after the signature, before </body>")
    func trackingPixel() throws {
        let composed = try self.composer.compose(self.email(id: self.rootID, signature: try EmailSignature("Ada")))
        let pixel = "<img src=\"https://herald.example.com/t/0123456789abcdef0123456789abcdef.gif\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">"
        #expect(composed.htmlBody.hasSuffix(pixel + "</body></html>"))
        let signatureRange = try #require(composed.htmlBody.range(of: "herald-signature"))
        let pixelRange = try #require(composed.htmlBody.range(of: pixel))
        #expect(signatureRange.upperBound < pixelRange.lowerBound)
        #expect(composed.trackingPixelID.rawValue == "0123456789abcdef0123456789abcdef")
        // Without </body> the pixel is simply appended.
        let bare = try self.composer.compose(self.email(id: self.rootID, html: "<p>Hi</p>"))
        #expect(bare.htmlBody == "<p>Hi</p>" + pixel)
    }

    @Test("http(s) links are rewritten to signed /c/ tokens that decode to the original URLs")
    func linkRewriting() throws {
        let html = """
            <p><a href="https://example.com/a?x=1&amp;y=2">one</a> <A HREF='http://example.org/b'>two</A>
            <a href="mailto:jane@example.com">mail</a> <a href="#top">top</a> <a href="/relative">rel</a>
            <a href="javascript:alert(1)">js</a> <a data-href="https://example.com/data">data</a>
            <a href = "https://example.com/a?x=1&amp;y=2">again</a> <a href="https://herald.example.com/u/123">mine</a></p>
            """
        let text = "See https://example.com/a?x=1&y=2. Or (https://example.net/c). Bye https://example.com/d"
        let composed = try self.composer.compose(self.email(id: self.rootID, html: html, text: text))

        #expect(composed.trackedLinks.map(\.url) == ["https://example.com/a?x=1&y=2", "http://example.org/b", "https://example.net/c", "https://example.com/d"])
        #expect(composed.trackedLinks.map(\.index) == [0, 1, 2, 3])
        for link in composed.trackedLinks {
            #expect(link.trackedURL.hasPrefix("https://herald.example.com/c/"))
            let token = String(link.trackedURL.dropFirst("https://herald.example.com/c/".count))
            let decoded = try ClickToken.verify(token, key: self.key)
            #expect(decoded.url == link.url)
            #expect(decoded.linkIndex == link.index)
            #expect(decoded.trackingPixelID == self.pixel)
        }
        let first = composed.trackedLinks[0].trackedURL
        #expect(composed.htmlBody.components(separatedBy: "\"\(first)\"").count == 3)  // both occurrences, one token
        #expect(composed.htmlBody.contains("href = \"\(first)\">again"))
        #expect(composed.htmlBody.contains("href=\"mailto:jane@example.com\""))
        #expect(composed.htmlBody.contains("href=\"#top\""))
        #expect(composed.htmlBody.contains("href=\"/relative\""))
        #expect(composed.htmlBody.contains("href=\"javascript:alert(1)\""))
        #expect(composed.htmlBody.contains("data-href=\"https://example.com/data\""))
        #expect(composed.htmlBody.contains("href=\"https://herald.example.com/u/123\""))
        #expect(!composed.htmlBody.contains("href=\"https://example.com/a"))
        #expect(composed.textBody == "See \(first). Or (\(composed.trackedLinks[2].trackedURL)). Bye \(composed.trackedLinks[3].trackedURL)")
    }

    @Test("Text links stay untouched when text rewriting is off")
    func noTextRewriting() throws {
        let composer = try EmailComposer(configuration: .init(publicURL: "https://h.example", messageIDDomain: "m.example", rewriteTextLinks: false), signingKey: self.key)
        let composed = try composer.compose(self.email(id: self.rootID, text: "Go to https://example.com/x"))
        #expect(composed.textBody == "Go to https://example.com/x")
        #expect(composed.trackedLinks.isEmpty)
    }

    // MARK: Reply-To, metadata, configuration

    @Test("Reply-To is reply+<token>@<email_reply_domain>, and the token maps back to thread and recipient")
    func replyTo() throws {
        let composed = try self.composer.compose(self.email(id: self.rootID))
        let replyTo = try #require(composed.replyTo)
        #expect(replyTo.hasPrefix("reply+"))
        #expect(replyTo.hasSuffix("@reply.example.com"))
        let localPart = try #require(replyTo.split(separator: "@").first)
        #expect(localPart.count <= 64)
        let token = try ReplyToken.verify(address: replyTo, key: self.key)
        #expect(token.threadID == self.threadID)
        #expect(token.matches(recipient: "Jane@Example.com"))
        #expect(!token.matches(recipient: "bob@example.com"))
    }

    @Test("No reply domain, no Reply-To; an invalid reply domain is an error")
    func replyDomain() throws {
        var email = try self.email(id: self.rootID)
        email.replyDomain = nil
        #expect(try self.composer.compose(email).replyTo == nil)
        email.replyDomain = "reply.example.com>\r\nBcc: x@y.z"
        #expect { try self.composer.compose(email) } throws: { error in
            (error as? DeliveryError)?.code == .invalidEmailAddress
        }
    }

    @Test("Metadata carries Herald's ids, merged with the caller's; tag defaults to discussion")
    func metadata() throws {
        var email = try self.email(id: self.rootID)
        email.metadata = ["tenant": "acme"]
        let composed = try self.composer.compose(email)
        #expect(composed.metadata == [
            "tenant": "acme",
            "herald_message_id": self.rootID.uuidString.lowercased(),
            "herald_thread_id": self.threadID.uuidString.lowercased(),
            "herald_pixel_id": "0123456789abcdef0123456789abcdef",
        ])
        #expect(composed.tag == "discussion")
        #expect(composed.recipientAddress == "jane@example.com")
    }

    @Test("Invalid configuration is refused")
    func configuration() {
        #expect { try EmailComposer(configuration: .init(publicURL: "ftp://x.example"), signingKey: self.key) } throws: { error in
            (error as? DeliveryError)?.code == .invalidConfiguration
        }
        #expect { try EmailComposer(configuration: .init(messageIDDomain: "not a domain"), signingKey: self.key) } throws: { error in
            (error as? DeliveryError)?.code == .invalidConfiguration
        }
        #expect(throws: Never.self) { try EmailComposer(signingKey: self.key) }
    }
}

@Suite("EmailComposer: absent body parts")
struct EmailComposerBodyPartTests {
    @Test("A text-only email stays text-only: no HTML signature, no pixel; Postmark gets no HtmlBody")
    func textOnly() throws {
        let key = try TokenSigningKey(secret: String(repeating: "k", count: 32))
        let composer = try EmailComposer(signingKey: key)
        let email = OutboundEmail(
            messageID: UUID(),
            threadID: UUID(),
            from: try EmailAddress("a@b.example"),
            to: try EmailAddress("c@d.example"),
            subject: "S",
            htmlBody: "  \n",
            textBody: "Only text https://example.com/x",
            signature: try EmailSignature("Sig"),
            trackingPixelID: .generate()
        )
        let composed = try composer.compose(email)
        #expect(composed.htmlBody.isEmpty)
        #expect(composed.textBody.hasSuffix("-- \nSig"))
        #expect(composed.trackedLinks.count == 1)
        let request = PostmarkEmailRequest(composed)
        #expect(request.htmlBody == nil)
        #expect(request.textBody == composed.textBody)

        var htmlOnly = email
        htmlOnly.htmlBody = "<p>Hi</p>"
        htmlOnly.textBody = ""
        let composedHTML = try composer.compose(htmlOnly)
        #expect(composedHTML.textBody.isEmpty)
        #expect(composedHTML.htmlBody.contains("herald-signature"))
        #expect(composedHTML.htmlBody.contains("/t/\(email.trackingPixelID.rawValue).gif"))
        #expect(PostmarkEmailRequest(composedHTML).textBody == nil)
    }
}
