/// Pointwise activations, forward and backward. Backward kernels accumulate (`dinput += …`), or with `accumulate`
/// false write (`dinput = …`: a new gradient buffer needs no zero-fill first).

private let inverseSqrt2: Float = 0.707_106_781_186_547_5
private let inverseSqrt2Pi: Float = 0.398_942_280_401_432_7

/// GELU, exact erf form (HF "gelu"): y = x · ½(1 + erf(x/√2)).  out, input: [count]
public func geluForward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int) {
    mapLanes(count) { offset, available in
        let x = loadLanes(input + offset, available)
        storeLanes(x * 0.5 * (1 + vectorErf(x * inverseSqrt2)), out + offset, available)
    }
}

/// dinput += dout · (Φ(x) + x·φ(x)).
public func geluBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ input: UnsafePointer<Float>, count: Int,
    accumulate: Bool = true
) {
    mapLanes(count) { offset, available in
        let x = loadLanes(input + offset, available)
        let cdf = 0.5 * (1 + vectorErf(x * inverseSqrt2))
        let pdf = inverseSqrt2Pi * vectorExp(-0.5 * x * x)
        let grad = (accumulate ? loadLanes(dinput + offset, available) : FloatLanes()) + loadLanes(dout + offset, available) * (cdf + x * pdf)
        storeLanes(grad, dinput + offset, available)
    }
}

private let sqrt2OverPi: Float = 0.797_884_560_802_865_4

/// GELU, tanh approximation (HF "gelu_new"): y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
public func geluTanhForward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int) {
    mapLanes(count) { offset, available in
        let x = loadLanes(input + offset, available)
        let t = vectorTanh(sqrt2OverPi * (x + 0.044715 * x * x * x))
        storeLanes(0.5 * x * (1 + t), out + offset, available)
    }
}

public func geluTanhBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ input: UnsafePointer<Float>, count: Int,
    accumulate: Bool = true
) {
    mapLanes(count) { offset, available in
        let x = loadLanes(input + offset, available)
        let t = vectorTanh(sqrt2OverPi * (x + 0.044715 * x * x * x))
        let dt = (1 - t * t) * sqrt2OverPi * (1 + 3 * 0.044715 * x * x)
        let local = 0.5 * (1 + t) + 0.5 * x * dt
        storeLanes((accumulate ? loadLanes(dinput + offset, available) : FloatLanes()) + loadLanes(dout + offset, available) * local, dinput + offset, available)
    }
}

/// ReLU: y = max(x, 0).
public func reluForward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int) {
    mapLanes(count) { offset, available in
        storeLanes(pointwiseMax(loadLanes(input + offset, available), FloatLanes()), out + offset, available)
    }
}

/// dinput += dout where x > 0.
public func reluBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ input: UnsafePointer<Float>, count: Int,
    accumulate: Bool = true
) {
    mapLanes(count) { offset, available in
        let x = loadLanes(input + offset, available)
        let passed = loadLanes(dout + offset, available).replacing(with: 0, where: x .<= 0)
        storeLanes((accumulate ? loadLanes(dinput + offset, available) : FloatLanes()) + passed, dinput + offset, available)
    }
}

/// tanh.
public func tanhForward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int) {
    mapLanes(count) { offset, available in
        storeLanes(vectorTanh(loadLanes(input + offset, available)), out + offset, available)
    }
}

/// dinput += dout · (1 − y²), from the forward output y.
public func tanhBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ output: UnsafePointer<Float>, count: Int,
    accumulate: Bool = true
) {
    mapLanes(count) { offset, available in
        let y = loadLanes(output + offset, available)
        let grad = (accumulate ? loadLanes(dinput + offset, available) : FloatLanes()) + loadLanes(dout + offset, available) * (1 - y * y)
        storeLanes(grad, dinput + offset, available)
    }
}
