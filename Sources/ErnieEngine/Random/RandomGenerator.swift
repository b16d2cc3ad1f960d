import Foundation

/// ernie's one seeded random number generator: SplitMix64 (Steele, Lea & Flood, 2014) read by counter.
///
/// Output number i of the stream is `mix(seed + (i + 1) · γ)` with γ = 0x9E3779B97F4A7C15 and `mix` SplitMix64's
/// finaliser — exactly the i-th output of a SplitMix64 generator started at `seed`. Because any output can be computed
/// from (seed, i) alone, a parallel kernel (dropout) draws the same numbers whatever the thread count, a backward pass can
/// regenerate a forward pass's mask instead of storing it, and saving `(seed, counter)` is all a bit-exact resume needs.
public struct RandomGenerator: Sendable, Codable, Equatable {
    public let seed: UInt64
    /// How many numbers have been drawn.
    public private(set) var counter: UInt64

    public init(seed: UInt64, counter: UInt64 = 0) {
        self.seed = seed
        self.counter = counter
    }

    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Output `index` of the stream started at `seed`.
    @inline(__always)
    public static func bits(seed: UInt64, index: UInt64) -> UInt64 {
        mix(seed &+ (index &+ 1) &* gamma)
    }

    /// A uniform float in [0, 1) from 24 random bits.
    @inline(__always)
    public static func uniformFloat(seed: UInt64, index: UInt64) -> Float {
        Float(bits(seed: seed, index: index) >> 40) * 0x1p-24
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        defer { counter &+= 1 }
        return Self.bits(seed: seed, index: counter)
    }

    /// Reserves `count` numbers and returns the index of the first, for kernels that draw them in parallel.
    public mutating func reserve(_ count: Int) -> UInt64 {
        defer { counter &+= UInt64(count) }
        return counter
    }

    /// A uniform double in [0, 1) from 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal sample (Box–Muller on two uniforms, in double precision).
    public mutating func normal() -> Double {
        let u1 = 1 - uniform()  // (0, 1]: log stays finite
        let u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// An integer uniform in [0, upperBound) (Lemire's multiply-shift with rejection: unbiased).
    public mutating func below(_ upperBound: Int) -> Int {
        precondition(upperBound > 0)
        let bound = UInt64(upperBound)
        while true {
            let product = next().multipliedFullWidth(by: bound)
            if product.low >= (0 &- bound) % bound { return Int(product.high) }
        }
    }

    /// Fills `tensor` with N(mean, std²) samples: Box–Muller on pairs of outputs (2j, 2j+1) of the reserved block,
    /// both the cosine and the sine branch used, in parallel (the values do not depend on the thread count).
    public mutating func fillNormal(_ tensor: Tensor, mean: Float = 0, std: Float) {
        precondition(tensor.isContiguous)
        let data = tensor.data, count = tensor.count
        let pairs = (count + 1) / 2
        let seed = self.seed, first = reserve(2 * pairs)
        parallelFor(pairs, grain: 4096) { range in
            for pair in range {
                let index = first &+ UInt64(2 * pair)
                let u1 = 1 - Double(Self.bits(seed: seed, index: index) >> 11) * 0x1p-53  // (0, 1]: log stays finite
                let u2 = Double(Self.bits(seed: seed, index: index &+ 1) >> 11) * 0x1p-53
                let radius = (-2 * Foundation.log(u1)).squareRoot()
                let angle = 2 * Double.pi * u2
                data[2 * pair] = mean + std * Float(radius * Foundation.cos(angle))
                if 2 * pair + 1 < count { data[2 * pair + 1] = mean + std * Float(radius * Foundation.sin(angle)) }
            }
        }
    }

    /// Fills `tensor` with uniform samples in [low, high).
    public mutating func fillUniform(_ tensor: Tensor, low: Float, high: Float) {
        precondition(tensor.isContiguous)
        let data = tensor.data
        for i in 0..<tensor.count { data[i] = low + (high - low) * Float(uniform()) }
    }
}
