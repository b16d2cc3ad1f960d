import ErnieBasics

/// Shuffles in place with Fisher–Yates (Durstenfeld): for i from n−1 down to 1, swap element i with element
/// `next() % (i + 1)`. The modulo's bias (< n / 2⁶⁴) is irrelevant here; the point is an order every implementation
/// reproduces from the seed. (Swift's own `shuffle(using:)` does not document its algorithm, so it is not used.)
public func seededShuffle<Element>(_ elements: inout [Element], seed: UInt64) {
    var generator = SplitMix64(seed: seed)
    var i = elements.count - 1
    while i > 0 {
        let j = Int(generator.next() % UInt64(i + 1))
        elements.swapAt(i, j)
        i -= 1
    }
}

/// Sizes of a train/dev/test split of `total` items: dev = round(total · devRatio), test = round(total · testRatio)
/// (half away from zero), train = the rest. Throws when the ratios are negative or leave no training data.
public func splitSizes(total: Int, devRatio: Double, testRatio: Double) throws -> (train: Int, dev: Int, test: Int) {
    guard devRatio >= 0, testRatio >= 0, devRatio + testRatio < 1 else {
        throw DatasetError(file: "arguments", "--dev_ratio \(devRatio) and --test_ratio \(testRatio) must be ≥ 0 and sum to less than 1")
    }
    let dev = Int((Double(total) * devRatio).rounded()), test = Int((Double(total) * testRatio).rounded())
    return (max(0, total - dev - test), dev, test)
}

/// 64-bit FNV-1a of bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3): lets tests check generated files
/// against goldens without committing their third-party text.
public func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return hash
}
