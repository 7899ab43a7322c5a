extension Array {
    /// The array split into consecutive chunks of at most `size` elements, in order; the last one
    /// may be shorter. Empty for an empty array; a `size` below 1 is treated as 1.
    /// Use `requests.chunks(of: PostmarkBatch.maximumMessages)` for Postmark batches.
    public func chunks(of size: Int) -> [ArraySlice<Element>] {
        let size = Swift.max(1, size)
        return stride(from: 0, to: self.count, by: size).map { self[$0..<Swift.min($0 + size, self.count)] }
    }
}
