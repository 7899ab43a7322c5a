public import Prometheus
import Metrics
import Synchronization

/// The process's Prometheus registry: `bootstrap()` installs it as the swift-metrics backend once
/// (so the queue's metrics land in it too) and returns it for `/metrics`.
public enum HeraldMetrics {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The registry, bootstrapping swift-metrics with it on the first call. Later calls return the
    /// same registry (swift-metrics can be bootstrapped only once per process).
    public static func bootstrap() -> PrometheusCollectorRegistry {
        installed.withLock { registry in
            if let registry { return registry }
            let created = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: created))
            registry = created
            return created
        }
    }
}
