import Testing
@testable import ErnieEngine

/// Every op's backward against float64 finite differences.
@Suite struct GradientTests {
    let checker = GradientCheck()

    @Test func linear() throws {
        try checker.check("linear", inputs: [randomTensor([5, 7], seed: 1), randomTensor([3, 7], seed: 2), randomTensor([3], seed: 3)]) {
            try $0.linear($1[0], weight: $1[1], bias: $1[2])
        }
        try checker.check("linear without bias, rank 3", inputs: [randomTensor([2, 3, 4], seed: 4), randomTensor([6, 4], seed: 5)]) {
            try $0.linear($1[0], weight: $1[1], bias: nil)
        }
    }

    /// The fused Linear + activation: 70 rows (two 64-row blocks of the bias reduction), 19 outputs (ragged lanes).
    /// (ReLU's kink lies among random pre-activations, where finite differences disagree with any subgradient: the
    /// fused ReLU is checked against the composed ops in `OracleTests` instead.)
    @Test(arguments: [Activation.gelu, .geluNew])
    func linearWithActivation(_ function: Activation) throws {
        let x = randomTensor([70, 5], seed: 41), w = randomTensor([19, 5], seed: 42), b = randomTensor([19], seed: 43)
        try checker.check("linear + \(function)", inputs: [x, w, b]) {
            try $0.linear($1[0], weight: $1[1], bias: $1[2], activation: function)
        }
        try checker.check("linear + \(function) without bias", inputs: [randomTensor([3, 5], seed: 44), w]) {
            try $0.linear($1[0], weight: $1[1], bias: nil, activation: function)
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(transposeA: Bool, transposeB: Bool) throws {
        let a = randomTensor(transposeA ? [4, 3] : [3, 4], seed: 6)
        let b = randomTensor(transposeB ? [5, 4] : [4, 5], seed: 7)
        try checker.check("matmul tA=\(transposeA) tB=\(transposeB)", inputs: [a, b]) {
            try $0.matmul($1[0], $1[1], transposeA: transposeA, transposeB: transposeB)
        }
        let a3 = randomTensor(transposeA ? [2, 4, 3] : [2, 3, 4], seed: 8)
        let b3 = randomTensor(transposeB ? [2, 5, 4] : [2, 4, 5], seed: 9)
        try checker.check("batched matmul tA=\(transposeA) tB=\(transposeB)", inputs: [a3, b3]) {
            try $0.matmul($1[0], $1[1], transposeA: transposeA, transposeB: transposeB)
        }
    }

    @Test(arguments: Activation.allCases)
    func activation(_ function: Activation) throws {
        // Keep inputs off ReLU's kink (finite differences straddling 0 would disagree with any subgradient).
        let x = randomTensor([3, 37], seed: 10, low: -3, high: 3)
        for i in 0..<x.count where abs(x.data[i]) < 0.05 { x.data[i] = 0.5 }
        try checker.check("activation \(function)", inputs: [x]) { $0.activation($1[0], function) }
    }

    @Test func addScaleSumMeanReshape() throws {
        try checker.check("add", inputs: [randomTensor([4, 5], seed: 11), randomTensor([4, 5], seed: 12)]) { try $0.add($1[0], $1[1]) }
        try checker.check("scale", inputs: [randomTensor([17], seed: 13)]) { $0.scale($1[0], by: -2.5) }
        try checker.check("sum", inputs: [randomTensor([3, 19], seed: 14)]) { $0.sum($1[0]) }
        try checker.check("mean", inputs: [randomTensor([3, 19], seed: 15)]) { $0.mean($1[0]) }
        try checker.check("reshape", inputs: [randomTensor([3, 4], seed: 16)]) { g, x in
            try g.activation(g.reshape(x[0], [2, -1]), .tanh)
        }
    }

    @Test func layerNorm() throws {
        for columns in [7, 16, 45] {
            let x = randomTensor([4, columns], seed: 17, low: -2, high: 3)
            let w = randomTensor([columns], seed: 18, low: 0.5, high: 1.5)
            let b = randomTensor([columns], seed: 19)
            try checker.check("layerNorm C=\(columns)", inputs: [x, w, b]) { try $0.layerNorm($1[0], weight: $1[1], bias: $1[2], eps: 1e-5) }
        }
    }

    /// LayerNorm(dropout(x) + residual) as one op, with and without dropout (the mask replayed from its counter).
    @Test(arguments: [Float(0), 0.3])
    func addLayerNorm(dropout: Float) throws {
        let x = randomTensor([6, 37], seed: 45, low: -2, high: 3), residual = randomTensor([6, 37], seed: 46)
        let w = randomTensor([37], seed: 47, low: 0.5, high: 1.5), b = randomTensor([37], seed: 48)
        try checker.check("addLayerNorm p=\(dropout)", inputs: [x, residual, w, b], training: dropout > 0) {
            try $0.addLayerNorm($1[0], residual: $1[1], dropout: dropout, weight: $1[2], bias: $1[3], eps: 1e-5)
        }
    }

    @Test func softmax() throws {
        try checker.check("softmax", inputs: [randomTensor([3, 21], seed: 20, low: -3, high: 3)]) { $0.softmax($1[0]) }
    }

    @Test func dropout() throws {
        try checker.check("dropout", inputs: [randomTensor([5, 33], seed: 21)], training: true) {
            try $0.dropout($1[0], probability: 0.3)
        }
    }

    @Test func gatherRowsAndEmbedding() throws {
        try checker.check("gatherRows (repeated indices)", inputs: [randomTensor([6, 35], seed: 22)]) {
            try $0.gatherRows($1[0], indices: [5, 0, 5, 2, 5, 1, 0])
        }
    }

    @Test func concatenateAndSplit() throws {
        try checker.check("concatenate", inputs: [randomTensor([3, 2], seed: 23), randomTensor([3, 5], seed: 24)]) {
            try $0.concatenateColumns($1)
        }
        try checker.check("split", inputs: [randomTensor([3, 7], seed: 25)]) { g, x in
            let parts = try g.splitColumns(x[0], widths: [2, 5])
            return try g.concatenateColumns([g.scale(parts[1], by: 3), parts[0]])
        }
    }

    @Test(arguments: [0.0 as Float, 0.25])
    func attention(dropout: Float) throws {
        let batch = 2, sequence = 5, heads = 2, width = 6
        let q = randomTensor([batch * sequence, width], seed: 26)
        let k = randomTensor([batch * sequence, width], seed: 27)
        let v = randomTensor([batch * sequence, width], seed: 28)
        let mask = try Graph.additiveMask(from: [1, 1, 1, 1, 1, 1, 1, 1, 0, 0], batch: batch, sequence: sequence)
        try checker.check("attention p=\(dropout)", inputs: [q, k, v], training: dropout > 0) {
            try $0.attention(query: $1[0], key: $1[1], value: $1[2], additiveMask: mask, batch: batch, heads: heads, dropout: dropout)
        }
    }

    /// NEZHA's relative positions (K = 2 < seq, so the clamp matters), with and without dropout.
    @Test(arguments: [0.0 as Float, 0.25])
    func relativeAttention(dropout: Float) throws {
        let batch = 2, sequence = 6, heads = 2, width = 6
        let q = randomTensor([batch * sequence, width], seed: 31)
        let k = randomTensor([batch * sequence, width], seed: 32)
        let v = randomTensor([batch * sequence, width], seed: 33)
        let table = randomTensor([5, width / heads], seed: 34)
        let mask = try Graph.additiveMask(from: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], batch: batch, sequence: sequence)
        try checker.check("relative attention p=\(dropout)", inputs: [q, k, v], training: dropout > 0) {
            try $0.attention(query: $1[0], key: $1[1], value: $1[2], additiveMask: mask, batch: batch, heads: heads, dropout: dropout,
                             relativePositions: table)
        }
    }

    /// MindSpore's learned table: its gradient too.
    @Test func relativeAttentionTableGradient() throws {
        let batch = 2, sequence = 6, heads = 2, width = 6
        let inputs = [randomTensor([batch * sequence, width], seed: 35), randomTensor([batch * sequence, width], seed: 36),
                      randomTensor([batch * sequence, width], seed: 37), randomTensor([5, width / heads], seed: 38)]
        let mask = try Graph.additiveMask(from: [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0], batch: batch, sequence: sequence)
        try checker.check("relative attention, learned table", inputs: inputs) {
            try $0.attention(query: $1[0], key: $1[1], value: $1[2], additiveMask: mask, batch: batch, heads: heads, relativePositions: $1[3])
        }
    }

    @Test func crossEntropy() throws {
        try checker.check("crossEntropy", inputs: [randomTensor([5, 23], seed: 29, low: -3, high: 3)]) {
            try $0.crossEntropy(logits: $1[0], targets: [3, -100, 22, 0, 7])
        }
    }

    @Test func regressionAndMultiLabelLosses() throws {
        try checker.check("meanSquaredError", inputs: [randomTensor([4, 2], seed: 30)]) {
            try $0.meanSquaredError($1[0], targets: [0.5, -1, 2, 0, 1, 1, -0.5, 0.25])
        }
        try checker.check("binaryCrossEntropyWithLogits", inputs: [randomTensor([3, 3], seed: 31, low: -4, high: 4)]) {
            try $0.binaryCrossEntropyWithLogits($1[0], targets: [1, 0, 1, 0, 0, 1, 1, 1, 0])
        }
    }

    /// A small transformer block end to end: shared inputs (residuals), several ops composing on one tape.
    @Test func composedBlock() throws {
        let batch = 2, sequence = 3, width = 8
        let inputs = [
            randomTensor([batch * sequence, width], seed: 32), randomTensor([3 * width, width], seed: 33, low: -0.5, high: 0.5),
            randomTensor([width], seed: 34, low: 0.8, high: 1.2), randomTensor([width], seed: 35),
        ]
        try checker.check("block", inputs: inputs) { g, p in
            let qkv = try g.linear(p[0], weight: p[1], bias: nil)
            let parts = try g.splitColumns(qkv, widths: [width, width, width])
            let context = try g.attention(query: parts[0], key: parts[1], value: parts[2], additiveMask: nil, batch: batch, heads: 2)
            return try g.layerNorm(g.add(context, p[0]), weight: p[2], bias: p[3], eps: 1e-12)
        }
    }
}
