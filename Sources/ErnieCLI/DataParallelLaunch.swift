import ErnieEngine
import ErnieTraining
import Foundation

/// Runs a training command as one rank of `mpirun -np N ernie …` (or as the only rank without mpirun): sets the
/// rank's thread budget, and turns a rank's error into the end of the whole job, so no rank waits forever in a
/// collective for one that has stopped.
enum DataParallelLaunch {
    static func run(_ body: (ProcessGroup) throws -> Void) throws {
        let group = ProcessGroup.world
        if let threads = group.defaultThreadCount() { Threads.setCount(threads) }
        do {
            try body(group)
        } catch let error as TrainingError where error.isInterruption {
            // Every rank saw the signal in the same step and saved together: end the job cleanly.
            group.finalize()
            throw error
        } catch {
            guard group.isDistributed else { throw error }
            FileHandle.standardError.write(Data("Error (rank \(group.rank) of \(group.size)): \(error)\n".utf8))
            group.abort(code: 1)
        }
        group.finalize()
    }
}
