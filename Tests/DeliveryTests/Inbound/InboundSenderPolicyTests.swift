import Discussions
import Foundation
import Mail
import Testing

@Suite("Inbound sender rule (pure)")
struct InboundSenderPolicyTests {
    static let thread = UUID()
    static let client = InboundSenderPolicy.Participant(id: UUID(), email: "Client@Example.com", userId: UUID())
    static let freelancer = InboundSenderPolicy.Participant(id: UUID(), email: "free@example.com")
    static let participants = [client, freelancer]

    @Test func signedTokenAcceptsOnlyTheRecipientItWasIssuedFor() {
        let token = ReplyToken(threadID: Self.thread, recipient: "client@example.com")
        #expect(InboundSenderPolicy.verify(sender: "client@example.com", claim: .signedToken(token), participants: Self.participants)
                == .allowed(participant: Self.client))
        // Another participant of the same thread is not the recipient the token was signed for.
        #expect(InboundSenderPolicy.verify(sender: "free@example.com", claim: .signedToken(token), participants: Self.participants)
                == .senderMismatch(claimed: Self.client))
        #expect(InboundSenderPolicy.verify(sender: "eve@attacker.example", claim: .signedToken(token), participants: Self.participants)
                == .senderMismatch(claimed: Self.client))
        #expect(InboundSenderPolicy.verify(sender: "", claim: .signedToken(token), participants: Self.participants)
                == .senderMismatch(claimed: Self.client))
    }

    @Test func caseAndSurroundingWhitespaceDoNotMatter() {
        let token = ReplyToken(threadID: Self.thread, recipient: "client@example.com")
        for sender in ["CLIENT@EXAMPLE.COM", "  client@example.com\t", "\nClient@Example.Com "] {
            #expect(InboundSenderPolicy.verify(sender: sender, claim: .signedToken(token), participants: Self.participants)
                    == .allowed(participant: Self.client), "\(sender.debugDescription)")
            #expect(InboundSenderPolicy.verify(sender: sender, claim: .participantToken(participantId: Self.client.id), participants: Self.participants)
                    == .allowed(participant: Self.client))
        }
        // Not a looser comparison than that: a different local part stays different.
        #expect(InboundSenderPolicy.verify(sender: "client+x@example.com", claim: .signedToken(token), participants: Self.participants)
                == .senderMismatch(claimed: Self.client))
    }

    @Test func signedTokenOfAFormerParticipantAcceptsNobody() {
        let token = ReplyToken(threadID: Self.thread, recipient: "gone@example.com")
        #expect(InboundSenderPolicy.verify(sender: "gone@example.com", claim: .signedToken(token), participants: Self.participants)
                == .senderMismatch(claimed: nil))
    }

    @Test func participantTokenBelongsToOneParticipant() {
        let claim = InboundSenderPolicy.Claim.participantToken(participantId: Self.freelancer.id)
        #expect(InboundSenderPolicy.verify(sender: "free@example.com", claim: claim, participants: Self.participants) == .allowed(participant: Self.freelancer))
        #expect(InboundSenderPolicy.verify(sender: "client@example.com", claim: claim, participants: Self.participants) == .senderMismatch(claimed: Self.freelancer))
        #expect(InboundSenderPolicy.verify(sender: "free@example.com", claim: .participantToken(participantId: UUID()), participants: Self.participants)
                == .senderMismatch(claimed: nil))
    }

    @Test func messageIDMatchAcceptsAnyParticipantOfTheThread() {
        #expect(InboundSenderPolicy.verify(sender: "free@example.com", claim: .messageID, participants: Self.participants) == .allowed(participant: Self.freelancer))
        #expect(InboundSenderPolicy.verify(sender: "CLIENT@example.com ", claim: .messageID, participants: Self.participants) == .allowed(participant: Self.client))
        #expect(InboundSenderPolicy.verify(sender: "eve@attacker.example", claim: .messageID, participants: Self.participants) == .senderMismatch(claimed: nil))
        #expect(InboundSenderPolicy.verify(sender: "free@example.com", claim: .messageID, participants: []) == .senderMismatch(claimed: nil))
    }

    @Test func senderAddressPrefersFromFullThenParsesFrom() {
        #expect(InboundSenderPolicy.senderAddress(fromFullEmail: " client@example.com ", from: "other@example.com") == "client@example.com")
        #expect(InboundSenderPolicy.senderAddress(fromFullEmail: "", from: "\"Client, Inc. <sales>\" <client@example.com>") == "client@example.com")
        #expect(InboundSenderPolicy.senderAddress(fromFullEmail: nil, from: " client@example.com ") == "client@example.com")
        #expect(InboundSenderPolicy.senderAddress(fromFullEmail: "  ", from: nil) == "")
        #expect(InboundSenderPolicy.senderAddress(fromFullEmail: nil, from: nil) == "")
    }

    @Test func spamVerdict() {
        for yes in ["Yes", "yes", " YES ", "Yes, score=6.2 required=5.0 tests=BAYES_99"] {
            #expect(InboundSenderPolicy.isSpam(xSpamStatus: yes), "\(yes)")
        }
        for no in [nil, "", "No", "No, score=-0.1 required=5.0", "Yesterday", "maybe"] {
            #expect(!InboundSenderPolicy.isSpam(xSpamStatus: no), "\(no ?? "nil")")
        }
    }
}
