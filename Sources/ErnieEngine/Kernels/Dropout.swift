/// Inverted dropout with a counter-based mask: element i is kept when uniform(seed, counter + i) ≥ p, and scaled by
/// 1/(1 − p). The backward pass regenerates the mask from (seed, counter) instead of storing it.

/// out = input · keep / (1 − p).
public func dropoutForward(
    _ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int,
    probability p: Float, seed: UInt64, counter: UInt64
) {
    let scale = 1 / (1 - p)
    parallelFor(count, grain: 1 << 14) { range in
        for i in range {
            let keep = RandomGenerator.uniformFloat(seed: seed, index: counter &+ UInt64(i)) >= p
            out[i] = keep ? input[i] * scale : 0
        }
    }
}

/// dinput += dout · keep / (1 − p), with the forward pass's mask.
public func dropoutBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, count: Int,
    probability p: Float, seed: UInt64, counter: UInt64
) {
    let scale = 1 / (1 - p)
    parallelFor(count, grain: 1 << 14) { range in
        for i in range where RandomGenerator.uniformFloat(seed: seed, index: counter &+ UInt64(i)) >= p {
            dinput[i] += dout[i] * scale
        }
    }
}
