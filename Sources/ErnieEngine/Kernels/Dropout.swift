import CShims

/// Inverted dropout with a counter-based mask: element i is kept when uniform(seed, counter + i) ≥ p, and scaled by
/// 1/(1 − p). The backward pass regenerates the mask from (seed, counter) instead of storing it. The mask is drawn in
/// C (`ernie_dropout`, AVX-512 or AVX2 as the CPU has them) with `RandomGenerator.uniformFloat`'s arithmetic.

/// out = input · keep / (1 − p). In place (out == input) is allowed.
public func dropoutForward(
    _ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int,
    probability p: Float, seed: UInt64, counter: UInt64
) {
    dropout(out, input, adding: nil, count: count, probability: p, seed: seed, counter: counter)
}

/// dinput += dout · keep / (1 − p), with the forward pass's mask.
public func dropoutBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, count: Int,
    probability p: Float, seed: UInt64, counter: UInt64
) {
    dropout(dinput, dout, adding: dinput, count: count, probability: p, seed: seed, counter: counter)
}

/// out = addend + input · keep / (1 − p) (a residual connection after dropout, in one pass). out may be input or addend.
public func dropoutAdd(
    _ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, adding addend: UnsafePointer<Float>, count: Int,
    probability p: Float, seed: UInt64, counter: UInt64
) {
    dropout(out, input, adding: addend, count: count, probability: p, seed: seed, counter: counter)
}

/// uniformFloat(i) ≥ p ⟺ (bits(i) >> 40) · 2⁻²⁴ ≥ p ⟺ (bits(i) >> 40) ≥ ⌈p · 2²⁴⌉ (p · 2²⁴ is exact in float).
func dropoutThreshold(_ p: Float) -> UInt64 { UInt64((p * 0x1p24).rounded(.up)) }

private func dropout(
    _ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, adding addend: UnsafePointer<Float>?, count: Int,
    probability p: Float, seed: UInt64, counter: UInt64
) {
    let scale = 1 / (1 - p), threshold = dropoutThreshold(p)
    parallelFor(count, grain: 1 << 14) { range in
        ernie_dropout(out + range.lowerBound, input + range.lowerBound, addend.map { $0 + range.lowerBound }, Int64(range.count),
                      threshold, scale, seed, counter &+ UInt64(range.lowerBound))
    }
}
