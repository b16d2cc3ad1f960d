import Testing
@testable import ErnieTraining

@Suite struct LoggingProgressLineTests {
    @Test func durationsFormatAsHoursMinutesSeconds() {
        #expect(ProgressLine.formatDuration(0) == "0:00")
        #expect(ProgressLine.formatDuration(59.4) == "0:59")
        #expect(ProgressLine.formatDuration(754) == "12:34")
        #expect(ProgressLine.formatDuration(3599.6) == "1:00:00")
        #expect(ProgressLine.formatDuration(3723) == "1:02:03")
        #expect(ProgressLine.formatDuration(90_000) == "25:00:00")
        #expect(ProgressLine.formatDuration(nil) == "--:--")
        #expect(ProgressLine.formatDuration(.nan) == "--:--")
        #expect(ProgressLine.formatDuration(-1) == "--:--")
    }

    @Test func lineShowsEveryGivenNumber() {
        let values = ProgressLine.Values(loss: 6.1234, lmLoss: 5.9, sopLoss: 0.69, learningRate: 1e-4, tokensPerSecond: 1234.4)
        #expect(ProgressLine.line(step: 120, totalSteps: 1000, values: values, etaSeconds: 754)
            == "step 120/1000 loss 6.123 lm 5.9 sop 0.69 lr 1.0e-04 1234 tok/s ETA 12:34")
        #expect(ProgressLine.line(step: 1, totalSteps: 10, values: .init(loss: .nan), etaSeconds: nil)
            == "step 1/10 loss nan ETA --:--")
    }

    @Test func plainOutputPrintsLinesAtMostEveryInterval() {
        var output: [String] = []
        var now = 100.0
        let progress = ProgressLine(totalSteps: 100, isTerminal: false, plainInterval: 10,
                                    output: { output.append($0) }, clock: { now })
        for step in 1...100 {
            progress.update(step: step, .init(loss: 1), isLoggingStep: step % 25 == 0)
            now += 1
        }
        progress.finish()
        // First update, every 10 s, logging steps 25/50/75/100 (which restart the interval).
        let steps = output.map { Int($0.split(separator: " ")[1].split(separator: "/")[0])! }
        #expect(steps == [1, 11, 21, 25, 35, 45, 50, 60, 70, 75, 85, 95, 100])
        #expect(output.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        // 1 s per step measured from step 1: at step 11, 89 steps remain.
        #expect(output[1].hasSuffix("ETA 1:29\n"))
        #expect(output.last == "step 100/100 loss 1 ETA 0:00\n")
    }

    @Test func terminalOutputRedrawsInPlace() {
        var output: [String] = []
        var now = 0.0
        let progress = ProgressLine(totalSteps: 10, isTerminal: true, redrawInterval: 0.5,
                                    output: { output.append($0) }, clock: { now })
        for step in 1...4 {
            progress.update(step: step, .init(loss: Double(step)))
            now += 0.3
        }
        // Step 2 and 4 come within the redraw interval; ETA at step 3 = 0.3 s per step × 7 steps.
        #expect(output == ["\rstep 1/10 loss 1 ETA --:--\u{1B}[K", "\rstep 3/10 loss 3 ETA 0:02\u{1B}[K"])
        progress.message("eval_loss 2.5")
        #expect(output.last == "\r\u{1B}[Keval_loss 2.5\nstep 3/10 loss 3 ETA 0:02")
        progress.finish()
        #expect(output.last == "\n")
    }
}
