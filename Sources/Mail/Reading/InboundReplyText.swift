/// Which text of an inbound email becomes the message body, and how it is cleaned.
///
/// Herald's own parser (``ReplyQuoteStripper``) decides, not Postmark's `StrippedTextReply`:
/// on the reply corpus in `Tests/DeliveryTests/Inbound/ReplyCorpus` it keeps every line people
/// wrote, where a top-posting-only cut loses bottom-posted and inline answers and keeps
/// non-English quote headers (see docs/inbound.md for the scores). So:
/// 1. `TextBody` when it has any text: Herald's parser on it;
/// 2. else `HtmlBody` (an HTML-only reply): converted by ``HTMLReplyText`` (quoted part
///    dropped), then Herald's parser;
/// 3. else `StrippedTextReply`, through Herald's parser too (it is all there is).
public enum InboundReplyText {
    /// The reply text of an inbound email; empty when nothing is left once quotes are removed.
    public static func extract(textBody: String?, htmlBody: String?, strippedTextReply: String?) -> String {
        if let text = textBody, text.contains(where: { !$0.isWhitespace }) {
            return ReplyQuoteStripper.strip(text)
        }
        if let html = htmlBody, html.contains(where: { !$0.isWhitespace }) {
            let text = HTMLReplyText.text(fromHTML: html)
            if text.contains(where: { !$0.isWhitespace }) { return ReplyQuoteStripper.strip(text) }
        }
        if let stripped = strippedTextReply, stripped.contains(where: { !$0.isWhitespace }) {
            return ReplyQuoteStripper.strip(stripped)
        }
        return ""
    }
}
