import Foundation

/// A value guarded by a pthread mutex (`NSLock`). Unlike the Synchronization module's `Mutex` (futexes on Linux),
/// ThreadSanitizer sees its acquire and release, so `tools/sanitize.sh thread` can check what it guards.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
