import CShims
import Foundation

/// The one thread pool: oneDNN's GEMMs and ernie's own loops both run on libgomp's threads.
///
/// The budget comes from `ERNIE_NUM_THREADS` (default: every core the process may run on, `availableCores`) and is
/// applied on first use.
public enum Threads {
    private static let configured: Int = {
        let cores = availableCores
        let requested = ProcessInfo.processInfo.environment["ERNIE_NUM_THREADS"].flatMap(Int.init) ?? cores
        let count = max(1, requested)
        ernie_set_num_threads(Int32(count))
        return count
    }()

    /// Applies `ERNIE_NUM_THREADS` before the first parallel work (oneDNN reads the budget on its first call).
    @inline(__always)
    public static func configure() { _ = configured }

    /// The budget `ERNIE_NUM_THREADS` (or the core count) gives the process; a thread started later applies it with
    /// `setCount(Threads.configuredCount)`, since OpenMP keeps the budget per calling thread.
    public static var configuredCount: Int { configured }

    /// Cores in this process's CPU affinity set (fewer than the machine's under `taskset` or an mpirun binding).
    public static var availableCores: Int { Int(ernie_available_cores()) }

    /// The current thread budget.
    public static var count: Int {
        _ = configured
        return Int(ernie_get_num_threads())
    }

    /// Changes the budget for oneDNN and `parallelFor` alike (e.g. cores / ranks under MPI).
    public static func setCount(_ count: Int) {
        _ = configured
        ernie_set_num_threads(Int32(max(1, count)))
    }
}

/// Runs `body` over `[0, count)` split into one contiguous range per thread (no range shorter than `grain`).
///
/// Bodies must touch disjoint memory per index. The split depends only on `count`, `grain` and the thread budget,
/// so results are reproducible for a fixed budget. Nested calls run inline (OpenMP nesting is off).
public func parallelFor(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    withoutActuallyEscaping(body) { body in
        var box = RangeBody(body: body)
        withUnsafeMutablePointer(to: &box) { pointer in
            _ = Threads.count
            ernie_parallel_for(Int64(count), Int64(grain), { context, begin, end in
                context!.assumingMemoryBound(to: RangeBody.self).pointee.body(Int(begin)..<Int(end))
            }, pointer)
        }
    }
}

private struct RangeBody {
    let body: (Range<Int>) -> Void
}
