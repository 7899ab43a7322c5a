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
        var list = list
        if let ascii = list.withUTF8({ bytes in bytes.allSatisfy { $0 < 0x80 } ? ASCII.parse(bytes) : nil }) {
            return try ascii.get()
        }
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

extension EmailAddressList {
    /// The same parsing on the bytes of all-ASCII text, where every `Character` the general code
    /// compares with is a single byte (CR LF, the one two-byte `Character`, is never one of them).
    /// It skips grapheme breaking and substring copies for the usual `Name <a@b.c>` lists.
    enum ASCII {
        typealias Bytes = UnsafeBufferPointer<UInt8>

        static func parse(_ bytes: Bytes) -> Result<[EmailAddress], InvalidAddress> {
            var result: [EmailAddress] = []
            var inQuotes = false
            var angleDepth = 0
            var escaped = false
            var start = 0
            for index in 0...bytes.count {
                if index < bytes.count {
                    let byte = bytes[index]
                    if escaped {
                        escaped = false
                        continue
                    }
                    switch byte {
                    case UInt8(ascii: "\\") where inQuotes: escaped = true; continue
                    case UInt8(ascii: "\""): inQuotes.toggle(); continue
                    case UInt8(ascii: "<") where !inQuotes: angleDepth += 1; continue
                    case UInt8(ascii: ">") where !inQuotes: angleDepth = max(0, angleDepth - 1); continue
                    case UInt8(ascii: ",") where !inQuotes && angleDepth == 0: break
                    default: continue
                    }
                }
                let entry = trimmed(bytes, start..<index)
                start = index + 1
                if entry.isEmpty { continue }
                switch parseEntry(bytes, entry) {
                case .success(let address): result.append(address)
                case .failure(let error): return .failure(error)
                }
            }
            return .success(result)
        }

        private static func parseEntry(_ bytes: Bytes, _ entry: Range<Int>) -> Result<EmailAddress, InvalidAddress> {
            var name: String?
            var address = entry
            if let open = entry.last(where: { bytes[$0] == UInt8(ascii: "<") }) {
                guard let close = (open..<entry.upperBound).first(where: { bytes[$0] == UInt8(ascii: ">") }),
                    trimmed(bytes, (close + 1)..<entry.upperBound).isEmpty
                else { return .failure(invalid(bytes, entry, checkingAtIn: entry)) }
                address = trimmed(bytes, (open + 1)..<close)
                var display = trimmed(bytes, entry.lowerBound..<open)
                if display.count >= 2, bytes[display.lowerBound] == UInt8(ascii: "\""), bytes[display.upperBound - 1] == UInt8(ascii: "\"") {
                    display = (display.lowerBound + 1)..<(display.upperBound - 1)
                }
                name = display.isEmpty ? nil : string(bytes, display)
            }
            guard isValidAddress(bytes, address) else { return .failure(invalid(bytes, entry, checkingAtIn: address)) }
            return .success(EmailAddress(name: name, address: string(bytes, address)))
        }

        private static func invalid(_ bytes: Bytes, _ entry: Range<Int>, checkingAtIn part: Range<Int>) -> InvalidAddress {
            InvalidAddress(text: string(bytes, entry), missingAt: !part.contains(where: { bytes[$0] == UInt8(ascii: "@") }))
        }

        /// ``EmailAddressList/isValidAddress(_:)`` for ASCII: Unicode's Alphabetic is A–Z, a–z there.
        private static func isValidAddress(_ bytes: Bytes, _ address: Range<Int>) -> Bool {
            guard let at = address.last(where: { bytes[$0] == UInt8(ascii: "@") }) else { return false }
            let local = address.lowerBound..<at
            let domain = (at + 1)..<address.upperBound
            guard !local.isEmpty, local.count <= 64, domain.count <= 253, bytes[local.lowerBound] != UInt8(ascii: "."),
                bytes[local.upperBound - 1] != UInt8(ascii: ".")
            else { return false }
            var previous: UInt8 = 0
            for index in local {
                let byte = bytes[index]
                if byte == UInt8(ascii: ".") && previous == UInt8(ascii: ".") { return false }
                previous = byte
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    continue
                default:
                    guard localSpecials.contains(byte) else { return false }
                }
            }
            var labels = 0
            var labelStart = domain.lowerBound
            for index in domain.lowerBound...domain.upperBound {
                guard index == domain.upperBound || bytes[index] == UInt8(ascii: ".") else {
                    switch bytes[index] {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                        UInt8(ascii: "-"):
                        continue
                    default: return false
                    }
                }
                let label = labelStart..<index
                guard !label.isEmpty, label.count <= 63, bytes[label.lowerBound] != UInt8(ascii: "-"),
                    bytes[label.upperBound - 1] != UInt8(ascii: "-")
                else { return false }
                labels += 1
                labelStart = index + 1
            }
            return labels >= 2
        }

        private static let localSpecials = Set("!#$%&'*+/=?^_`{|}~.-".utf8)

        /// `range` without leading and trailing spaces and tabs.
        private static func trimmed(_ bytes: Bytes, _ range: Range<Int>) -> Range<Int> {
            var lower = range.lowerBound
            var upper = range.upperBound
            while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") { lower += 1 }
            while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") { upper -= 1 }
            return lower..<upper
        }

        private static func string(_ bytes: Bytes, _ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
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
