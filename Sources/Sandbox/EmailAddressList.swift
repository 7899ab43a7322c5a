/// One parsed mailbox: optional display name and bare address.
struct EmailAddress: Hashable, Sendable {
    var name: String?
    var address: String
}

/// Parses Postmark-style address lists (`"Jane" <jane@example.com>, bob@example.com`) and checks
/// each address with a pragmatic syntax check (what Postmark's "Illegal email address" catches).
enum EmailAddressList {
    /// An entry of the list that is not a usable address.
    struct InvalidAddress: Error, Equatable {
        /// The offending entry, as written.
        var text: String
        /// True when the entry has no `@` at all (Postmark words that case specially).
        var missingAt: Bool
    }

    /// Splits on commas outside quotes and angle brackets; empty entries are skipped.
    static func parse(_ list: String) throws(InvalidAddress) -> [EmailAddress] {
        var result: [EmailAddress] = []
        for entry in split(list) {
            let trimmed = entry.trimmingSpaces()
            if trimmed.isEmpty { continue }
            result.append(try parseEntry(trimmed))
        }
        return result
    }

    private static func split(_ list: String) -> [Substring] {
        var entries: [Substring] = []
        var inQuotes = false
        var angleDepth = 0
        var start = list.startIndex
        var escaped = false
        for index in list.indices {
            let character = list[index]
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\" where inQuotes: escaped = true
            case "\"": inQuotes.toggle()
            case "<" where !inQuotes: angleDepth += 1
            case ">" where !inQuotes: angleDepth = max(0, angleDepth - 1)
            case "," where !inQuotes && angleDepth == 0:
                entries.append(list[start..<index])
                start = list.index(after: index)
            default: break
            }
        }
        entries.append(list[start...])
        return entries
    }

    private static func parseEntry(_ entry: Substring) throws(InvalidAddress) -> EmailAddress {
        var name: String?
        var address = entry
        if let open = entry.lastIndex(of: "<") {
            guard let close = entry[open...].firstIndex(of: ">"),
                entry[entry.index(after: close)...].trimmingSpaces().isEmpty
            else { throw InvalidAddress(text: String(entry), missingAt: !entry.contains("@")) }
            address = entry[entry.index(after: open)..<close].trimmingSpaces()
            var display = entry[..<open].trimmingSpaces()
            if display.count >= 2, display.first == "\"", display.last == "\"" {
                display = display.dropFirst().dropLast()
            }
            name = display.isEmpty ? nil : String(display)
        }
        guard isValidAddress(address) else {
            throw InvalidAddress(text: String(entry), missingAt: !address.contains("@"))
        }
        return EmailAddress(name: name, address: String(address))
    }

    private static let localSpecials = Set("!#$%&'*+/=?^_`{|}~.-".unicodeScalars)

    /// A dot-atom local part, `@`, and a domain of at least two labels of letters, digits and hyphens.
    static func isValidAddress(_ address: Substring) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64, domain.utf8.count <= 253,
            local.first != ".", local.last != ".", !local.contains("..")
        else { return false }
        for scalar in local.unicodeScalars {
            // Postmark's mailbox pattern is ASCII only: ^[a-z0-9.!#$%&'`*+\-/=^_{}|~]+$
            let ok = (scalar.properties.isAlphabetic && scalar.isASCII)
                || ("0"..."9").contains(scalar) || localSpecials.contains(scalar)
            if !ok { return false }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else { return false }
            for scalar in label.unicodeScalars {
                // Postmark's domain pattern is ASCII only: ^((\.)?[a-zA-Z0-9\-])+$
                let ok = (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
                    || scalar == "-"
                if !ok { return false }
            }
        }
        return true
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (no Foundation needed).
    func trimmingSpaces() -> SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
        while end > start {
            let before = index(before: end)
            guard self[before] == " " || self[before] == "\t" else { break }
            end = before
        }
        return self[start..<end]
    }
}
