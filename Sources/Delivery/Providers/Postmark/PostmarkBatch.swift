/// Limits of Postmark's batch endpoint.
public enum PostmarkBatch {
    /// The most messages one `POST /email/batch` accepts.
    public static let maximumMessages = 500
}
