/// Pointwise activations, forward and backward. Backward kernels accumulate (`dinput += …`), or with `accumulate`
/// false write (`dinput = …`: a new gradient buffer needs no zero-fill first). The lane formulas live once in
/// `Activation.values(_:)` and `Activation.derivatives(_:)`; the fused Linear epilogues use them too.

private let inverseSqrt2: Float = 0.707_106_781_186_547_5
private let inverseSqrt2Pi: Float = 0.398_942_280_401_432_7
private let sqrt2OverPi: Float = 0.797_884_560_802_865_4

extension Activation {
    /// f(x) on 16 lanes. gelu: x · ½(1 + erf(x/√2)); gelu_new: ½x(1 + tanh(√(2/π)(x + 0.044715x³))); relu; tanh.
    @inline(__always)
    func values(_ x: FloatLanes) -> FloatLanes {
        switch self {
        case .gelu: return x * 0.5 * (1 + vectorErf(x * inverseSqrt2))
        case .geluNew: return 0.5 * x * (1 + vectorTanh(sqrt2OverPi * (x + 0.044715 * x * x * x)))
        case .relu: return pointwiseMax(x, FloatLanes())
        case .tanh: return vectorTanh(x)
        }
    }

    /// dy · f′(x) on 16 lanes (relu passes dy where x > 0, so a NaN elsewhere stays put rather than becoming NaN · 0).
    @inline(__always)
    func gradient(_ dy: FloatLanes, at x: FloatLanes) -> FloatLanes {
        self == .relu ? dy.replacing(with: 0, where: x .<= 0) : dy * derivatives(x)
    }

    /// f′(x) on 16 lanes. gelu: Φ(x) + x·φ(x); relu: 1 where x > 0; tanh: 1 − tanh(x)².
    @inline(__always)
    private func derivatives(_ x: FloatLanes) -> FloatLanes {
        switch self {
        case .gelu:
            let cdf = 0.5 * (1 + vectorErf(x * inverseSqrt2))
            return cdf + x * (inverseSqrt2Pi * vectorExp(-0.5 * x * x))
        case .geluNew:
            let t = vectorTanh(sqrt2OverPi * (x + 0.044715 * x * x * x))
            let dt = (1 - t * t) * sqrt2OverPi * (1 + 3 * 0.044715 * x * x)
            return 0.5 * (1 + t) + 0.5 * x * dt
        case .relu: return FloatLanes(repeating: 1).replacing(with: 0, where: x .<= 0)
        case .tanh:
            let t = vectorTanh(x)
            return 1 - t * t
        }
    }
}

/// out = f(input).  out, input: [count]
public func activationForward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int, _ function: Activation) {
    mapLanes(count) { offset, available in
        storeLanes(function.values(loadLanes(input + offset, available)), out + offset, available)
    }
}

/// dinput (+)= dout · f′(input); tanh from its output instead (1 − y²), which the forward pass returned.
public func activationBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, saved: UnsafePointer<Float>, count: Int,
    _ function: Activation, accumulate: Bool = true
) {
    mapLanes(count) { offset, available in
        let saved = loadLanes(saved + offset, available), dy = loadLanes(dout + offset, available)
        let local = function == .tanh ? dy * (1 - saved * saved) : function.gradient(dy, at: saved)
        storeLanes((accumulate ? loadLanes(dinput + offset, available) : FloatLanes()) + local, dinput + offset, available)
    }
}
