/// Decodes the base64 `Content` of a Postmark attachment straight from the string's UTF-8, into one
/// array of the decoded size (no intermediate `Data` or copied string: a 30 MB attachment costs
/// its decoded bytes once). Characters outside the alphabet (line breaks, spaces) are skipped, as
/// MIME allows; padding ends the data.
public enum Base64Content {
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(index)
        }
        // URL-safe alphabet too.
        table[Int(UInt8(ascii: "-"))] = 62
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// The decoded bytes of `text`.
    public static func decode(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// The decoded bytes of base64 `input`.
    public static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var bits = 0
        table.withUnsafeBufferPointer { table in
            for byte in input {
                if byte == UInt8(ascii: "=") { break }
                let value = table[Int(byte)]
                if value == 0xFF { continue }
                accumulator = (accumulator << 6) | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
            }
        }
        return output
    }
}
