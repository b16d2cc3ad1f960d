/// Builds an ONNX graph node by node: each call adds a node and returns the name of its output, so the graph reads
/// like the forward pass (`let h = g.add(g.matMul(x, w), b)`). Constants become initializers.
struct OnnxGraphBuilder {
    private(set) var nodes: [OnnxProto.Node] = []
    private(set) var initializers: [OnnxProto.Tensor] = []
    private var counter = 0

    /// Adds `opType` over `inputs`; returns its output's name (`name`, else a fresh one).
    @discardableResult
    mutating func node(_ opType: String, _ inputs: [String], _ attributes: [OnnxProto.Attribute] = [], name: String? = nil) -> String {
        multiple(opType, inputs, attributes, outputs: 1, name: name)[0]
    }

    /// Adds a node with `outputs` outputs (`<name>_0`, `<name>_1`, … when more than one); returns their names.
    @discardableResult
    mutating func multiple(_ opType: String, _ inputs: [String], _ attributes: [OnnxProto.Attribute] = [], outputs: Int,
                           name: String? = nil) -> [String] {
        counter += 1
        let base = name ?? "\(opType)_\(counter)"
        let names = outputs == 1 ? [base] : (0..<outputs).map { "\(base)_\($0)" }
        nodes.append(OnnxProto.Node(opType: opType, inputs: inputs, outputs: names, name: "/\(base)", attributes: attributes))
        return names
    }

    /// Renames the output of the last node (graph outputs carry optimum's names).
    mutating func renameLastOutput(to name: String) {
        let old = nodes[nodes.count - 1].outputs[0]
        nodes[nodes.count - 1].outputs[0] = name
        precondition(!nodes.dropLast().contains { $0.inputs.contains(old) }, "renamed an output already in use")
    }

    mutating func initializer(_ tensor: OnnxProto.Tensor) -> String {
        initializers.append(tensor)
        return tensor.name
    }

    mutating func constant(_ name: String, floats: [Float], dims: [Int] = []) -> String {
        initializer(.floats(name, dims: dims, floats))
    }

    mutating func constant(_ name: String, int64s: [Int64], dims: [Int]? = nil) -> String {
        initializer(.int64s(name, dims: dims ?? [int64s.count], int64s))
    }

    // MARK: - Operators

    mutating func add(_ a: String, _ b: String) -> String { node("Add", [a, b]) }
    mutating func mul(_ a: String, _ b: String) -> String { node("Mul", [a, b]) }
    mutating func sub(_ a: String, _ b: String) -> String { node("Sub", [a, b]) }
    mutating func div(_ a: String, _ b: String) -> String { node("Div", [a, b]) }
    mutating func matMul(_ a: String, _ b: String) -> String { node("MatMul", [a, b]) }
    mutating func gather(_ data: String, _ indices: String, axis: Int = 0) -> String { node("Gather", [data, indices], [.int("axis", axis)]) }
    mutating func transpose(_ x: String, _ permutation: [Int]) -> String { node("Transpose", [x], [.ints("perm", permutation)]) }
    mutating func reshape(_ x: String, _ shape: String) -> String { node("Reshape", [x, shape]) }
    mutating func softmax(_ x: String, axis: Int = -1) -> String { node("Softmax", [x], [.int("axis", axis)]) }
    mutating func tanh(_ x: String) -> String { node("Tanh", [x]) }

    /// `LayerNormalization` over the last axis (opset 17).
    mutating func layerNorm(_ x: String, weight: String, bias: String, epsilon: Float) -> String {
        node("LayerNormalization", [x, weight, bias], [.int("axis", -1), .float("epsilon", epsilon)])
    }
}
