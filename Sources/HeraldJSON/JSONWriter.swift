/// Writes JSON text (UTF-8 bytes) value by value, placing commas itself.
///
/// Strings are escaped minimally and always validly: `"` and `\` get a backslash, control
/// characters below U+0020 become `\n \r \t \b \f` or `\u00XX`, everything else (including `/`,
/// U+2028 and emoji) is copied as UTF-8. Integers are written in decimal; a `Double` in the
/// shortest form that reads back to the same value (integral values up to 2^53 without `.0`,
/// like `JSONEncoder`); non-finite doubles, which JSON cannot express, as `null`.
///
/// The writer does not check the structure: a caller writes a key before each object member's
/// value and balances `begin`/`end` (``object(_:)`` and ``array(_:)`` do that for a closure).
///
/// ```swift
/// var writer = JSONWriter()
/// writer.object { writer in
///     writer.member("To", "ada@example.com")
///     writer.member("Cc", nil as String?)  // left out
///     writer.key("Headers")
///     writer.array { writer in writer.value("X-Id") }
/// }
/// // writer.bytes: {"To":"ada@example.com","Headers":["X-Id"]}
/// ```
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8]
    /// Whether the next value or key follows a complete value at the same level, and so needs a comma.
    private var needsComma = false

    /// Creates an empty writer whose buffer has room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Reserves room for at least `additional` more bytes.
    public mutating func reserveCapacity(additional: Int) {
        bytes.reserveCapacity(bytes.count + additional)
    }

    // MARK: Structure

    /// Writes `{`.
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Writes `}`.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes `[`.
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Writes `]`.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes an object, its members written by `body`.
    public mutating func object<E: Error>(_ body: (inout JSONWriter) throws(E) -> Void) throws(E) {
        beginObject()
        try body(&self)
        endObject()
    }

    /// Writes an array, its elements written by `body`.
    public mutating func array<E: Error>(_ body: (inout JSONWriter) throws(E) -> Void) throws(E) {
        beginArray()
        try body(&self)
        endArray()
    }

    /// Writes an object member's key and the colon; the value comes next.
    public mutating func key(_ key: String) {
        separate()
        Self.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    // MARK: Values

    /// Writes `null`.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
        needsComma = true
    }

    /// Writes `true` or `false`.
    public mutating func value(_ value: Bool) {
        separate()
        if value {
            bytes.append(contentsOf: [UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "u"), UInt8(ascii: "e")])
        } else {
            bytes.append(contentsOf: [UInt8(ascii: "f"), UInt8(ascii: "a"), UInt8(ascii: "l"), UInt8(ascii: "s"), UInt8(ascii: "e")])
        }
        needsComma = true
    }

    /// Writes an integer.
    public mutating func value(_ value: Int) {
        separate()
        Self.appendInteger(value, to: &bytes)
        needsComma = true
    }

    /// Writes a number that reads back as the same `Double` (`null` when not finite).
    public mutating func value(_ value: Double) {
        separate()
        Self.appendDouble(value, to: &bytes)
        needsComma = true
    }

    /// Writes a string literal.
    public mutating func value(_ value: String) {
        separate()
        Self.appendString(value, to: &bytes)
        needsComma = true
    }

    /// Writes a ``JSONValue``, object members in their order.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let bool): self.value(bool)
        case .int(let int): self.value(int)
        case .double(let double): self.value(double)
        case .string(let string): self.value(string)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for member in members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    // MARK: Members

    /// Writes a string member; nothing when `value` is nil.
    public mutating func member(_ key: String, _ value: String?) {
        guard let value else { return }
        self.key(key)
        self.value(value)
    }

    /// Writes an integer member; nothing when `value` is nil.
    public mutating func member(_ key: String, _ value: Int?) {
        guard let value else { return }
        self.key(key)
        self.value(value)
    }

    /// Writes a number member; nothing when `value` is nil.
    public mutating func member(_ key: String, _ value: Double?) {
        guard let value else { return }
        self.key(key)
        self.value(value)
    }

    /// Writes a boolean member; nothing when `value` is nil.
    public mutating func member(_ key: String, _ value: Bool?) {
        guard let value else { return }
        self.key(key)
        self.value(value)
    }

    /// Writes a ``JSONValue`` member; nothing when `value` is nil (a `.null` value is written).
    public mutating func member(_ key: String, _ value: JSONValue?) {
        guard let value else { return }
        self.key(key)
        self.value(value)
    }

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    // MARK: Appending to a buffer

    /// Appends `string` as a JSON string literal (quotes included), escaped as described on ``JSONWriter``.
    public static func appendString(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        let written: Void? = string.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &bytes) }
        if written == nil {
            var copy = string
            copy.withUTF8 { appendEscaped($0, to: &bytes) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        guard let base = utf8.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        let count = utf8.count
        var runStart = 0
        var index = 0
        while true {
            while index + 8 <= count, !JSONBytes.wordNeedsAttention(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index += 8
            }
            while index < count, !JSONBytes.byteNeedsAttention(utf8[index]) { index += 1 }
            if index > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            guard index < count else { return }
            appendEscape(for: utf8[index], to: &bytes)
            index += 1
            runStart = index
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func appendEscape(for byte: UInt8, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0F)])
        }
    }

    /// Appends an integer in decimal.
    public static func appendInteger(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold UInt64.max; written backwards, then copied.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var position = 20
            repeat {
                position -= 1
                digits[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[position..<20]))
        }
    }

    /// Appends a `Double` so that it parses back to the same value: integral values of magnitude
    /// up to 2^53 as integers (`-0.0` as `-0`), others in Swift's shortest round-trip form
    /// (`0.1`, `1e-05`, `1e+300`); `null` for infinities and NaN.
    public static func appendDouble(_ value: Double, to bytes: inout [UInt8]) {
        guard value.isFinite else {
            bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
            return
        }
        if value.rounded(.towardZero) == value, value.magnitude <= 9_007_199_254_740_992 {
            if value == 0, value.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            appendInteger(Int(value), to: &bytes)
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }
}
