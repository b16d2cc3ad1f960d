import Foundation
import Synchronization

/// Ctrl-C (SIGINT) or SIGTERM during training: the loop finishes its step and writes a checkpoint (pretraining's
/// `model_last`, fine-tuning's `checkpoint-<step>`), so the
/// run can be resumed. A second signal exits at once (checkpoints are atomic, so even that corrupts nothing).
public enum Interruption {
    private static let flag = Atomic<Bool>(false)
    private static let received = Atomic<Int32>(0)
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    public static var requested: Bool { flag.load(ordering: .relaxed) }

    /// The exit status of a run stopped by the signal: 128 + its number (130 for SIGINT, 143 for SIGTERM), as a
    /// shell reports a process the signal ended, so `ernie … && next` does not go on.
    public static var exitStatus: Int32 {
        let signalNumber = received.load(ordering: .relaxed)
        return 128 + (signalNumber == 0 ? SIGINT : signalNumber)
    }

    /// Installs the handlers (once, from the main thread before training).
    public static func install() {
        guard sources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if flag.exchange(true, ordering: .relaxed) { exit(128 + signalNumber) }
                received.store(signalNumber, ordering: .relaxed)
                FileHandle.standardError.write(Data("\ninterrupted: finishing this step and saving a checkpoint (again to quit now)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }
}
