import Foundation
import Synchronization

/// Compiled templates by (row id, `updated_at`): a template is parsed once per version, not once
/// per email, and an edited row is picked up by the next send (its `updated_at` changes).
/// Bounded: the cache is emptied when it holds more than `capacity` versions.
public final class TemplateCache: Sendable {
    private struct Key: Hashable {
        var id: UUID
        var updatedAt: Date
    }

    private let entries = Mutex<[Key: CompiledNotificationTemplate]>([:])
    private let capacity: Int
    private let renderer: TemplateRenderer

    /// Creates a cache holding up to `capacity` template versions (default 1,000), compiling with
    /// `renderer` (default: the built-in channels' fields).
    public init(capacity: Int = 1_000, renderer: TemplateRenderer = TemplateRenderer()) {
        self.capacity = max(1, capacity)
        self.renderer = renderer
    }

    /// The compiled template, parsing it on first use.
    /// - Throws: `DeliveryError` `.templateSyntax`.
    public func compiled(_ stored: StoredTemplate) throws -> CompiledNotificationTemplate {
        let key = Key(id: stored.id, updatedAt: stored.updatedAt)
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let compiled = try renderer.compile(stored.template)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = compiled
        }
        return compiled
    }
}
