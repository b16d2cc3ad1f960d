/// Pointwise activations, forward and backward. Backward kernels accumulate (`dinput += …`), or with `accumulate`
/// false write (`dinput = …`: a new gradient buffer needs no zero-fill first). The lane formulas live once, in the
/// `ActivationLanes` types; the fused Linear epilogues use them too.

private let inverseSqrt2: Float = 0.707_106_781_186_547_5
private let inverseSqrt2Pi: Float = 0.398_942_280_401_432_7
private let sqrt2OverPi: Float = 0.797_884_560_802_865_4

/// One activation's lane formulas, as static functions: kernels generic over them are specialised per activation
/// (a switch on the activation inside the loop kept the compiler from inlining the formulas).
protocol ActivationLanes {
    /// f(x) on 16 lanes.
    static func values(_ x: FloatLanes) -> FloatLanes
    /// dy · f′(x) on 16 lanes.
    static func gradient(_ dy: FloatLanes, at x: FloatLanes) -> FloatLanes
}

/// gelu: x · ½(1 + erf(x/√2)); f′ = Φ(x) + x·φ(x).
enum GELULanes: ActivationLanes {
    @inline(__always) static func values(_ x: FloatLanes) -> FloatLanes { x * 0.5 * (1 + vectorErf(x * inverseSqrt2)) }
    @inline(__always) static func gradient(_ dy: FloatLanes, at x: FloatLanes) -> FloatLanes {
        dy * (0.5 * (1 + vectorErf(x * inverseSqrt2)) + x * (inverseSqrt2Pi * vectorExp(-0.5 * x * x)))
    }
}

/// gelu_new: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
enum GELUTanhLanes: ActivationLanes {
    @inline(__always) static func values(_ x: FloatLanes) -> FloatLanes {
        0.5 * x * (1 + vectorTanh(sqrt2OverPi * (x + 0.044715 * x * x * x)))
    }
    @inline(__always) static func gradient(_ dy: FloatLanes, at x: FloatLanes) -> FloatLanes {
        let t = vectorTanh(sqrt2OverPi * (x + 0.044715 * x * x * x))
        let dt = (1 - t * t) * sqrt2OverPi * (1 + 3 * 0.044715 * x * x)
        return dy * (0.5 * (1 + t) + 0.5 * x * dt)
    }
}

/// relu: max(x, 0); passes dy where x > 0 (a NaN elsewhere stays put rather than becoming NaN · 0).
enum ReLULanes: ActivationLanes {
    @inline(__always) static func values(_ x: FloatLanes) -> FloatLanes { pointwiseMax(x, FloatLanes()) }
    @inline(__always) static func gradient(_ dy: FloatLanes, at x: FloatLanes) -> FloatLanes { dy.replacing(with: 0, where: x .<= 0) }
}

/// tanh; f′ = 1 − tanh(x)².
enum TanhLanes: ActivationLanes {
    @inline(__always) static func values(_ x: FloatLanes) -> FloatLanes { vectorTanh(x) }
    @inline(__always) static func gradient(_ dy: FloatLanes, at x: FloatLanes) -> FloatLanes {
        let t = vectorTanh(x)
        return dy * (1 - t * t)
    }
}

/// No activation: a Linear layer's epilogue with only its bias.
enum IdentityLanes: ActivationLanes {
    @inline(__always) static func values(_ x: FloatLanes) -> FloatLanes { x }
    @inline(__always) static func gradient(_ dy: FloatLanes, at x: FloatLanes) -> FloatLanes { dy }
}

/// out = f(input).  out, input: [count]
public func activationForward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int, _ function: Activation) {
    func run<Lanes: ActivationLanes>(_: Lanes.Type) {
        mapLanes(count) { offset, available in
            storeLanes(Lanes.values(loadLanes(input + offset, available)), out + offset, available)
        }
    }
    switch function {
    case .gelu: run(GELULanes.self)
    case .geluNew: run(GELUTanhLanes.self)
    case .relu: run(ReLULanes.self)
    case .tanh: run(TanhLanes.self)
    }
}

/// dinput (+)= dout · f′(input); tanh from its output instead (1 − y²), which the forward pass returned.
public func activationBackward(
    _ dinput: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, saved: UnsafePointer<Float>, count: Int,
    _ function: Activation, accumulate: Bool = true
) {
    func run<Lanes: ActivationLanes>(_: Lanes.Type) {
        mapLanes(count) { offset, available in
            let saved = loadLanes(saved + offset, available), dy = loadLanes(dout + offset, available)
            let local = Lanes.gradient(dy, at: saved)
            storeLanes((accumulate ? loadLanes(dinput + offset, available) : FloatLanes()) + local, dinput + offset, available)
        }
    }
    switch function {
    case .gelu: run(GELULanes.self)
    case .geluNew: run(GELUTanhLanes.self)
    case .relu: run(ReLULanes.self)
    case .tanh: run(TanhOfOutputLanes.self)
    }
}

/// tanh's derivative from its output y: 1 − y² (what the graph's tanh keeps).
private enum TanhOfOutputLanes: ActivationLanes {
    @inline(__always) static func values(_ x: FloatLanes) -> FloatLanes { vectorTanh(x) }
    @inline(__always) static func gradient(_ dy: FloatLanes, at y: FloatLanes) -> FloatLanes { dy * (1 - y * y) }
}
