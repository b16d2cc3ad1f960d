import Foundation
import Testing
@testable import ErnieEngine

/// Every fast kernel against a naive double-precision oracle.
@Suite struct OracleTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sgemmMatchesNaive(transposeA: Bool, transposeB: Bool) {
        var worst: Float = 0
        for (m, n, k) in [(1, 1, 1), (7, 13, 5), (64, 33, 129), (3, 200, 17)] {
            let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 1)
            let b = randomTensor(transposeB ? [n, k] : [k, n], seed: 2)
            let c = randomTensor([m, n], seed: 3), expected = c.copy()
            let lda = transposeA ? m : k, ldb = transposeB ? k : n
            gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                 a: a.data, lda: lda, b: b.data, ldb: ldb, beta: 2, c: c.data, ldc: n)
            gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5,
                      a: a.data, lda: lda, b: b.data, ldb: ldb, beta: 2, c: expected.data, ldc: n)
            let error = maxAbsDifference(c.values, expected.values)
            worst = max(worst, error)
            // Measured: ≤ 2.9e-6 (float32 accumulation order); bar 5e-5 (headroom: other CPUs' fp32 kernels).
            #expect(error < 5e-5, "m=\(m) n=\(n) k=\(k)")
        }
        print("sgemm tA=\(transposeA) tB=\(transposeB): max abs error \(worst)")
    }

    /// bf16 products: exact against the naive GEMM of the bf16-rounded inputs up to float32 accumulation order.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func bf16GemmMatchesNaiveOnRoundedInputs(transposeA: Bool, transposeB: Bool) {
        let (m, n, k) = (48, 80, 96)
        let a = randomTensor(transposeA ? [k, m] : [m, k], seed: 4), b = randomTensor(transposeB ? [n, k] : [k, n], seed: 5)
        let a16 = BFloat16Buffer(count: a.count), b16 = BFloat16Buffer(count: b.count)
        a16.update(from: a.data)
        b16.update(from: b.data)
        for i in 0..<a.count { a.data[i] = BFloat16.float(a16.pointer[i]) }
        for i in 0..<b.count { b.data[i] = BFloat16.float(b16.pointer[i]) }
        let c = randomTensor([m, n], seed: 6), expected = c.copy()
        let lda = transposeA ? m : k, ldb = transposeB ? k : n
        gemmBF16(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                 a: a16.pointer, lda: lda, b: b16.pointer, ldb: ldb, beta: 1, c: c.data, ldc: n)
        gemmNaive(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  a: a.data, lda: lda, b: b.data, ldb: ldb, beta: 1, c: expected.data, ldc: n)
        let error = maxAbsDifference(c.values, expected.values)
        print("bf16 gemm tA=\(transposeA) tB=\(transposeB): max abs error \(error)")
        // Measured: ≤ 1.9e-6 (float32 accumulation order); bar 5e-5 (headroom: AMX and AVX512-BF16 kernels differ).
        #expect(error < 5e-5)
    }

    /// Pre-packed B: the same products as the naive GEMM of the rounded inputs, whichever way B is stored, and
    /// reusable for many products.
    @Test(arguments: [false, true])
    func packedBF16GemmMatchesNaiveOnRoundedInputs(transposeB: Bool) {
        let (m, n, k) = (40, 72, 136)
        let b = randomTensor(transposeB ? [n, k] : [k, n], seed: 8)
        let b16 = BFloat16Buffer(count: b.count)
        b16.update(from: b.data)
        for i in 0..<b.count { b.data[i] = BFloat16.float(b16.pointer[i]) }
        let ldb = transposeB ? k : n
        let packed = PackedBFloat16Matrix(transposeB: transposeB, m: m, n: n, k: k, b: b16.pointer, ldb: ldb)
        for seed in [9, 10] as [UInt64] {
            let a = randomTensor([m, k], seed: seed)
            let a16 = BFloat16Buffer(count: a.count)
            a16.update(from: a.data)
            for i in 0..<a.count { a.data[i] = BFloat16.float(a16.pointer[i]) }
            let c = randomTensor([m, n], seed: 11), expected = Tensor(shape: [m, n])
            packed.multiply(a16.pointer, into: c.data)
            gemmNaive(transposeA: false, transposeB: transposeB, m: m, n: n, k: k,
                      a: a.data, lda: k, b: b.data, ldb: ldb, c: expected.data, ldc: n)
            let error = maxAbsDifference(c.values, expected.values)
            print("packed bf16 gemm tB=\(transposeB) seed \(seed): max abs error \(error)")
            // Measured: ≤ 1.9e-6 (float32 accumulation order); bar 5e-5 (headroom: AMX and AVX512-BF16 kernels differ).
            #expect(error < 5e-5, "seed \(seed)")
        }
    }

    /// A Linear weight packed once (`PackedBFloat16Weight`) serves products with any number of rows, overwriting or
    /// accumulating (beta), as the naive GEMM of the rounded inputs computes them; a bf16 inference graph with a weight
    /// cache (which takes this path) gives what the graph without one gives.
    @Test func packedBF16WeightServesEveryRowCount() throws {
        let (n, k) = (72, 136)
        let w = randomTensor([n, k], seed: 12)
        let weight = PackedBFloat16Weight(w.data, rows: n, columns: k)
        for i in 0..<w.count { w.data[i] = BFloat16.float(weight.plain.pointer[i]) }
        for (m, beta) in [(1, 0), (7, 1), (128, 0), (300, 1)] as [(Int, Float)] {
            let a = randomTensor([m, k], seed: UInt64(13 + m))
            let a16 = BFloat16Buffer(count: a.count)
            a16.update(from: a.data)
            for i in 0..<a.count { a.data[i] = BFloat16.float(a16.pointer[i]) }
            let c = randomTensor([m, n], seed: 14), expected = c.copy()
            weight.multiply(a16.pointer, m: m, beta: beta, into: c.data)
            gemmNaive(transposeA: false, transposeB: true, m: m, n: n, k: k,
                      a: a.data, lda: k, b: w.data, ldb: k, beta: beta, c: expected.data, ldc: n)
            let error = maxAbsDifference(c.values, expected.values)
            // Measured: ≤ 1.9e-6 (float32 accumulation order); bar 5e-5 as for the other bf16 GEMMs.
            #expect(error < 5e-5, "m \(m) beta \(beta): max abs error \(error)")
        }
        let x = randomTensor([130, 256], seed: 15), w2 = randomTensor([64, 256], seed: 16), b = randomTensor([64], seed: 17)
        let cache = WeightCache()
        let plain = try Graph.inference(precision: .bf16).linear(x, weight: w2, bias: b)
        for _ in 0..<2 {
            let packed = try Graph.inference(precision: .bf16, weightCache: cache).linear(x, weight: w2, bias: b)
            #expect(maxAbsDifference(plain.values, packed.values) < 5e-5)
        }
    }

    /// A float32 Linear weight packed once (`PackedFloat32Weight`) serves products with any number of rows, overwriting
    /// or accumulating (beta), as the naive GEMM computes them; an fp32 inference graph with a weight cache (which takes
    /// this path) gives what the graph without one (`dnnl_sgemm`) gives.
    @Test func packedFloat32WeightServesEveryRowCount() throws {
        let (n, k) = (72, 136)
        let w = randomTensor([n, k], seed: 32)
        let weight = PackedFloat32Weight(w)
        for (m, beta) in [(1, 0), (7, 1), (128, 0), (300, 1)] as [(Int, Float)] {
            let a = randomTensor([m, k], seed: UInt64(33 + m))
            let c = randomTensor([m, n], seed: 34), expected = c.copy()
            weight.multiply(a.data, m: m, beta: beta, into: c.data)
            gemmNaive(transposeA: false, transposeB: true, m: m, n: n, k: k,
                      a: a.data, lda: k, b: w.data, ldb: k, beta: beta, c: expected.data, ldc: n)
            let error = maxAbsDifference(c.values, expected.values)
            print("packed float32 gemm m \(m) beta \(beta): max abs error \(error)")
            // Measured: ≤ 8.6e-6 (float32 accumulation order over k = 136, outputs up to ≈ 10); bar 1e-4 (≈ 10×).
            #expect(error < 1e-4, "m \(m) beta \(beta): max abs error \(error)")
        }
        let x = randomTensor([130, 256], seed: 35), w2 = randomTensor([64, 256], seed: 36), b = randomTensor([64], seed: 37)
        let cache = WeightCache()
        // The bias added by the packed product itself (no activation) or by the epilogue (GELU).
        for activation in [nil, .gelu] as [Activation?] {
            let plain = try Graph.inference(precision: .fp32).linear(x, weight: w2, bias: b, activation: activation)
            for _ in 0..<2 {
                let packed = try Graph.inference(precision: .fp32, weightCache: cache).linear(x, weight: w2, bias: b, activation: activation)
                #expect(maxAbsDifference(plain.values, packed.values) < 1e-4, "\(String(describing: activation))")
            }
        }
    }

    /// bf16 inference attention (bf16 products, scores in scratch) against the float32 kernel, with and without a mask:
    /// within 1% of the output scale, as the bf16 linear layer.
    @Test func bf16InferenceAttentionWithinTolerance() throws {
        let (batch, sequence, heads, d) = (3, 37, 4, 16)
        let q = randomTensor([batch * sequence, heads * d], seed: 21), k = randomTensor([batch * sequence, heads * d], seed: 22)
        let v = randomTensor([batch * sequence, heads * d], seed: 23)
        let mask = try Graph.additiveMask(from: (0..<(batch * sequence)).map { $0 % sequence < sequence - 5 * ($0 / sequence) ? 1 : 0 },
                                          batch: batch, sequence: sequence)
        for additive in [nil, mask] {
            let exact = try Graph.inference(precision: .fp32).attention(query: q, key: k, value: v, additiveMask: additive,
                                                                        batch: batch, heads: heads)
            let rounded = try Graph.inference(precision: .bf16).attention(query: q, key: k, value: v, additiveMask: additive,
                                                                          batch: batch, heads: heads)
            let scale = exact.values.map(abs).max()!
            let error = maxAbsDifference(exact.values, rounded.values)
            print("bf16 attention (mask: \(additive != nil)): max abs error \(error) on outputs up to \(scale)")
            // Measured: 2.8e-3 and 3.3e-3 of the scale (bf16 rounding of Q, K, V and P); bar 1e-2.
            #expect(error / scale < 0.01)
        }
    }

    /// bf16 training attention (bf16 products forward and backward, float32 softmax and probabilities) against the
    /// float32 kernel with the same dropout draws and mask: output and the three input gradients within 2% of their
    /// scale (bf16 rounding of Q, K, V, dOut, P' and dS), and the same bits on every run.
    @Test func bf16TrainingAttentionWithinTolerance() throws {
        let (batch, sequence, heads, d) = (2, 29, 3, 16)
        let mask = try Graph.additiveMask(from: (0..<(batch * sequence)).map { $0 % sequence < sequence - 4 * ($0 / sequence) ? 1 : 0 },
                                          batch: batch, sequence: sequence)
        let upstream = randomTensor([batch * sequence, heads * d], seed: 27)
        func run(_ precision: MatmulPrecision) throws -> [[Float]] {
            let q = randomTensor([batch * sequence, heads * d], seed: 24), k = randomTensor([batch * sequence, heads * d], seed: 25)
            let v = randomTensor([batch * sequence, heads * d], seed: 26)
            for t in [q, k, v] { t.requiresGrad = true }
            let graph = Graph(training: true, precision: precision, random: RandomGenerator(seed: 5))
            let y = try graph.attention(query: q, key: k, value: v, additiveMask: mask, batch: batch, heads: heads, dropout: 0.1)
            try graph.backward(from: y, gradient: upstream)
            return [y.values, q.grad!.values, k.grad!.values, v.grad!.values]
        }
        let exact = try run(.fp32), rounded = try run(.bf16)
        // Both threads run the cached bf16 primitives at once: repeated runs must agree bit for bit (a primitive sharing
        // the library's scratchpad across threads once gave 36% errors here one run in six).
        for _ in 0..<4 { #expect(try run(.bf16) == rounded, "bf16 attention is not deterministic across runs") }
        for (name, (a, b)) in zip(["output", "dq", "dk", "dv"], zip(exact, rounded)) {
            let scale = a.map(abs).max()!
            let error = maxAbsDifference(a, b)
            print("bf16 training attention \(name): max abs error \(error) on values up to \(scale)")
            // Measured: ≤ 3e-3 of the scale; bar 2e-2.
            #expect(error / scale < 0.02, "\(name)")
        }
    }

    /// The bf16 path end to end on float32 data: stated tolerance 1% of the output scale (bf16 keeps 8 mantissa bits).
    @Test func bf16LinearWithinTolerance() throws {
        let x = randomTensor([32, 256], seed: 7), w = randomTensor([64, 256], seed: 8), b = randomTensor([64], seed: 9)
        let exact = try Graph.inference(precision: .fp32).linear(x, weight: w, bias: b)
        let rounded = try Graph.inference(precision: .bf16).linear(x, weight: w, bias: b)
        let scale = exact.values.map(abs).max()!
        let error = maxAbsDifference(exact.values, rounded.values)
        print("bf16 linear: max abs error \(error) on outputs up to \(scale)")
        // Measured: 2.2e-3 of the scale (bf16 rounding of the inputs); bar 1e-2.
        #expect(error / scale < 0.01)
    }

    /// The fused Linear + activation against the two ops it replaces, forward and every gradient, in both precisions
    /// (stated bar 1e-5 of the scale: they may differ only in where the bias is added and the order of the bias sums),
    /// and in bf16 against float32 (bar 1e-2 of the scale; not ReLU, whose mask flips where the rounded product changes
    /// the sign of a pre-activation near 0). Repeated bf16 runs agree bit for bit.
    @Test(arguments: [Activation.gelu, .geluNew, .relu])
    func fusedLinearActivationMatchesComposedOps(_ function: Activation) throws {
        let upstream = randomTensor([150, 96], seed: 33)
        func run(_ precision: MatmulPrecision, fused: Bool) throws -> [[Float]] {
            let x = randomTensor([150, 40], seed: 30), w = randomTensor([96, 40], seed: 31), b = randomTensor([96], seed: 32)
            for t in [x, w, b] { t.requiresGrad = true }
            let graph = Graph(training: true, precision: precision)
            let y = fused ? try graph.linear(x, weight: w, bias: b, activation: function)
                          : graph.activation(try graph.linear(x, weight: w, bias: b), function)
            try graph.backward(from: y, gradient: upstream)
            return [y.values, x.grad!.values, w.grad!.values, b.grad!.values]
        }
        let exact = try run(.fp32, fused: false)
        for precision in [MatmulPrecision.fp32, .bf16] {
            let fused = try run(precision, fused: true), composed = try run(precision, fused: false)
            if precision == .bf16 { #expect(try run(.bf16, fused: true) == fused, "fused bf16 linear is not deterministic") }
            for (name, index) in [("output", 0), ("dx", 1), ("dw", 2), ("db", 3)] {
                let scale = exact[index].map(abs).max()!
                let fromComposed = maxAbsDifference(composed[index], fused[index]) / scale
                let fromFloat32 = maxAbsDifference(exact[index], fused[index]) / scale
                print("fused linear + \(function) \(precision) \(name): \(fromComposed) from the composed ops, \(fromFloat32) from float32")
                // Measured: 0 from the composed ops (the product adds the bias after its dot products either way);
                // bf16 ≤ 4e-3 from float32.
                #expect(fromComposed < 1e-5, "\(function) \(precision) \(name)")
                if function != .relu { #expect(fromFloat32 < 1e-2, "\(function) \(precision) \(name)") }
            }
        }
    }

    @Test func bf16RoundsToNearestEven() {
        #expect(BFloat16.bits(1.0) == 0x3F80)
        #expect(BFloat16.bits(Float(bitPattern: 0x3F80_8000)) == 0x3F80)  // tie → even
        #expect(BFloat16.bits(Float(bitPattern: 0x3F81_8000)) == 0x3F82)  // tie → even (up)
        #expect(BFloat16.bits(Float(bitPattern: 0x3F80_8001)) == 0x3F81)
        #expect(BFloat16.float(BFloat16.bits(-2.5)) == -2.5)
        #expect(BFloat16.float(BFloat16.bits(.nan)).isNaN)
    }

    /// The vectorised conversion (AVX512-BF16, AVX2 or scalar, as the CPU has) gives `BFloat16.bits` on every element:
    /// ties both ways, NaNs with and without the quiet bit, infinities, subnormals, the largest finite (rounds up to
    /// infinity), both signs; 16 · 4 + 7 elements so every path's ragged tail is crossed.
    @Test func vectorisedBFloat16RoundingIsTheScalarOne() {
        let patterns: [UInt32] = [0x3F80_8000, 0x3F81_8000, 0x3F80_8001, 0x3F80_7FFF, 0x7F80_0000, 0x7FC0_0000,
                                  0x7F80_0001, 0x7FBF_FFFF, 0x7FFF_FFFF, 0x0000_0001, 0x0080_0000, 0x7F7F_FFFF, 0,
                                  0x4049_0FDB, 0x3DCC_CCCD]
        let values = (0..<71).map { index -> Float in
            let bits = patterns[index % patterns.count] | (index % 2 == 1 ? 0x8000_0000 : 0)
            return Float(bitPattern: bits)
        }
        var rounded = [UInt16](repeating: 0, count: values.count)
        for start in [0, 1, 9] {  // offsets that shift which elements fall in the vector body and the tail
            values.withUnsafeBufferPointer { source in
                rounded.withUnsafeMutableBufferPointer {
                    BFloat16.convert(source.baseAddress! + start, to: $0.baseAddress!, count: values.count - start)
                }
            }
            for index in start..<values.count {
                #expect(rounded[index - start] == BFloat16.bits(values[index]), "element \(index) bits \(String(values[index].bitPattern, radix: 16))")
            }
        }
    }

    /// The vectorised dropout draws exactly `RandomGenerator.uniformFloat(seed, counter + i) ≥ p` (the mask the
    /// backward pass, resume and every earlier run rely on), over counts with ragged tails, counters that wrap past
    /// 2⁶⁴, and probabilities that sit exactly on an element's uniform and one float above it (where ≥ is decided).
    @Test func dropoutMaskIsTheGeneratorsUniforms() {
        let count = 16 * 700 + 13
        let input = (0..<count).map { Float($0 % 97) - 48.5 }
        var out = [Float](repeating: .nan, count: count)
        var accumulated = [Float](repeating: 1, count: count)
        for (seed, counter) in [(UInt64(7), UInt64(0)), (0xDEAD_BEEF, 12_345), (3, UInt64.max - 5000)] {
            // An element's uniform below ½, where floats lie between the 2⁻²⁴ steps (nextUp falls between two).
            let onElement = (0..<64).lazy.map { RandomGenerator.uniformFloat(seed: seed, index: counter &+ UInt64($0)) }
                .first { $0 < 0.5 }!
            for p in [0.1, 0.5, 0x1p-24, 0.999_999_94, onElement, onElement.nextUp] as [Float] {
                dropoutForward(&out, input, count: count, probability: p, seed: seed, counter: counter)
                dropoutBackward(&accumulated, input, count: count, probability: p, seed: seed, counter: counter)
                var mismatches = 0
                for i in 0..<count {
                    let keep = RandomGenerator.uniformFloat(seed: seed, index: counter &+ UInt64(i)) >= p
                    let expected = keep ? input[i] * (1 / (1 - p)) : 0
                    if out[i] != expected || accumulated[i] != 1 + expected { mismatches += 1 }
                    accumulated[i] = 1
                }
                #expect(mismatches == 0, "p \(p) seed \(seed) counter \(counter)")
            }
        }
    }

    @Test func vectorMathAccuracy() {
        var worstExp = 0.0, worstErf = 0.0, worstTanh = 0.0
        var x = -20.0
        while x <= 20 {
            let lanes = FloatLanes(repeating: Float(x))
            let e = Double(vectorExp(lanes)[0]), exact = Foundation.exp(Double(Float(x)))
            worstExp = max(worstExp, abs(e - exact) / exact)
            worstErf = max(worstErf, abs(Double(vectorErf(lanes)[0]) - Foundation.erf(Double(Float(x)))))
            worstTanh = max(worstTanh, abs(Double(vectorTanh(lanes)[0]) - Foundation.tanh(Double(Float(x)))))
            x += 0.001
        }
        print("vector math: exp rel \(worstExp), erf abs \(worstErf), tanh abs \(worstTanh)")
        // Measured: exp 9.1e-8 relative, erf 4.1e-7, tanh 8.6e-8 absolute; bars 3e-7, 5e-7, 5e-7 (already within 10x).
        #expect(worstExp < 3e-7)
        #expect(worstErf < 5e-7)
        #expect(worstTanh < 5e-7)
        #expect(vectorExp(FloatLanes(repeating: -1e30))[0] == 0)
    }

    /// The bar: GELU (exact erf form) within 1e-6 absolute of the float64 formula.
    @Test func geluWithinOneMillionth() {
        let count = 200_001
        let x = Tensor(uninitializedShape: [count]), y = Tensor(uninitializedShape: [count])
        for i in 0..<count { x.data[i] = Float(-10 + 20 * Double(i) / Double(count - 1)) }
        activationForward(y.data, x.data, count: count, .gelu)
        var worst = 0.0
        for i in 0..<count {
            let v = Double(x.data[i])
            worst = max(worst, abs(Double(y.data[i]) - v * 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))))
        }
        print("gelu: max abs error \(worst)")
        // Measured: 4.6e-7; bar 1e-6 (the stated bar, within 10x).
        #expect(worst <= 1e-6)
    }

    @Test func layerNormMatchesNaive() {
        let rows = 9, columns = 77
        let x = randomTensor([rows, columns], seed: 10, low: 100, high: 101)  // large mean: tests the two-pass variance
        let w = randomTensor([columns], seed: 11), b = randomTensor([columns], seed: 12)
        let y = Tensor(uninitializedShape: [rows, columns]), mean = Tensor(uninitializedShape: [rows]), rstd = Tensor(uninitializedShape: [rows])
        layerNormForward(y.data, mean: mean.data, rstd: rstd.data, x.data, weight: w.data, bias: b.data, rows: rows, columns: columns, eps: 1e-12)
        var worst = 0.0
        for r in 0..<rows {
            let row = (0..<columns).map { Double(x[r, $0]) }
            let mu = row.reduce(0, +) / Double(columns)
            let variance = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(columns)
            for c in 0..<columns {
                let expected = (row[c] - mu) / (variance + 1e-12).squareRoot() * Double(w.data[c]) + Double(b.data[c])
                worst = max(worst, abs(expected - Double(y[r, c])))
            }
        }
        print("layerNorm: max abs error \(worst)")
        // Measured: 3.8e-5 (inputs near 100 carry float32 rounding of 1e-5 each); bar 5e-4.
        #expect(worst < 5e-4, "layerNorm max abs error \(worst)")
    }

    @Test func softmaxAndCrossEntropyMatchNaive() throws {
        let rows = 6, classes = 1000
        let logits = randomTensor([rows, classes], seed: 13, low: -20, high: 20)
        let targets: [Int32] = [0, 999, -100, 500, 17, 3]
        let graph = Graph.inference()
        let loss = try graph.crossEntropy(logits: logits, targets: targets).values[0]
        let probs = graph.softmax(logits)
        var expected = 0.0, kept = 0.0, worst = 0.0
        for r in 0..<rows {
            let row = (0..<classes).map { Double(logits[r, $0]) }
            let m = row.max()!
            let lse = m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +))
            for c in 0..<classes { worst = max(worst, abs(Double(probs[r, c]) - Foundation.exp(row[c] - lse))) }
            if targets[r] != -100 {
                expected += lse - row[Int(targets[r])]
                kept += 1
            }
        }
        print("softmax: max abs error \(worst); cross-entropy: abs error \(abs(Double(loss) - expected / kept))")
        // Measured: softmax 3.3e-9, cross-entropy 7.7e-7 (float32 rounding); bars 5e-8, 1e-5.
        #expect(worst < 5e-8)
        #expect(abs(Double(loss) - expected / kept) < 1e-5)
    }

    @Test func attentionMatchesComposedOps() throws {
        let batch = 2, sequence = 19, heads = 3, d = 8, width = heads * d
        let q = randomTensor([batch * sequence, width], seed: 14), k = randomTensor([batch * sequence, width], seed: 15)
        let v = randomTensor([batch * sequence, width], seed: 16)
        var maskBits = [Int32](repeating: 1, count: batch * sequence)
        for j in 15..<sequence { maskBits[sequence + j] = 0 }
        let mask = try Graph.additiveMask(from: maskBits, batch: batch, sequence: sequence)
        let fused = try Graph.inference().attention(query: q, key: k, value: v, additiveMask: mask, batch: batch, heads: heads)
        var worst = 0.0
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<sequence {
                    var scores = (0..<sequence).map { j -> Double in
                        var dot = 0.0
                        for c in 0..<d { dot += Double(q[b * sequence + i, h * d + c]) * Double(k[b * sequence + j, h * d + c]) }
                        return dot / Double(d).squareRoot() + (maskBits[b * sequence + j] == 0 ? -1e30 : 0)
                    }
                    let m = scores.max()!
                    scores = scores.map { Foundation.exp($0 - m) }
                    let total = scores.reduce(0, +)
                    for c in 0..<d {
                        var value = 0.0
                        for j in 0..<sequence { value += scores[j] / total * Double(v[b * sequence + j, h * d + c]) }
                        worst = max(worst, abs(value - Double(fused[b * sequence + i, h * d + c])))
                    }
                }
            }
        }
        print("attention: max abs error \(worst)")
        // Measured: 6.8e-8 (float32 rounding); bar 1e-6 (headroom: other CPUs' fp32 kernels).
        #expect(worst < 1e-6, "attention max abs error \(worst)")
    }

    /// NEZHA's relative attention against its definition in float64: scores q·k + q·r(i, j), values v + r(i, j).
    @Test func relativeAttentionMatchesNaive() throws {
        let batch = 2, sequence = 11, heads = 2, d = 8, width = heads * d, maxDistance = 3
        let q = randomTensor([batch * sequence, width], seed: 41), k = randomTensor([batch * sequence, width], seed: 42)
        let v = randomTensor([batch * sequence, width], seed: 43)
        let table = randomTensor([2 * maxDistance + 1, d], seed: 44)
        var maskBits = [Int32](repeating: 1, count: batch * sequence)
        for j in 8..<sequence { maskBits[sequence + j] = 0 }
        let mask = try Graph.additiveMask(from: maskBits, batch: batch, sequence: sequence)
        let fused = try Graph.inference().attention(query: q, key: k, value: v, additiveMask: mask, batch: batch, heads: heads,
                                                    relativePositions: table)
        var worst = 0.0
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<sequence {
                    let row = { (j: Int) in min(max(j - i, -maxDistance), maxDistance) + maxDistance }
                    var scores = (0..<sequence).map { j -> Double in
                        var dot = 0.0
                        for c in 0..<d {
                            dot += Double(q[b * sequence + i, h * d + c]) * (Double(k[b * sequence + j, h * d + c]) + Double(table[row(j), c]))
                        }
                        return dot / Double(d).squareRoot() + (maskBits[b * sequence + j] == 0 ? -1e30 : 0)
                    }
                    let m = scores.max()!
                    scores = scores.map { Foundation.exp($0 - m) }
                    let total = scores.reduce(0, +)
                    for c in 0..<d {
                        var value = 0.0
                        for j in 0..<sequence { value += scores[j] / total * (Double(v[b * sequence + j, h * d + c]) + Double(table[row(j), c])) }
                        worst = max(worst, abs(value - Double(fused[b * sequence + i, h * d + c])))
                    }
                }
            }
        }
        print("relative attention: max abs error \(worst)")
        // Measured: 1.6e-7 (float32 rounding); bar 1e-6.
        #expect(worst < 1e-6, "relative attention max abs error \(worst)")
    }

    @Test func gatherScatterMatchesNaive() throws {
        let table = randomTensor([10, 37], seed: 17)
        table.requiresGrad = true
        let ids: [Int32] = [3, 3, 9, 0, 3]
        let graph = Graph(training: true)
        let rows = try graph.embedding(table, ids: ids)
        for (i, id) in ids.enumerated() { for c in 0..<37 { #expect(rows[i, c] == table[Int(id), c]) } }
        let seed = randomTensor([5, 37], seed: 18)
        try graph.backward(from: rows, gradient: seed)
        for c in 0..<37 {
            // Measured: 0 (the same float32 sums in the same order); bar 1e-6 allows another summation order.
            #expect(abs(table.grad![3, c] - (seed[0, c] + seed[1, c] + seed[4, c])) < 1e-6)
            #expect(table.grad![1, c] == 0)
        }
    }
}
