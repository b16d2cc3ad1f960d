/// SplitMix64 (Steele, Lea & Flood 2014; the seeding generator of Java's SplittableRandom and of xoshiro): state += φ;
/// z = state; z = (z ^ z>>30) · 0xBF58476D1CE4E5B9; z = (z ^ z>>27) · 0x94D049BB133111EB; return z ^ z>>31.
/// Chosen for dataset splits because it is tiny, seedable, and easy to restate in any language
/// (tools/metrics_dataset_stats.py does, to check the split files byte for byte).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
