import CMPI
import ErnieEngine
import Foundation

/// The ranks of a data-parallel job: OpenMPI's `MPI_COMM_WORLD` when the process was started by `mpirun`, else a
/// single rank (a plain `ernie pretrain` is rank 0 of 1, and every collective is then a no-op).
///
/// Collectives are blocking and must be called by every rank in the same order; MPI's default error handler stops
/// the whole job on a communication failure, and `abort` stops it on a rank's own error, so no rank is left waiting.
public final class ProcessGroup: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// Ranks on this machine (`OMPI_COMM_WORLD_LOCAL_SIZE`): the cores are shared among them.
    public let localSize: Int
    private let usesMPI: Bool
    private var communicationNanoseconds: UInt64 = 0

    private init(rank: Int, size: Int, localSize: Int, usesMPI: Bool) {
        self.rank = rank
        self.size = size
        self.localSize = localSize
        self.usesMPI = usesMPI
    }

    /// One rank, no communication (tests, and runs without mpirun).
    public static let single = ProcessGroup(rank: 0, size: 1, localSize: 1, usesMPI: false)

    /// `MPI_COMM_WORLD` under mpirun (MPI is initialised on first use), else `single`.
    public static let world: ProcessGroup = {
        guard ernie_mpi_launched() != 0 else { return single }
        check(ernie_mpi_init(), "MPI_Init")
        let local = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init)
        let size = Int(ernie_mpi_world_size())
        return ProcessGroup(rank: Int(ernie_mpi_rank()), size: size, localSize: max(1, local ?? size), usesMPI: true)
    }()

    public var isDistributed: Bool { size > 1 }

    /// Under mpirun without `ERNIE_NUM_THREADS`: the machine's cores shared among its ranks, and no more than the
    /// cores mpirun bound this rank to (it binds each rank to one core by default for up to 2 ranks).
    public func defaultThreadCount(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        guard usesMPI, environment["ERNIE_NUM_THREADS"] == nil else { return nil }
        return max(1, min(ProcessInfo.processInfo.processorCount / localSize, Threads.availableCores))
    }

    /// In-place sum of `count` floats over all ranks.
    public func allReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        guard usesMPI, count > 0 else { return }
        timed { check(ernie_mpi_allreduce_sum_f32(buffer, Int64(count)), "MPI_Allreduce") }
    }

    /// The element-wise sum of `values` over all ranks.
    public func allReduceSum(_ values: [Double]) -> [Double] {
        guard usesMPI, !values.isEmpty else { return values }
        var result = values
        timed {
            result.withUnsafeMutableBufferPointer {
                check(ernie_mpi_allreduce_sum_f64($0.baseAddress!, Int64($0.count)), "MPI_Allreduce")
            }
        }
        return result
    }

    /// Rank `root`'s `bytes` bytes at `buffer` to every rank.
    public func broadcast(_ buffer: UnsafeMutableRawPointer, bytes: Int, root: Int) {
        guard usesMPI, bytes > 0 else { return }
        timed { check(ernie_mpi_broadcast(buffer, Int64(bytes), Int32(root)), "MPI_Bcast") }
    }

    /// Rank `root`'s values to every rank.
    public func broadcast(_ values: [Double], root: Int) -> [Double] {
        var result = values
        result.withUnsafeMutableBytes { broadcast($0.baseAddress!, bytes: $0.count, root: root) }
        return result
    }

    /// Rank `root`'s bytes to every rank (the others pass anything; the length travels first).
    public func broadcast(_ data: [UInt8], root: Int) -> [UInt8] {
        guard usesMPI else { return data }
        let length = Int(broadcast([Double(data.count)], root: root)[0])
        var result = rank == root ? data : [UInt8](repeating: 0, count: length)
        result.withUnsafeMutableBytes { broadcast($0.baseAddress!, bytes: length, root: root) }
        return result
    }

    public func barrier() {
        guard usesMPI else { return }
        timed { check(ernie_mpi_barrier(), "MPI_Barrier") }
    }

    /// Stops every rank of the job (a rank that failed must not leave the others blocked in a collective).
    public func abort(code: Int32) -> Never {
        if usesMPI { ernie_mpi_abort(code) }
        exit(code)
    }

    /// Ends MPI (after the last collective).
    public func finalize() {
        if usesMPI { _ = ernie_mpi_finalize() }
    }

    /// Seconds spent in collectives since the last call.
    public func takeCommunicationSeconds() -> Double {
        defer { communicationNanoseconds = 0 }
        return Double(communicationNanoseconds) / 1e9
    }

    /// MPI's default handler already stops the job on a failed call; this covers a handler that returns instead.
    /// (Not `precondition`: release builds are -Ounchecked, which drops its condition, call included.)
    private static func check(_ status: Int32, _ call: String) {
        if status != 0 { fatalError("\(call) failed with MPI error \(status)") }
    }

    private func check(_ status: Int32, _ call: String) { Self.check(status, call) }

    private func timed(_ body: () -> Void) {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        communicationNanoseconds += DispatchTime.now().uptimeNanoseconds - start
    }
}
