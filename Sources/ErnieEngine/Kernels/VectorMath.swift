/// Vectorised exp, erf and tanh on 16 floats at once: the transcendental functions the kernels need.
/// glibc's scalar `erff`/`expf` cost tens of nanoseconds per element and do not vectorise.
public typealias FloatLanes = SIMD16<Float>

/// e^x, relative error < 2e-7 on [-87.3, 88.7]; 0 below, saturating above.
@inline(__always)
public func vectorExp(_ x: FloatLanes) -> FloatLanes {
    // e^x = 2^n · e^r with n = round(x / ln 2), |r| ≤ ln2 / 2; e^r by its degree-7 Taylor polynomial.
    // Swift's generic SIMD `clamped` and float→int conversions run element by element (tens of ns per lane), so
    // the clamp uses pointwise min/max and n is rounded with the 1.5·2²³ trick, which also leaves n in the low bits.
    let clamped = pointwiseMin(pointwiseMax(x, FloatLanes(repeating: -87.3)), FloatLanes(repeating: 88.7))
    let shifted = clamped * 1.442_695_04 + 12_582_912
    let n = shifted - 12_582_912
    let r = (clamped - n * 0.693_145_751_953_125) - n * 1.428_606_765_330_187e-06
    var p = FloatLanes(repeating: 1.0 / 5040)
    p = p * r + 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let exponent = (bits(shifted) &- 0x4B40_0000 &+ 127) &<< 23
    let result = p * floatLanes(bits: exponent)
    // Below the clamp the true value is < 1e-38: make it exactly 0, so masked attention scores vanish as in PyTorch.
    return zeroWhereNegative(x + 87.3, result)
}

/// erf(x), absolute error < 4e-7 (Abramowitz & Stegun 7.1.26 with a vector exp).
@inline(__always)
public func vectorErf(_ x: FloatLanes) -> FloatLanes {
    let a = absolute(x)
    let t = 1 / (1 + 0.327_591_1 * a)
    var p = FloatLanes(repeating: 1.061_405_429)
    p = p * t - 1.453_152_027
    p = p * t + 1.421_413_741
    p = p * t - 0.284_496_736
    p = p * t + 0.254_829_592
    let y = 1 - p * t * vectorExp(-a * a)
    return withSign(of: x, y)
}

/// tanh(x) = sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|}), absolute error < 3e-7.
@inline(__always)
public func vectorTanh(_ x: FloatLanes) -> FloatLanes {
    let e = vectorExp(-2 * absolute(x))
    let y = (1 - e) / (1 + e)
    return withSign(of: x, y)
}

@inline(__always)
func bits(_ x: FloatLanes) -> SIMD16<UInt32> { unsafeBitCast(x, to: SIMD16<UInt32>.self) }

@inline(__always)
func floatLanes(bits: SIMD16<UInt32>) -> FloatLanes { unsafeBitCast(bits, to: FloatLanes.self) }

@inline(__always)
func absolute(_ x: FloatLanes) -> FloatLanes { floatLanes(bits: bits(x) & 0x7FFF_FFFF) }

/// |y| with the sign of x.
@inline(__always)
func withSign(of x: FloatLanes, _ y: FloatLanes) -> FloatLanes {
    floatLanes(bits: (bits(y) & 0x7FFF_FFFF) | (bits(x) & 0x8000_0000))
}

/// y where `selector` ≥ 0 (or +0), else 0 — a sign-bit mask, since SIMDMask selection is slower here.
@inline(__always)
func zeroWhereNegative(_ selector: FloatLanes, _ y: FloatLanes) -> FloatLanes {
    let negative = unsafeBitCast(unsafeBitCast(selector, to: SIMD16<Int32>.self) &>> 31, to: SIMD16<UInt32>.self)
    return floatLanes(bits: bits(y) & ~negative)
}

/// Σ of the lanes by halving (Swift's generic `sum()` is an out-of-line call per use).
@inline(__always)
func laneSum(_ v: FloatLanes) -> Float {
    let eight = v.lowHalf + v.highHalf
    let four = eight.lowHalf + eight.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

/// The larger lane of each pair, for running maxima: `pointwiseMax` keeps IEEE maximum's NaN rules lane by lane,
/// which in a loop-carried reduction compiles to scalar code (9× slower, measured on a 128-float row). A NaN in `b`
/// is not taken; one in `a` stays.
@inline(__always)
func lanesMaximum(_ a: FloatLanes, _ b: FloatLanes) -> FloatLanes { a.replacing(with: b, where: b .> a) }

/// The largest lane, by halving.
@inline(__always)
func laneMaximum(_ v: FloatLanes) -> Float {
    let eight = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
    let four = eight.lowHalf.replacing(with: eight.highHalf, where: eight.highHalf .> eight.lowHalf)
    let two = four.lowHalf.replacing(with: four.highHalf, where: four.highHalf .> four.lowHalf)
    return two[1] > two[0] ? two[1] : two[0]
}

/// Loads 16 floats, or fewer (padding with `fill`) at the end of a row.
@inline(__always)
func loadLanes(_ pointer: UnsafePointer<Float>, _ available: Int, fill: Float = 0) -> FloatLanes {
    if available >= 16 { return UnsafeRawPointer(pointer).loadUnaligned(as: FloatLanes.self) }
    var lanes = FloatLanes(repeating: fill)
    for i in 0..<available { lanes[i] = pointer[i] }
    return lanes
}

/// Stores the first `available` (≤ 16) lanes.
@inline(__always)
func storeLanes(_ lanes: FloatLanes, _ pointer: UnsafeMutablePointer<Float>, _ available: Int) {
    if available >= 16 {
        UnsafeMutableRawPointer(pointer).storeBytes(of: lanes, as: FloatLanes.self)
        return
    }
    for i in 0..<available { pointer[i] = lanes[i] }
}

/// Applies `transform` to `count` floats, 16 at a time (the tail padded), in parallel.
@inline(__always)
func mapLanes(
    _ count: Int, grain: Int = 1 << 14,
    _ transform: (_ offset: Int, _ available: Int) -> Void
) {
    parallelFor((count + 15) / 16, grain: grain / 16) { blocks in
        for block in blocks {
            let offset = block * 16
            transform(offset, min(16, count - offset))
        }
    }
}
