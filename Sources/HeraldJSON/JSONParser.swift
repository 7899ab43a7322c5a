/// A strict RFC 8259 recursive-descent parser over a byte buffer that the caller keeps alive for
/// the duration of ``parseDocument()``.
struct JSONParser {
    private let input: UnsafeBufferPointer<UInt8>
    private var index = 0
    private let maximumDepth: Int
    private var depth = 0

    init(_ input: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.input = input
        self.maximumDepth = maximumDepth
    }

    /// One value surrounded by optional whitespace, and nothing else.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == input.count else {
            throw JSONParseError(code: .trailingData, offset: index, message: "\(describe(input[index])) after the JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < input.count else { throw endError("expected a value") }
        switch input[index] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case let byte:
            throw JSONParseError(code: .unexpectedCharacter, offset: index, message: "\(describe(byte)) cannot start a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = index
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard index < input.count else { throw endError("expected '\(literal)'") }
            guard input[index] == byte else {
                throw JSONParseError(
                    code: .unexpectedCharacter, offset: index,
                    message: "\(describe(input[index])) in a literal starting at byte \(start) (expected '\(literal)')")
            }
            index += 1
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= maximumDepth else {
            throw JSONParseError(
                code: .depthLimitExceeded, offset: index, message: "arrays and objects nested deeper than \(maximumDepth) levels")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1  // [
        skipWhitespace()
        var elements: [JSONValue] = []
        if index < input.count, input[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        elements.reserveCapacity(4)
        while true {
            elements.append(try parseValue())
            guard try separator(before: UInt8(ascii: "]"), in: "an array") else { break }
        }
        depth -= 1
        return .array(elements)
    }

    /// Objects up to this many members find a repeated key by a linear scan; bigger ones index their keys.
    private static let linearKeyScanLimit = 16

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1  // {
        skipWhitespace()
        var members: [(key: String, value: JSONValue)] = []
        if index < input.count, input[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        members.reserveCapacity(8)  // one allocation for typical API objects instead of four
        var positions: [String: Int] = [:]
        while true {
            guard index < input.count else { throw endError("expected a string key in an object") }
            guard input[index] == UInt8(ascii: "\"") else {
                throw JSONParseError(code: .unexpectedCharacter, offset: index, message: "\(describe(input[index])) where a string key was expected")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < input.count else { throw endError("expected ':' after an object key") }
            guard input[index] == UInt8(ascii: ":") else {
                throw JSONParseError(code: .unexpectedCharacter, offset: index, message: "\(describe(input[index])) where ':' was expected after an object key")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            Self.insert(key, value, into: &members, positions: &positions)
            guard try separator(before: UInt8(ascii: "}"), in: "an object") else { break }
        }
        depth -= 1
        return .object(members)
    }

    /// Reads what follows an array element or object member: `,` (true: another comes, and it is
    /// not `close`, which would make a trailing comma) or `close` itself (false: the container ends).
    /// `container` ("an array", "an object") names it in the error messages.
    private mutating func separator(before close: UInt8, in container: String) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard index < input.count else { throw endError("expected ',' or '\(describeBare(close))' in \(container)") }
        let byte = input[index]
        index += 1
        if byte == close { return false }
        guard byte == UInt8(ascii: ",") else {
            throw JSONParseError(
                code: .unexpectedCharacter, offset: index - 1,
                message: "\(describe(byte)) where ',' or '\(describeBare(close))' was expected in \(container)")
        }
        skipWhitespace()
        if index < input.count, input[index] == close {
            throw JSONParseError(code: .trailingComma, offset: index, message: "a comma before '\(describeBare(close))'")
        }
        return true
    }

    /// Appends a member, or replaces the value of an earlier member with the same key (last wins).
    private static func insert(
        _ key: String, _ value: JSONValue, into members: inout [(key: String, value: JSONValue)], positions: inout [String: Int]
    ) {
        if members.count < linearKeyScanLimit {
            for position in members.indices where members[position].key == key {
                members[position].value = value
                return
            }
            members.append((key, value))
            return
        }
        if positions.isEmpty {
            positions.reserveCapacity(members.count * 2)
            for position in members.indices { positions[members[position].key] = position }
        }
        if let position = positions[key] {
            members[position].value = value
        } else {
            positions[key] = members.count
            members.append((key, value))
        }
    }

    // MARK: Strings

    /// A string starting at the opening quote; leaves `index` after the closing quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let start = index
        index += 1  // "
        let contentStart = index
        var nonASCII = false
        skipPlainStringBytes(nonASCII: &nonASCII)
        guard index < input.count else { throw unterminated(start) }
        switch input[index] {
        case UInt8(ascii: "\""):
            let string = try makeString(UnsafeBufferPointer(rebasing: input[contentStart..<index]), ascii: !nonASCII, rawRange: contentStart..<index)
            index += 1
            return string
        case UInt8(ascii: "\\"):
            return try parseEscapedString(start: start, contentStart: contentStart, nonASCII: nonASCII)
        case let byte:
            throw controlCharacter(byte)
        }
    }

    /// The slow path, from the first backslash: decodes escapes into a byte buffer.
    private mutating func parseEscapedString(start: Int, contentStart: Int, nonASCII: Bool) throws(JSONParseError) -> String {
        var nonASCII = nonASCII
        var bytes: [UInt8] = []
        bytes.reserveCapacity(index - contentStart + 32)
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[contentStart..<index]))
        while true {
            let runStart = index
            skipPlainStringBytes(nonASCII: &nonASCII)
            if index > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<index])) }
            guard index < input.count else { throw unterminated(start) }
            let byte = input[index]
            if byte == UInt8(ascii: "\"") {
                // Escapes only add well-formed sequences: raw ASCII needs no check.
                let string = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
                    try makeString(buffer, ascii: !nonASCII, rawRange: contentStart..<index)
                }
                index += 1
                return string
            }
            guard byte == UInt8(ascii: "\\") else { throw controlCharacter(byte) }
            try decodeEscape(into: &bytes)
        }
    }

    /// Decodes one escape at `index` (a backslash) into UTF-8.
    private mutating func decodeEscape(into bytes: inout [UInt8]) throws(JSONParseError) {
        let escapeStart = index
        index += 1
        guard index < input.count else { throw endError("expected an escape after '\\'") }
        let byte = input[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(byte)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hexQuad(escapeStart: escapeStart)
            let scalar: UInt32
            switch unit {
            case 0xD800...0xDBFF:
                guard index + 1 < input.count, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u") else {
                    throw JSONParseError(code: .loneSurrogate, offset: escapeStart, message: "a high surrogate escape without a low surrogate after it")
                }
                let lowStart = index
                index += 2
                let low = try hexQuad(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(code: .loneSurrogate, offset: escapeStart, message: "a high surrogate escape without a low surrogate after it")
                }
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            case 0xDC00...0xDFFF:
                throw JSONParseError(code: .loneSurrogate, offset: escapeStart, message: "a low surrogate escape without a high surrogate before it")
            default:
                scalar = unit
            }
            Self.appendUTF8(scalar, to: &bytes)
        default:
            throw JSONParseError(code: .invalidEscape, offset: escapeStart, message: "the escape '\\\(describeBare(byte))' does not exist")
        }
    }

    /// The four hex digits after `\u` (at `index`); `escapeStart` is the backslash, for errors.
    private mutating func hexQuad(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < input.count else { throw endError("expected four hex digits after '\\u'") }
            let byte = input[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default:
                throw JSONParseError(code: .invalidEscape, offset: escapeStart, message: "'\\u' must be followed by four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            bytes.append(UInt8(scalar))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | scalar >> 6))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | scalar >> 12))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | scalar >> 18))
            bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Advances `index` past bytes that stand for themselves in a string (not `"`, `\` or a
    /// control character), eight at a time while possible; sets `nonASCII` when any of them is.
    private mutating func skipPlainStringBytes(nonASCII: inout Bool) {
        let count = input.count
        var seen: UInt64 = 0
        if let base = input.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if JSONBytes.wordNeedsAttention(word) { break }
                seen |= word
                index += 8
            }
        }
        while index < count, !JSONBytes.byteNeedsAttention(input[index]) {
            seen |= UInt64(input[index])
            index += 1
        }
        if seen & 0x8080_8080_8080_8080 != 0 { nonASCII = true }
    }

    /// A String of well-formed UTF-8. ASCII needs no check; otherwise an ill-formed sequence is an
    /// error at its offset in `rawRange`, the string's bytes as they are in the input.
    private func makeString(_ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool, rawRange: Range<Int>) throws(JSONParseError) -> String {
        if !ascii, UTF8Validation.firstInvalidOffset(bytes) != bytes.count { throw invalidUTF8(rawRange) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Numbers

    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
        1e21, 1e22,
    ]

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        let negative = input[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        // All digits go into `mantissa` while it fits, `decimalExponent` counts the fraction
        // digits and the exponent: together they make the value for the exact fast path.
        var mantissa: UInt64 = 0
        var mantissaOverflow = false
        var decimalExponent = 0
        guard index < input.count else { throw endError("expected a digit after '-'") }
        switch input[index] {
        case UInt8(ascii: "0"):
            index += 1
            if index < input.count, Self.isDigit(input[index]) {
                throw JSONParseError(code: .invalidNumber, offset: index, message: "a number with a leading zero")
            }
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            while index < input.count, Self.isDigit(input[index]) {
                Self.accumulate(input[index], into: &mantissa, overflow: &mantissaOverflow)
                index += 1
            }
        case let byte:
            throw JSONParseError(code: .invalidNumber, offset: index, message: "\(describe(byte)) where a digit was expected")
        }
        var isInteger = true
        if index < input.count, input[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < input.count else { throw endError("expected a digit after '.'") }
            guard Self.isDigit(input[index]) else {
                throw JSONParseError(code: .invalidNumber, offset: index, message: "\(describe(input[index])) where a digit was expected after '.'")
            }
            while index < input.count, Self.isDigit(input[index]) {
                Self.accumulate(input[index], into: &mantissa, overflow: &mantissaOverflow)
                decimalExponent -= 1
                index += 1
            }
        }
        if index < input.count, input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < input.count, input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-") {
                exponentNegative = input[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < input.count else { throw endError("expected a digit in the exponent") }
            guard Self.isDigit(input[index]) else {
                throw JSONParseError(code: .invalidNumber, offset: index, message: "\(describe(input[index])) where a digit of the exponent was expected")
            }
            var exponent = 0
            while index < input.count, Self.isDigit(input[index]) {
                // Clamped: beyond this every Double is 0 or infinite anyway.
                if exponent < 100_000 { exponent = exponent * 10 + Int(input[index] &- UInt8(ascii: "0")) }
                index += 1
            }
            decimalExponent += exponentNegative ? -exponent : exponent
        }
        if isInteger, !mantissaOverflow, decimalExponent == 0 {
            if !negative, mantissa <= UInt64(Int.max) { return .int(Int(mantissa)) }
            if negative, mantissa != 0, mantissa <= UInt64(Int.max) + 1 { return .int(Int(truncatingIfNeeded: 0 &- mantissa)) }
        }
        let value: Double
        if !mantissaOverflow, mantissa <= 1 << 53, (-22...22).contains(decimalExponent) {
            // Clinger's fast path: both operands are exact, so one rounding gives the right result.
            let magnitude =
                decimalExponent >= 0
                ? Double(mantissa) * Self.exactPowersOfTen[decimalExponent]
                : Double(mantissa) / Self.exactPowersOfTen[-decimalExponent]
            value = negative ? -magnitude : magnitude
        } else {
            let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
            guard let parsed = Double(text) else {
                throw JSONParseError(code: .invalidNumber, offset: start, message: "a number that cannot be read")
            }
            value = parsed
        }
        guard value.isFinite else {
            throw JSONParseError(code: .numberOutOfRange, offset: start, message: "a number too large for a Double")
        }
        return .double(value)
    }

    /// Adds a digit to the mantissa. Once it overflows, the mantissa and exponent are no longer
    /// used: the number is neither an `Int` nor on the fast path.
    private static func accumulate(_ byte: UInt8, into mantissa: inout UInt64, overflow: inout Bool) {
        guard !overflow else { return }
        let (times10, o1) = mantissa.multipliedReportingOverflow(by: 10)
        let (sum, o2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
        if o1 || o2 { overflow = true } else { mantissa = sum }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    // MARK: Whitespace and errors

    private mutating func skipWhitespace() {
        while index < input.count {
            switch input[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func endError(_ expectation: String) -> JSONParseError {
        JSONParseError(code: .unexpectedEnd, offset: input.count, message: "the input ends early: \(expectation)")
    }

    private func unterminated(_ start: Int) -> JSONParseError {
        JSONParseError(code: .unexpectedEnd, offset: input.count, message: "the input ends inside the string starting at byte \(start)")
    }

    private func controlCharacter(_ byte: UInt8) -> JSONParseError {
        JSONParseError(code: .controlCharacterInString, offset: index, message: "\(describe(byte)) must be escaped inside a string")
    }

    private func invalidUTF8(_ range: Range<Int>) -> JSONParseError {
        let offset = range.lowerBound + UTF8Validation.firstInvalidOffset(UnsafeBufferPointer(rebasing: input[range]))
        return JSONParseError(code: .invalidUTF8, offset: offset, message: "bytes that are not well-formed UTF-8 in a string")
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    private func describeBare(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? String(Character(Unicode.Scalar(byte))) : "<0x\(String(byte, radix: 16, uppercase: true))>"
    }
}
