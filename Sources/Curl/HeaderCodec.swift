/// Pure header encoding and decoding between `HTTPHeader` values and libcurl's byte-level forms.
enum HeaderCodec {
    /// The line libcurl expects in `CURLOPT_HTTPHEADER`: `Name: value`, or `Name;` for an empty value
    /// (libcurl would otherwise treat `Name:` as "remove this header").
    ///
    /// Throws for names and values that could split or smuggle a header (CR, LF, NUL; colon or
    /// whitespace in the name); the message names the header but not its value, which may be a secret.
    static func requestLine(for header: HTTPHeader) throws(CurlError) -> String {
        guard !header.name.isEmpty,
              header.name.utf8.allSatisfy({ isTokenByte($0) })
        else {
            throw CurlError(code: .other, message: "invalid request header name '\(sanitized(header.name))'")
        }
        guard !header.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
            throw CurlError(code: .other, message: "invalid value for request header '\(header.name)' (contains CR, LF or NUL)")
        }
        let value = trimmed(Array(header.value.utf8)[...])
        if value.isEmpty {
            return header.name + ";"
        }
        return header.name + ": " + String(decoding: value, as: UTF8.self)
    }

    /// Parses the raw header block of one response (status line, `Name: value` lines, CRLF or LF endings)
    /// into headers in order. Folded continuation lines are joined to the previous header with a space;
    /// status lines and lines without a colon are skipped.
    static func parseResponseHeaders(_ bytes: [UInt8]) -> [HTTPHeader] {
        var headers: [HTTPHeader] = []
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.endIndex
            let line = bytes[lineStart..<lineEnd]
            lineStart = lineEnd < bytes.endIndex ? lineEnd + 1 : lineEnd
            parseLine(line, into: &headers)
        }
        return headers
    }

    private static func parseLine(_ rawLine: ArraySlice<UInt8>, into headers: inout [HTTPHeader]) {
        var line = rawLine
        if line.last == 0x0D { line = line.dropLast() }
        guard let first = line.first else { return }
        if first == 0x20 || first == 0x09 {
            guard !headers.isEmpty else { return }
            let continuation = trimmed(line)
            if !continuation.isEmpty {
                let index = headers.count - 1
                headers[index].value += " " + String(decoding: continuation, as: UTF8.self)
            }
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { return }
        let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
        let value = String(decoding: trimmed(line[(colon + 1)...]), as: UTF8.self)
        headers.append(HTTPHeader(name, value))
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return slice
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    private static func sanitized(_ name: String) -> String {
        String(String.UnicodeScalarView(name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
    }
}
