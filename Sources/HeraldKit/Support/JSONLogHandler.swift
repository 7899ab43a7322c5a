import Foundation
import Logging
import Synchronization

/// Writes one JSON object per log line to standard error:
/// `{"ts":…,"level":…,"label":…,"msg":…, metadata…}`. `ts` is ISO 8601 UTC with milliseconds
/// (`2026-12-02T20:52:09.123Z`), so lines of one second can be ordered and timed.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    private static let lock = Mutex(())
    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: Any] = [
            "ts": Date().formatted(Self.timestampStyle),
            "level": event.level.rawValue,
            "label": label,
            "msg": event.message.description,
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged { object[key] = Self.plain(value) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        Self.lock.withLock { _ in
            FileHandle.standardError.write(data + Data([0x0a]))
        }
    }

    private static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }
}
