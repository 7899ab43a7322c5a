import Mail
import Testing

@Suite("ReplyQuoteStripper")
struct ReplyQuoteStripperTests {
    @Test("Gmail: attribution wrapped over two lines, quoted text with a quoted signature")
    func gmailWrapped() {
        let body = """
            Thanks, Friday works for me.

            I'll bring the contracts.

            On Tue, Mar 3, 2026 at 9:14 AM Ada Lovelace via NexusRMS <
            reply+mfrggzdfmztwq2lknnwg23tpobyxe43uov3ho6dzpi@reply.example.com> wrote:

            > Hi Jane,
            >
            > Can we meet on Friday?
            >
            > --
            > Ada

            """
        #expect(ReplyQuoteStripper.strip(body) == "Thanks, Friday works for me.\n\nI'll bring the contracts.")
    }

    @Test("Gmail: one-line attribution, CRLF line endings")
    func gmailOneLine() {
        let body = "Sounds great!\r\n\r\nOn Tue, 3 Mar 2026 at 09:14, Ada Lovelace <ada@example.com> wrote:\r\n> Hi Jane,\r\n> Friday?\r\n"
        #expect(ReplyQuoteStripper.strip(body) == "Sounds great!")
    }

    @Test("Gmail: forwarded message block")
    func gmailForwarded() {
        let body = """
            FYI, see below.

            ---------- Forwarded message ---------
            From: Ada Lovelace <ada@example.com>
            Date: Tue, Mar 3, 2026 at 9:14 AM
            Subject: Kick-off
            To: <jane@example.com>

            Hi Jane, can we meet on Friday?
            """
        #expect(ReplyQuoteStripper.strip(body) == "FYI, see below.")
    }

    @Test("Gmail in German and French")
    func gmailLocalized() {
        let german = "Passt!\n\nAm Di., 3. März 2026 um 09:14 Uhr schrieb Ada Lovelace <ada@example.com>:\n> Hallo Jane,\n"
        #expect(ReplyQuoteStripper.strip(german) == "Passt!")
        let french = "Parfait.\n\nLe mar. 3 mars 2026 à 09:14, Ada Lovelace <ada@example.com> a écrit :\n> Bonjour Jane,\n"
        #expect(ReplyQuoteStripper.strip(french) == "Parfait.")
    }

    @Test("Outlook desktop: underscore rule and From/Sent/To/Subject block; the unmarked signature stays")
    func outlookDesktop() {
        let body = """
            Sounds good – see you then.

            Jane Doe
            Head of Operations | Acme Ltd

            ________________________________
            From: Ada Lovelace <reply+abc@reply.example.com>
            Sent: Tuesday, March 3, 2026 9:14 AM
            To: Jane Doe <jane@example.com>
            Subject: Re: Kick-off: venue

            Hi Jane,
            Can we meet on Friday?
            """
        #expect(ReplyQuoteStripper.strip(body) == "Sounds good – see you then.\n\nJane Doe\nHead of Operations | Acme Ltd")
    }

    @Test("Outlook: -----Original Message-----")
    func outlookOriginalMessage() {
        let body = """
            Confirmed.

            -----Original Message-----
            From: Ada Lovelace [mailto:reply+abc@reply.example.com]
            Sent: Tuesday, March 03, 2026 9:14 AM
            To: Jane Doe
            Subject: Kick-off

            Can we meet on Friday?
            """
        #expect(ReplyQuoteStripper.strip(body) == "Confirmed.")
    }

    @Test("Outlook on the web / mobile: bold header block and 'Get Outlook for iOS'")
    func outlookMobile() {
        let body = """
            On my way.

            Get Outlook for iOS
            ________________________________
            *From:* Ada Lovelace <reply+abc@reply.example.com>
            *Sent:* Tuesday, March 3, 2026 9:14:02 AM
            *To:* Jane Doe <jane@example.com>
            *Subject:* Kick-off

            Hi Jane
            """
        #expect(ReplyQuoteStripper.strip(body) == "On my way.")
    }

    @Test("Apple Mail on iOS: quoted attribution and 'Sent from my iPhone'")
    func appleMailIOS() {
        let body = """
            Yes, Friday is fine.

            Sent from my iPhone

            > On 3 Mar 2026, at 09:14, Ada Lovelace <reply+abc@reply.example.com> wrote:
            >
            > Hi Jane,
            > Can we meet on Friday?
            """
        #expect(ReplyQuoteStripper.strip(body) == "Yes, Friday is fine.")
    }

    @Test("Apple Mail on macOS: unquoted attribution followed by quotes")
    func appleMailMac() {
        let body = """
            Works for me!

            Jane

            On Mar 3, 2026, at 9:14 AM, Ada Lovelace <reply+abc@reply.example.com> wrote:

            Hi Jane,
            > Can we meet on Friday?
            """
        #expect(ReplyQuoteStripper.strip(body) == "Works for me!\n\nJane")
    }

    @Test("Apple Mail: forwarded message")
    func appleForwarded() {
        #expect(ReplyQuoteStripper.strip("Have a look.\n\nBegin forwarded message:\n\nFrom: Ada <ada@example.com>\nSubject: X\n") == "Have a look.")
    }

    @Test("The signature delimiter '-- ' (and '--' without its space) cuts the signature")
    func signatureDelimiter() {
        #expect(ReplyQuoteStripper.strip("Great, thanks!\n\n-- \nJane Doe\n+1 415 555 2671\n") == "Great, thanks!")
        #expect(ReplyQuoteStripper.strip("Great, thanks!\n--\nJane") == "Great, thanks!")
        #expect(ReplyQuoteStripper.strip("Prices -- as discussed -- are fine.") == "Prices -- as discussed -- are fine.")
    }

    @Test("Bottom-posted and inline replies keep the unquoted lines")
    func inlineReply() {
        let body = """
            On Tue, Mar 3, 2026 at 9:14 AM Ada <ada@example.com> wrote:
            > Can we meet on Friday?

            Yes, Friday works.

            > And bring the contracts?

            Will do.

            -- 
            Jane
            """
        #expect(ReplyQuoteStripper.strip(body) == "Yes, Friday works.\n\nWill do.")
    }

    @Test("Plain text without quotes is kept (trimmed); lines that only look like markers stay")
    func noQuotes() {
        #expect(ReplyQuoteStripper.strip("\n\n  Hello there.  \nSecond line\n\n\n\nThird") == "  Hello there.\nSecond line\n\nThird")
        #expect(ReplyQuoteStripper.strip("On Friday we meet.\nSee you.") == "On Friday we meet.\nSee you.")
        #expect(ReplyQuoteStripper.strip("From: my side, all good.\nThanks") == "From: my side, all good.\nThanks")
        #expect(ReplyQuoteStripper.strip("I wrote:\nnothing") == "I wrote:\nnothing")
    }

    @Test("A reply that is only quoted text is empty")
    func onlyQuotes() {
        #expect(ReplyQuoteStripper.strip("> a\n> b\n") == "")
        #expect(ReplyQuoteStripper.strip("") == "")
        #expect(ReplyQuoteStripper.strip("-----Original Message-----\nFrom: x\nSent: y\n\nbody") == "")
    }
}
