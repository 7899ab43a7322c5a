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
                    output[position] = Self.hexDigit(byte >> 4)
                    output[position + 1] = Self.hexDigit(byte & 0x0F)
                    position += 2
                }
                return position
            }
        }
    }

    /// Parses the canonical 8-4-4-4-12 hex form (either case) as `UUID(uuidString:)` does; any
    /// other shape is left to `UUID(uuidString:)`, so the accepted set is exactly Foundation's.
    init?(postgresUUIDText text: String) {
        let parsed: uuid_t?? = text.utf8.withContiguousStorageIfAvailable { utf8 -> uuid_t? in
            guard utf8.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let valid = withUnsafeMutableBytes(of: &bytes) { output -> Bool in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        guard utf8[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    let high = Self.hexValue(utf8[position])
                    let low = Self.hexValue(utf8[position + 1])
                    guard high | low < 0x10 else { return false }
                    output[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return valid ? bytes : nil
        }
        if case .some(.some(let bytes)) = parsed {
            self.init(uuid: bytes)
        } else {
            self.init(uuidString: text)
        }
    }

    // Arithmetic rather than lookup tables: a global table costs a lazy-initialisation check and
    // bounds checks per digit, which made it about 1.5× slower.

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble &+ UInt8(ascii: "0") : nibble &+ (UInt8(ascii: "a") - 10)
    }

    /// The value of an ASCII hex digit, 0xFF for any other byte.
    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- (UInt8(ascii: "a") - 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- (UInt8(ascii: "A") - 10)
        default: 0xFF
        }
    }
}
