extension NotificationJobKind {
    /// Sends one notification's immediate email. Args: ``NotificationArgs``.
    public static let emailSend = "email.send"
}
