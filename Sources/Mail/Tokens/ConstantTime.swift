/// Comparisons whose running time does not depend on where the inputs differ, so an attacker
/// cannot learn a valid MAC or password byte by byte from response times.
public enum ConstantTime {
    /// `true` when `lhs` and `rhs` are byte-for-byte equal.
    ///
    /// The time taken depends only on the lengths (which are not secret for MACs of a fixed size),
    /// never on the contents.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }

    /// `true` when the UTF-8 bytes of `lhs` and `rhs` are equal, compared in constant time
    /// (for webhook passwords and signatures carried as text).
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        Self.equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
