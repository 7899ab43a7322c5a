import CCurl
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Owns one libcurl multi handle and the dedicated thread that drives it.
///
/// The thread loops on `curl_multi_perform` / `curl_multi_info_read` / `curl_multi_poll`. Other threads
/// never touch the multi handle except through `curl_multi_wakeup` (documented as thread-safe): they
/// queue work under `state`'s lock, and the thread takes the whole queue at once on each turn. Blocking
/// libcurl work therefore never runs on Swift's cooperative pool.
final class MultiDriver: @unchecked Sendable {
    private struct State: ~Copyable {
        var submitted: [Transfer] = []
        var cancelled: [Transfer] = []
        /// True while a `curl_multi_wakeup` is outstanding; saves a syscall per request under load.
        var wakePending = false
        var stopping = false
        var thread: pthread_t?
        /// Reusable easy handles (already removed from the multi handle).
        var freeHandles: [EasyHandle] = []
    }

    private struct Batch {
        var added: [Transfer] = []
        var cancelledBeforeStart: [Transfer] = []
        var cancelled: [Transfer] = []
        var stopping = false
    }

    private static let maxFreeHandles = 256

    private let multi: UnsafeMutableRawPointer?
    private let initError: CurlError?
    private let state = Mutex(State())

    init(configuration: CurlClient.Configuration) {
        var multi: UnsafeMutableRawPointer?
        var initError: CurlError?
        do {
            try CurlGlobal.ensureInitialized()
            multi = curl_multi_init()
            if multi == nil {
                initError = CurlError(code: .other, message: "curl_multi_init failed")
            }
        } catch {
            initError = error
        }
        if let multi {
            // Failures here only cost connection limits or multiplexing, so they are not fatal.
            _ = ccurl_multi_setopt_long(
                multi, CURLMOPT_PIPELINING, configuration.enableHTTP2 ? CURLPIPE_MULTIPLEX : CURLPIPE_NOTHING)
            if configuration.maxConnectionsPerHost > 0 {
                _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
            }
            if configuration.maxIdleConnections > 0 {
                _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxIdleConnections)
            }
            if configuration.maxTotalConnections > 0 {
                _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxTotalConnections)
            }
        }
        self.multi = multi
        self.initError = initError
        if multi != nil {
            startThread()
        }
    }

    deinit {
        // The thread holds a strong reference while it runs, so it has exited and removed every
        // transfer by now.
        state.withLock { $0.freeHandles.removeAll() }
        if let multi { curl_multi_cleanup(multi) }
    }

    // MARK: - Called from tasks

    /// An easy handle from the free list (reset) or a new one.
    func makeEasyHandle() throws(CurlError) -> EasyHandle {
        if let initError { throw initError }
        let reusable = try state.withLock { state throws(CurlError) -> EasyHandle? in
            if state.stopping { throw Self.shutdownError }
            return state.freeHandles.popLast()
        }
        if let reusable {
            reusable.reset()
            return reusable
        }
        return try EasyHandle()
    }

    /// Returns a handle that never reached the multi handle (refused or cancelled request).
    func recycle(_ handle: EasyHandle) {
        state.withLock { state in
            if !state.stopping, state.freeHandles.count < Self.maxFreeHandles {
                state.freeHandles.append(handle)
            }
        }
    }

    /// Queues `transfer` for the driver thread, or resumes `continuation` at once when the task was
    /// already cancelled or the client is shut down.
    func submit(_ transfer: Transfer, _ continuation: CheckedContinuation<TransferResult, any Error>) {
        enum Outcome { case queued(wake: Bool), cancelled, shutdown }
        let outcome = state.withLock { state -> Outcome in
            if state.stopping { return .shutdown }
            if transfer.cancelRequested { return .cancelled }
            transfer.continuation = continuation
            state.submitted.append(transfer)
            return .queued(wake: Self.claimWake(&state))
        }
        switch outcome {
        case .queued(let wake):
            if wake, let multi { curl_multi_wakeup(multi) }
        case .cancelled:
            recycle(transfer.easy)
            continuation.resume(throwing: CurlError(code: .cancelled, message: "request cancelled"))
        case .shutdown:
            continuation.resume(throwing: Self.shutdownError)
        }
    }

    /// Called from the task's cancellation handler, possibly before `submit`.
    func cancel(_ transfer: Transfer) {
        let wake = state.withLock { state -> Bool in
            transfer.cancelRequested = true
            // Not yet taken by the thread: `submit` or the thread's next turn sees the flag.
            guard transfer.taken, !state.stopping else { return false }
            state.cancelled.append(transfer)
            return Self.claimWake(&state)
        }
        if wake, let multi { curl_multi_wakeup(multi) }
    }

    /// Stops the thread and fails every queued and running transfer with `.shutdown`. Idempotent; waits
    /// for the thread to exit unless called on that thread.
    func shutdown() {
        let (queued, thread) = state.withLock { state -> ([Transfer], pthread_t?) in
            guard !state.stopping else { return ([], nil) }
            state.stopping = true
            state.freeHandles.removeAll()
            let queued = state.submitted
            state.submitted = []
            let thread = state.thread
            state.thread = nil
            return (queued, thread)
        }
        for transfer in queued {
            let continuation = transfer.continuation
            transfer.continuation = nil
            continuation?.resume(throwing: Self.shutdownError)
        }
        if let multi { curl_multi_wakeup(multi) }
        if let thread, pthread_equal(thread, pthread_self()) == 0 {
            pthread_join(thread, nil)
        }
    }

    private static let shutdownError = CurlError(code: .shutdown, message: "the HTTP client was shut down")

    private static func claimWake(_ state: inout State) -> Bool {
        if state.wakePending { return false }
        state.wakePending = true
        return true
    }

    // MARK: - The driver thread

    private func startThread() {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let driver = Unmanaged<MultiDriver>.fromOpaque(context).takeRetainedValue()
            driver.run()
            return nil
        }, context)
        if result == 0 {
            state.withLock { $0.thread = thread }
        } else {
            Unmanaged<MultiDriver>.fromOpaque(context).release()
            state.withLock { $0.stopping = true }
        }
    }

    private func run() {
        guard let multi else { return }
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        var finishedHandles: [EasyHandle] = []
        var running: Int32 = 0

        while true {
            let batch = takeBatch(returning: &finishedHandles)
            for transfer in batch.cancelledBeforeStart {
                finishedHandles.append(transfer.easy)
                resume(transfer, with: .failure(CurlError(code: .cancelled, message: "request cancelled")))
            }
            for transfer in batch.added {
                let code = curl_multi_add_handle(multi, transfer.easy.raw)
                if code == CURLM_OK {
                    active[transfer.easy.raw] = transfer
                } else {
                    finishedHandles.append(transfer.easy)
                    resume(transfer, with: .failure(CurlError(multiCode: code, "curl_multi_add_handle")))
                }
            }
            for transfer in batch.cancelled {
                // The transfer may have finished already, and its easy handle may now serve another one.
                guard active[transfer.easy.raw] === transfer else { continue }
                active[transfer.easy.raw] = nil
                curl_multi_remove_handle(multi, transfer.easy.raw)
                finishedHandles.append(transfer.easy)
                resume(transfer, with: .failure(CurlError(code: .cancelled, message: "request cancelled")))
            }
            if batch.stopping {
                for (raw, transfer) in active {
                    curl_multi_remove_handle(multi, raw)
                    resume(transfer, with: .failure(Self.shutdownError))
                }
                active.removeAll()
                break
            }

            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let raw = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                guard let transfer = active.removeValue(forKey: raw) else {
                    curl_multi_remove_handle(multi, raw)
                    continue
                }
                let outcome: Result<TransferResult, CurlError> = code == CURLE_OK
                    ? .success(transfer.makeResult())
                    : .failure(transfer.failure(code))
                curl_multi_remove_handle(multi, raw)
                finishedHandles.append(transfer.easy)
                resume(transfer, with: outcome)
            }
            // Returns early on socket activity, on curl's own timers and on curl_multi_wakeup.
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func takeBatch(returning finishedHandles: inout [EasyHandle]) -> Batch {
        state.withLock { state -> Batch in
            state.wakePending = false
            if !state.stopping {
                let room = Self.maxFreeHandles - state.freeHandles.count
                if room > 0 {
                    state.freeHandles.append(contentsOf: finishedHandles.prefix(room))
                }
            }
            finishedHandles.removeAll(keepingCapacity: true)

            var batch = Batch(stopping: state.stopping)
            if !state.submitted.isEmpty {
                batch.added.reserveCapacity(state.submitted.count)
                for transfer in state.submitted {
                    if transfer.cancelRequested {
                        batch.cancelledBeforeStart.append(transfer)
                    } else {
                        transfer.taken = true
                        batch.added.append(transfer)
                    }
                }
                state.submitted.removeAll(keepingCapacity: true)
            }
            if !state.cancelled.isEmpty {
                swap(&batch.cancelled, &state.cancelled)
            }
            return batch
        }
    }

    /// Resumes the transfer's task (which then runs on the cooperative pool, not here).
    private func resume(_ transfer: Transfer, with outcome: Result<TransferResult, CurlError>) {
        transfer.releaseRequestResources()
        let continuation = transfer.continuation
        transfer.continuation = nil
        continuation?.resume(with: outcome.mapError { $0 as any Error })
    }
}
