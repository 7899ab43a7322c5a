#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The proxies (load balancers) whose `X-Forwarded-For` Herald believes: a list of IP addresses
/// and CIDR ranges (IPv4 and IPv6), e.g. `10.0.0.0/8, 127.0.0.1, ::1`. Pure.
public struct TrustedProxies: Sendable, Hashable {
    struct Range: Sendable, Hashable {
        var network: [UInt8]
        var prefix: Int
    }

    private let ranges: [Range]

    /// No trusted proxy: `X-Forwarded-For` is always ignored.
    public static let none = TrustedProxies(ranges: [])

    private init(ranges: [Range]) { self.ranges = ranges }

    /// Parses a comma- or space-separated list (what `HERALD_TRUSTED_PROXIES` holds; the caller
    /// names the setting in its own error).
    /// - Throws: `ServerError` `.invalidConfiguration` naming the entry that is neither an address nor a CIDR range.
    public init(parsing list: String) throws {
        var ranges: [Range] = []
        for entry in list.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" }) {
            let parts = entry.split(separator: "/", maxSplits: 1)
            guard let bytes = Self.bytes(of: String(parts[0])) else {
                throw ServerError(code: .invalidConfiguration, message: "'\(entry)' is not an IP address or CIDR range")
            }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let value = Int(parts[1]), (0...bytes.count * 8).contains(value) else {
                    throw ServerError(code: .invalidConfiguration, message: "'\(entry)' has an invalid prefix length")
                }
                prefix = value
            }
            ranges.append(Range(network: bytes, prefix: prefix))
        }
        self.ranges = ranges
    }

    /// True when `address` (textual IPv4/IPv6) is in one of the ranges. IPv4-mapped IPv6
    /// addresses (`::ffff:a.b.c.d`) match IPv4 ranges.
    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.bytes(of: address) else { return false }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        return ranges.contains { range in
            guard range.network.count == bytes.count else { return false }
            var remaining = range.prefix
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if bytes[index] & mask != range.network[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    /// True when no proxy is trusted.
    public var isEmpty: Bool { ranges.isEmpty }

    /// The 4 or 16 bytes of a textual address (brackets tolerated), or nil.
    static func bytes(of text: String) -> [UInt8]? {
        var candidate = text.trimmingCharacters(in: " \t")
        if candidate.hasPrefix("["), candidate.hasSuffix("]") { candidate = String(candidate.dropFirst().dropLast()) }
        guard !candidate.isEmpty, candidate.utf8.count <= 64 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 16)
        if candidate.withCString({ inet_pton(AF_INET, $0, &buffer) }) == 1 { return Array(buffer.prefix(4)) }
        if candidate.withCString({ inet_pton(AF_INET6, $0, &buffer) }) == 1 { return buffer }
        return nil
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
