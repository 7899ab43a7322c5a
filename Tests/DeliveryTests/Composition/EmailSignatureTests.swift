import Mail
import Testing

@Suite("EmailSignature")
struct EmailSignatureTests {
    @Test("Exactly 2,000 characters are accepted, 2,001 refused with limit and length in the message")
    func limit() throws {
        let exact = String(repeating: "a", count: 2_000)
        #expect(try EmailSignature(exact).text == exact)
        #expect { try EmailSignature(exact + "b") } throws: { error in
            guard let error = error as? DeliveryError else { return false }
            return error.code == .signatureTooLong && error.message.contains("2,000") && error.message.contains("2,001")
        }
    }

    @Test("Length counts Unicode scalars, like PostgreSQL char_length")
    func scalarCounting() throws {
        #expect(EmailSignature.length(of: "é") == 1)  // precomposed U+00E9
        #expect(EmailSignature.length(of: "e\u{0301}") == 2)  // decomposed: 1 Character, 2 scalars
        #expect(EmailSignature.length(of: "👍🏽") == 2)  // emoji + skin tone modifier
        #expect(EmailSignature.length(of: "🇩🇪") == 2)  // flag = 2 regional indicators
        #expect(EmailSignature.length(of: "👨‍👩‍👧") == 5)  // family: 3 people + 2 ZWJ
        #expect(EmailSignature.length(of: "日本") == 2)

        // 1,000 decomposed é are 1,000 Characters but 2,000 scalars: accepted, one more refused.
        let decomposed = String(repeating: "e\u{0301}", count: 1_000)
        #expect(decomposed.count == 1_000)
        #expect(throws: Never.self) { try EmailSignature(decomposed) }
        #expect(throws: DeliveryError.self) { try EmailSignature(decomposed + "x") }

        // 667 flags are 667 Characters but 1,334 scalars; 1,001 flags are 2,002 scalars: refused.
        #expect(throws: Never.self) { try EmailSignature(String(repeating: "🇩🇪", count: 1_000)) }
        #expect { try EmailSignature(String(repeating: "🇩🇪", count: 1_001)) } throws: { error in
            (error as? DeliveryError)?.message.contains("2,002") ?? false
        }
    }

    @Test("Text: appended after a blank line and the RFC 3676 delimiter")
    func appendToText() throws {
        let signature = try EmailSignature("Ada Lovelace\r\nAnalytical Engines Ltd")
        #expect(signature.appendTo(text: "Hello.\n\n") == "Hello.\n\n-- \nAda Lovelace\nAnalytical Engines Ltd")
        #expect(signature.appendTo(text: "") == "-- \nAda Lovelace\nAnalytical Engines Ltd")
    }

    @Test("Text: no second delimiter when the signature has one; blank signature changes nothing")
    func appendExistingDelimiter() throws {
        #expect(try EmailSignature("--\nAda").appendTo(text: "Hi") == "Hi\n\n--\nAda")
        let blank = try EmailSignature(" \n\t\n")
        #expect(blank.isBlank)
        #expect(blank.appendTo(text: "Hi") == "Hi")
        #expect(blank.appendTo(html: "<p>Hi</p>") == "<p>Hi</p>")
    }

    @Test("HTML: escaped, newlines as <br>, in a signature div before </body>")
    func appendToHTML() throws {
        let signature = try EmailSignature("Tom & Jerry <cats@example.com>\n\"Quotes\" 'too'\n<script>alert(1)</script>")
        let html = signature.appendTo(html: "<html><body><p>Hi</p></BODY></html>")
        let expectedDiv = "<div class=\"herald-signature\" style=\"margin-top:1em;color:#555555;\">"
            + "Tom &amp; Jerry &lt;cats@example.com&gt;<br>\n&quot;Quotes&quot; &#39;too&#39;<br>\n&lt;script&gt;alert(1)&lt;/script&gt;</div>"
        #expect(html == "<html><body><p>Hi</p>" + expectedDiv + "</BODY></html>")
        #expect(!html.contains("<script>"))
        // Without </body> it is appended.
        #expect(signature.appendTo(html: "<p>Hi</p>").hasSuffix("</div>"))
    }
}
