import ServiceLifecycle
import Storage

/// Holds the data folder's lock while the emulator runs and releases it after every other service stopped.
///
/// It is the first member of the service group, so graceful shutdown reaches it last.
struct DataFolderLockService: Service {
    let lock: DataFolderLock

    func run() async throws {
        try? await gracefulShutdown()
        lock.release()
    }
}
