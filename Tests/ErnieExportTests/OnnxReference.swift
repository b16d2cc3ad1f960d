import Foundation

/// A test-only reader and float64 interpreter of the ONNX graphs `ernie export` writes: the naive oracle the exported
/// graph is checked against (onnxruntime is the peer check in tools/onnx_check.py). It parses the protobuf wire format
/// independently of the writer and runs each node with textbook loops.
struct OnnxReference {
    struct Array: Equatable {
        var shape: [Int]
        var values: [Double]
        var count: Int { shape.reduce(1, *) }
    }

    struct Node {
        var opType = "", inputs: [String] = [], outputs: [String] = []
        var ints: [String: Int] = [:], floats: [String: Double] = [:], intLists: [String: [Int]] = [:]
    }

    var nodes: [Node] = []
    var initializers: [String: Array] = [:]
    var inputs: [String] = []
    var outputs: [String] = []
    var opset = 0
    var irVersion = 0

    // MARK: - Protobuf

    private struct Reader {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        init(_ bytes: [UInt8], _ range: Range<Int>) { self.bytes = bytes; position = range.lowerBound; end = range.upperBound }

        var atEnd: Bool { position >= end }

        mutating func varint() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                let byte = bytes[position]; position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }

        /// (field, wire type, payload range for length-delimited / the value for varint and fixed32).
        mutating func field() -> (Int, Int, Range<Int>, UInt64) {
            let key = varint()
            let field = Int(key >> 3), wire = Int(key & 7)
            switch wire {
            case 0: return (field, wire, 0..<0, varint())
            case 2:
                let length = Int(varint())
                defer { position += length }
                return (field, wire, position..<(position + length), 0)
            case 5:
                var value: UInt32 = 0
                for index in 0..<4 { value |= UInt32(bytes[position + index]) << (8 * UInt32(index)) }
                position += 4
                return (field, wire, 0..<0, UInt64(value))
            default: fatalError("wire type \(wire)")
            }
        }

        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
    }

    init(_ bytes: [UInt8]) {
        var model = Reader(bytes, 0..<bytes.count)
        while !model.atEnd {
            let (field, _, range, value) = model.field()
            switch field {
            case 1: irVersion = Int(value)
            case 7: readGraph(bytes, range)
            case 8:
                var opsetReader = Reader(bytes, range)
                while !opsetReader.atEnd { let (f, _, _, v) = opsetReader.field(); if f == 2 { opset = Int(v) } }
            default: break
            }
        }
    }

    private mutating func readGraph(_ bytes: [UInt8], _ range: Range<Int>) {
        var graph = Reader(bytes, range)
        while !graph.atEnd {
            let (field, _, range, _) = graph.field()
            switch field {
            case 1: nodes.append(Self.readNode(bytes, range))
            case 5:
                let (name, array) = Self.readTensor(bytes, range)
                initializers[name] = array
            case 11, 12:
                var info = Reader(bytes, range)
                while !info.atEnd { let (f, _, r, _) = info.field(); if f == 1 { field == 11 ? inputs.append(info.string(r)) : outputs.append(info.string(r)) } }
            default: break
            }
        }
    }

    private static func readNode(_ bytes: [UInt8], _ range: Range<Int>) -> Node {
        var node = Node()
        var reader = Reader(bytes, range)
        while !reader.atEnd {
            let (field, _, range, _) = reader.field()
            switch field {
            case 1: node.inputs.append(reader.string(range))
            case 2: node.outputs.append(reader.string(range))
            case 4: node.opType = reader.string(range)
            case 5:
                var attribute = Reader(bytes, range)
                var name = "", ints: [Int] = [], int: Int?, float: Double?
                while !attribute.atEnd {
                    let (f, _, r, v) = attribute.field()
                    switch f {
                    case 1: name = attribute.string(r)
                    case 2: float = Double(Float(bitPattern: UInt32(v)))
                    case 3: int = Int(Int64(bitPattern: v))
                    case 8: ints.append(Int(Int64(bitPattern: v)))
                    default: break
                    }
                }
                if let int { node.ints[name] = int }
                if let float { node.floats[name] = float }
                if !ints.isEmpty { node.intLists[name] = ints }
            default: break
            }
        }
        return node
    }

    private static func readTensor(_ bytes: [UInt8], _ range: Range<Int>) -> (String, Array) {
        var reader = Reader(bytes, range)
        var dims: [Int] = [], type = 0, name = "", raw = 0..<0
        while !reader.atEnd {
            let (field, _, range, value) = reader.field()
            switch field {
            case 1: dims.append(Int(Int64(bitPattern: value)))
            case 2: type = Int(value)
            case 8: name = reader.string(range)
            case 9: raw = range
            default: break
            }
        }
        var values: [Double] = []
        let data = bytes[raw]
        data.withUnsafeBytes { buffer in
            switch type {
            case 1: values = (0..<(data.count / 4)).map { Double(buffer.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self)) }
            case 7: values = (0..<(data.count / 8)).map { Double(buffer.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            case 2: values = buffer.map { Double($0) }
            case 3: values = buffer.map { Double(Int8(bitPattern: $0)) }
            default: fatalError("tensor type \(type)")
            }
        }
        return (name, Array(shape: dims, values: values))
    }

    // MARK: - Interpreter

    /// Runs the graph; returns every graph output.
    func run(_ feeds: [String: Array]) -> [String: Array] {
        var values = initializers.merging(feeds) { $1 }
        for node in nodes {
            let x = node.inputs.map { values[$0]! }
            let results = Self.evaluate(node, x)
            for (name, result) in zip(node.outputs, results) { values[name] = result }
        }
        return Dictionary(uniqueKeysWithValues: outputs.map { ($0, values[$0]!) })
    }

    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return strides
    }

    /// NumPy broadcasting of an elementwise binary op.
    static func broadcast(_ a: Array, _ b: Array, _ op: (Double, Double) -> Double) -> Array {
        let rank = max(a.shape.count, b.shape.count)
        let sa = [Int](repeating: 1, count: rank - a.shape.count) + a.shape, sb = [Int](repeating: 1, count: rank - b.shape.count) + b.shape
        let shape = zip(sa, sb).map { max($0, $1) }
        let (ta, tb, to) = (strides(sa), strides(sb), strides(shape))
        let count = shape.reduce(1, *)
        var out = [Double](repeating: 0, count: count)
        for index in 0..<count {
            var ia = 0, ib = 0, rest = index
            for axis in 0..<rank {
                let coordinate = rest / to[axis]; rest %= to[axis]
                if sa[axis] != 1 { ia += coordinate * ta[axis] }
                if sb[axis] != 1 { ib += coordinate * tb[axis] }
            }
            out[index] = op(a.values[ia], b.values[ib])
        }
        return Array(shape: shape, values: out)
    }

    static func evaluate(_ node: Node, _ x: [Array]) -> [Array] {
        switch node.opType {
        case "Add": return [broadcast(x[0], x[1], +)]
        case "Sub": return [broadcast(x[0], x[1], -)]
        case "Mul": return [broadcast(x[0], x[1], *)]
        case "Div": return [broadcast(x[0], x[1], /)]
        case "Pow": return [broadcast(x[0], x[1], Foundation.pow)]
        case "Erf": return [Array(shape: x[0].shape, values: x[0].values.map(Foundation.erf))]
        case "Tanh": return [Array(shape: x[0].shape, values: x[0].values.map(Foundation.tanh))]
        case "Relu": return [Array(shape: x[0].shape, values: x[0].values.map { max(0, $0) })]
        case "Identity", "Cast": return [x[0]]
        case "Abs": return [Array(shape: x[0].shape, values: x[0].values.map(Swift.abs))]
        case "Reciprocal": return [Array(shape: x[0].shape, values: x[0].values.map { 1 / $0 })]
        case "Round": return [Array(shape: x[0].shape, values: x[0].values.map { $0.rounded(.toNearestOrEven) })]
        case "Clip": return [Array(shape: x[0].shape, values: x[0].values.map { Swift.min(x[2].values[0], Swift.max(x[1].values[0], $0)) })]
        case "Equal": return [broadcast(x[0], x[1]) { $0 == $1 ? 1 : 0 }]
        case "Where":
            let shape = broadcast(broadcast(x[0], x[1]) { c, _ in c }, x[2]) { c, _ in c }.shape
            let zeros = Array(shape: shape, values: [Double](repeating: 0, count: shape.reduce(1, *)))
            let condition = broadcast(zeros, x[0]) { _, c in c }, first = broadcast(zeros, x[1]) { _, v in v }, second = broadcast(zeros, x[2]) { _, v in v }
            return [Array(shape: shape, values: condition.values.indices.map { condition.values[$0] != 0 ? first.values[$0] : second.values[$0] })]
        case "ReduceMax":
            // Over the last axis only (what the int8 layers use); axes as an attribute (opset < 18) or an input.
            let axes = node.intLists["axes"] ?? x.dropFirst().first.map { $0.values.map { Int($0) } } ?? []
            precondition(axes == [-1] || axes == [x[0].shape.count - 1], "ReduceMax over the last axis only")
            let width = x[0].shape.last!
            let maxima = (0..<(x[0].count / width)).map { row in x[0].values[(row * width)..<((row + 1) * width)].max()! }
            let keep = (node.ints["keepdims"] ?? 1) == 1
            return [Array(shape: Swift.Array(x[0].shape.dropLast()) + (keep ? [1] : []), values: maxima)]
        case "MatMulInteger":
            // (A − a_zero_point) · (B − b_zero_point), B [k, n] and zero points scalars.
            let a = Array(shape: x[0].shape, values: x[0].values.map { $0 - (x.count > 2 ? x[2].values[0] : 0) })
            let b = Array(shape: x[1].shape, values: x[1].values.map { $0 - (x.count > 3 ? x[3].values[0] : 0) })
            return evaluate(Node(opType: "MatMul"), [a, b])
        case "Shape": return [Array(shape: [x[0].shape.count], values: x[0].shape.map(Double.init))]
        case "Range":
            let (start, limit, delta) = (x[0].values[0], x[1].values[0], x[2].values[0])
            let values = stride(from: start, to: limit, by: delta).map { $0 }
            return [Array(shape: [values.count], values: values)]
        case "Unsqueeze":
            var shape = x[0].shape
            for axis in x[1].values.map({ Int($0) }).sorted() { shape.insert(1, at: axis < 0 ? axis + shape.count + 1 : axis) }
            return [Array(shape: shape, values: x[0].values)]
        case "Squeeze":
            var shape = x[0].shape
            for axis in x[1].values.map({ Int($0) < 0 ? Int($0) + shape.count : Int($0) }).sorted(by: >) { shape.remove(at: axis) }
            return [Array(shape: shape, values: x[0].values)]
        case "Concat":
            precondition(x.allSatisfy { $0.shape.count == 1 }, "1-D concat only")
            let values = x.flatMap(\.values)
            return [Array(shape: [values.count], values: values)]
        case "Reshape":
            var shape = x[1].values.enumerated().map { $0.element == 0 ? x[0].shape[$0.offset] : Int($0.element) }
            if let infer = shape.firstIndex(of: -1) { shape[infer] = x[0].count / shape.filter { $0 != -1 }.reduce(1, *) }
            precondition(shape.reduce(1, *) == x[0].count, "reshape \(x[0].shape) → \(shape)")
            return [Array(shape: shape, values: x[0].values)]
        case "Transpose":
            let perm = node.intLists["perm"]!
            let shape = perm.map { x[0].shape[$0] }
            let (source, target) = (strides(x[0].shape), strides(shape))
            var out = [Double](repeating: 0, count: x[0].count)
            for index in 0..<out.count {
                var rest = index, from = 0
                for axis in 0..<shape.count { let c = rest / target[axis]; rest %= target[axis]; from += c * source[perm[axis]] }
                out[index] = x[0].values[from]
            }
            return [Array(shape: shape, values: out)]
        case "Gather":
            let axis = node.ints["axis"] ?? 0
            let data = x[0], indices = x[1]
            let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *), size = data.shape[axis]
            var out: [Double] = []
            for o in 0..<outer {
                for index in indices.values.map({ Int($0) }) {
                    let base = (o * size + index) * inner
                    out += data.values[base..<(base + inner)]
                }
            }
            return [Array(shape: Swift.Array(data.shape[..<axis]) + indices.shape + Swift.Array(data.shape[(axis + 1)...]), values: out)]
        case "MatMul":
            let (a, b) = (x[0], x[1])
            let (m, k, n) = (a.shape[a.shape.count - 2], a.shape.last!, b.shape.last!)
            let batchA = Swift.Array(a.shape.dropLast(2)), batchB = Swift.Array(b.shape.dropLast(2))
            let rank = max(batchA.count, batchB.count)
            let ba = [Int](repeating: 1, count: rank - batchA.count) + batchA, bb = [Int](repeating: 1, count: rank - batchB.count) + batchB
            let batch = zip(ba, bb).map { max($0, $1) }
            let (sa, sb, so) = (strides(ba), strides(bb), strides(batch))
            var out = [Double](repeating: 0, count: batch.reduce(1, *) * m * n)
            for index in 0..<batch.reduce(1, *) {
                var rest = index, ia = 0, ib = 0
                for axis in 0..<rank {
                    let c = rest / so[axis]; rest %= so[axis]
                    if ba[axis] != 1 { ia += c * sa[axis] }
                    if bb[axis] != 1 { ib += c * sb[axis] }
                }
                for row in 0..<m {
                    for column in 0..<n {
                        var sum = 0.0
                        for inner in 0..<k { sum += a.values[ia * m * k + row * k + inner] * b.values[ib * k * n + inner * n + column] }
                        out[(index * m + row) * n + column] = sum
                    }
                }
            }
            return [Array(shape: batch + [m, n], values: out)]
        case "Softmax":
            let width = x[0].shape.last!
            var out = x[0].values
            for row in 0..<(out.count / width) {
                let slice = out[(row * width)..<((row + 1) * width)]
                let top = slice.max()!
                let weights = slice.map { Foundation.exp($0 - top) }
                let total = weights.reduce(0, +)
                for (offset, weight) in weights.enumerated() { out[row * width + offset] = weight / total }
            }
            return [Array(shape: x[0].shape, values: out)]
        case "LayerNormalization":
            let width = x[0].shape.last!, epsilon = node.floats["epsilon"] ?? 1e-5
            var out = x[0].values
            for row in 0..<(out.count / width) {
                let slice = out[(row * width)..<((row + 1) * width)]
                let mean = slice.reduce(0, +) / Double(width)
                let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(width)
                for offset in 0..<width {
                    out[row * width + offset] = (slice[row * width + offset] - mean) / (variance + epsilon).squareRoot() * x[1].values[offset] + x[2].values[offset]
                }
            }
            return [Array(shape: x[0].shape, values: out)]
        case "Split":
            let axis = node.ints["axis"]! < 0 ? node.ints["axis"]! + x[0].shape.count : node.ints["axis"]!
            let sizes = x[1].values.map { Int($0) }
            let outer = x[0].shape[..<axis].reduce(1, *), inner = x[0].shape[(axis + 1)...].reduce(1, *), size = x[0].shape[axis]
            var start = 0
            return sizes.map { part in
                var out: [Double] = []
                for o in 0..<outer { for s in start..<(start + part) { let base = (o * size + s) * inner; out += x[0].values[base..<(base + inner)] } }
                start += part
                var shape = x[0].shape
                shape[axis] = part
                return Array(shape: shape, values: out)
            }
        default:
            fatalError("the reference interpreter has no \(node.opType)")
        }
    }
}
