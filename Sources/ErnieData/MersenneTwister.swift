/// MT19937, the 32-bit Mersenne Twister, seeded with `init_genrand` — identical output to C++ `std::mt19937(seed)`
/// and to numpy's legacy `RandomState(seed)` bit stream.
public struct MersenneTwister32: Sendable {
    private var state: [UInt32]
    private var index: Int

    public init(seed: UInt32) {
        state = [UInt32](repeating: 0, count: 624)
        state[0] = seed
        for i in 1..<624 {
            state[i] = 1_812_433_253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    /// The next 32 random bits.
    @inline(__always)
    public mutating func next() -> UInt32 {
        if index >= 624 { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        state.withUnsafeMutableBufferPointer { mt in
            @inline(__always) func mix(_ i: Int, _ next: Int, _ far: Int) {
                let y = (mt[i] & 0x8000_0000) | (mt[next] & 0x7FFF_FFFF)
                mt[i] = mt[far] ^ (y >> 1) ^ ((y & 1) &* 0x9908_B0DF)
            }
            for i in 0..<227 { mix(i, i + 1, i + 397) }
            for i in 227..<623 { mix(i, i + 1, i - 227) }
            mix(623, 0, 396)
        }
        index = 0
    }
}

/// MT19937-64 seeded like C++ `std::mt19937_64(seed)`.
public struct MersenneTwister64: Sendable {
    private var state: [UInt64]
    private var index: Int

    public init(seed: UInt64) {
        state = [UInt64](repeating: 0, count: 312)
        state[0] = seed
        for i in 1..<312 {
            state[i] = 6_364_136_223_846_793_005 &* (state[i - 1] ^ (state[i - 1] >> 62)) &+ UInt64(i)
        }
        index = 312
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        if index >= 312 { twist() }
        var x = state[index]
        index += 1
        x ^= (x >> 29) & 0x5555_5555_5555_5555
        x ^= (x << 17) & 0x71D6_7FFF_EDA6_0000
        x ^= (x << 37) & 0xFFF7_EEE0_0000_0000
        x ^= x >> 43
        return x
    }

    private mutating func twist() {
        state.withUnsafeMutableBufferPointer { mt in
            @inline(__always) func mix(_ i: Int, _ next: Int, _ far: Int) {
                let x = (mt[i] & 0xFFFF_FFFF_8000_0000) | (mt[next] & 0x7FFF_FFFF)
                mt[i] = mt[far] ^ (x >> 1) ^ ((x & 1) &* 0xB502_6F5A_A966_19E9)
            }
            for i in 0..<156 { mix(i, i + 1, i + 156) }
            for i in 156..<311 { mix(i, i + 1, i - 156) }
            mix(311, 0, 155)
        }
        index = 0
    }
}
