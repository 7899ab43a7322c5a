import Mail
import Testing

@Suite("HTMLReplyText: HTML-only replies to text without the quote (pure)")
struct HTMLReplyTextTests {
    @Test func blocksBreaksListsAndEntities() {
        let html = "<html><head><title>x</title><style>p{color:red}</style><script>alert(1)</script></head><body><p>One &amp; two&nbsp;&lt;3</p><p>Three<br>four</p><ul><li>a</li><li>b</li></ul><div>caf&eacute; &#233; &#xE9; &unknown; R&amp;D</div></body></html>"
        #expect(HTMLReplyText.text(fromHTML: html) == "One & two <3\n\nThree\nfour\n\n- a\n- b\ncafé é é &unknown; R&D")
    }

    @Test func whitespaceCollapsesExceptInPre() {
        #expect(HTMLReplyText.text(fromHTML: "<div>  a \n\n  b\t c </div><pre>x  y\n  z</pre>") == "a b c\nx  y\n  z")
    }

    @Test func quotedPartsAreDropped() {
        #expect(HTMLReplyText.text(fromHTML: "<div>Yes.</div><blockquote>old <blockquote>older</blockquote> still old</blockquote><div>After.</div>") == "Yes.\nAfter.")
        #expect(HTMLReplyText.text(fromHTML: "<div>Yes.</div><div class=\"gmail_quote\"><div>On x wrote:</div><div>nested <div>deeper</div></div></div>") == "Yes.")
        #expect(HTMLReplyText.text(fromHTML: "<p>Ok</p><div class=\"moz-cite-prefix\">On 1.1.26, A wrote:</div><blockquote type=\"cite\">q</blockquote>") == "Ok")
    }

    @Test func outlookHeaderBlocksCutTheRest() {
        #expect(HTMLReplyText.text(fromHTML: "<div>Ok.</div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> A</div><div>quoted body</div>") == "Ok.")
        let desktop = "<p>Gut.</p><div style=\"border:none; border-top:solid #E1E1E1 1.0pt\"><p><b>Von:</b> A<br><b>Gesendet:</b> x</p></div><p>alt</p>"
        #expect(HTMLReplyText.text(fromHTML: desktop) == "Gut.")
        // A border-top div that is not a header block (a signature) is kept.
        let signature = "<p>Thanks</p><div style=\"border-top:solid #ccc 1pt\">Jane Doe, Acme</div>"
        #expect(HTMLReplyText.text(fromHTML: signature) == "Thanks\n\nJane Doe, Acme")
    }

    @Test func brokenHTMLNeverLosesText() {
        #expect(HTMLReplyText.text(fromHTML: "a < b and c > d") == "a < b and c > d")
        #expect(HTMLReplyText.text(fromHTML: "<div title=\"x > y\">text</div>") == "text")
        #expect(HTMLReplyText.text(fromHTML: "<div>unclosed <b>bold") == "unclosed bold")
        #expect(HTMLReplyText.text(fromHTML: "<!-- <div>hidden</div> -->shown") == "shown")
        #expect(HTMLReplyText.text(fromHTML: "") == "")
    }
}
