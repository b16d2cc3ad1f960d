/// fp16-style dynamic loss scaling (Paddle's AMP defaults): the loss is multiplied by `scale` before backward and
/// gradients divided by it after; a step whose gradients overflow is skipped and halves the scale (after
/// `decreaseEvery` such steps), and `increaseEvery` good steps in a row double it. With bf16 matmuls the scale is
/// not needed for range, but keeping the scheme makes `--scale_loss` behave as PaddleNLP users expect.
public struct DynamicLossScaler: Sendable, Codable, Equatable {
    public private(set) var scale: Float
    public var increaseEvery = 1000
    public var decreaseEvery = 2
    public var factor: Float = 2
    private var goodSteps = 0
    private var badSteps = 0

    public init(initialScale: Float) { scale = initialScale }

    /// Records whether the step's gradients were finite; returns true when the step may be applied.
    public mutating func update(finite: Bool) -> Bool {
        if finite {
            goodSteps += 1
            badSteps = 0
            if goodSteps >= increaseEvery {
                scale *= factor
                goodSteps = 0
            }
            return true
        }
        goodSteps = 0
        badSteps += 1
        if badSteps >= decreaseEvery {
            scale = max(1, scale / factor)
            badSteps = 0
        }
        return false
    }
}
