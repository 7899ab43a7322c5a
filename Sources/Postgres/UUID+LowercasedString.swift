public import Foundation

extension UUID {
    /// The canonical 36-character lowercase form, `0b5e6ad6-0a77-4c51-a7d2-1b6c0f0e8f10`: the same
    /// text as `uuidString.lowercased()` (and as PostgreSQL prints a uuid), made with one allocation
    /// instead of Foundation's formatting plus a Unicode-aware lowercasing copy.
    public var lowercasedString: String {
        withUnsafeBytes(of: self.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { output in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        output[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let byte = bytes[index]
                    output[position] = uuidHexDigits[Int(byte >> 4)]
                    output[position + 1] = uuidHexDigits[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }

    /// Parses the canonical 8-4-4-4-12 hex form (either case) as `UUID(uuidString:)` does; any
    /// other shape is left to `UUID(uuidString:)`, so the accepted set is exactly Foundation's.
    init?(postgresUUIDText text: String) {
        var text = text
        let parsed: uuid_t? = text.withUTF8 { utf8 in
            guard utf8.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let valid = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        guard utf8[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    let high = uuidHexValues[Int(utf8[position])]
                    let low = uuidHexValues[Int(utf8[position + 1])]
                    guard high | low < 0x10 else { return false }
                    output[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return valid ? bytes : nil
        }
        if let parsed {
            self.init(uuid: parsed)
        } else {
            self.init(uuidString: text)
        }
    }
}

private let uuidHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// The value of each ASCII hex digit, 0xFF for every other byte.
private let uuidHexValues: [UInt8] = (0...255).map { byte in
    switch UInt8(byte) {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt8(byte) - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt8(byte) - UInt8(ascii: "A") + 10
    default: 0xFF
    }
}
