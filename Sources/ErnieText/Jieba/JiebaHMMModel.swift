import Foundation

/// jieba's `finalseg` HMM: log probabilities of the B/M/E/S (begin, middle, end, single) states for segmenting runs of
/// characters the dictionary route left as single characters. Read at run time from the installed jieba package
/// (`finalseg/prob_start.py`, `prob_trans.py`, `prob_emit.py`).
public struct JiebaHMMModel: Sendable {
    /// States in index order B, E, M, S (alphabetical, which is also Python's tie-break order).
    static let states: [Character] = ["B", "E", "M", "S"]
    static let begin = 0, end = 1, middle = 2, single = 3
    /// jieba's `MIN_FLOAT`, the log probability of anything unseen.
    static let minFloat = -3.14e100
    /// Range of the direct emission table: jieba's finalseg only ever sees `[\u4E00-\u9FD5]` runs.
    static let hanFirst: UInt32 = 0x4E00, hanLast: UInt32 = 0x9FD5

    /// `start[state]`.
    let start: [Double]
    /// `transition[from * 4 + to]` (`minFloat` where jieba's table has no entry).
    let transition: [Double]
    /// `emission[state][scalar - hanFirst]` for the Han range (`minFloat` when absent).
    let hanEmission: [[Double]]
    /// `hanEmission` flattened ([state × hanCount + scalar − hanFirst]) for the Viterbi loop.
    let hanEmissionRows: [Double]
    /// Emission entries outside the Han range.
    let otherEmission: [[UInt32: Double]]

    /// Reads the three tables from jieba's `finalseg` directory.
    public init(directory: URL) throws {
        func load(_ name: String) throws -> [(key: PythonLiteral, value: PythonLiteral)] {
            let url = directory.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw JiebaError.unreadable(path: url.path, reason: "missing (install python3-jieba or pass --hmm_dir)")
            }
            guard case .dict(let entries) = try PythonLiteral.parseAssignment(named: "P", in: [UInt8](data), path: url.path)
            else { throw JiebaError.invalidModel(path: url.path, reason: "P is not a dict") }
            return entries
        }
        func stateIndex(_ key: PythonLiteral, _ path: String) throws -> Int {
            guard case .string(let name) = key, name.count == 1, let index = Self.states.firstIndex(of: name.first!) else {
                throw JiebaError.invalidModel(path: path, reason: "unknown state \(key)")
            }
            return index
        }
        func number(_ value: PythonLiteral, _ path: String) throws -> Double {
            guard case .number(let number) = value else { throw JiebaError.invalidModel(path: path, reason: "expected a number") }
            return number
        }
        let startPath = directory.appendingPathComponent("prob_start.py").path
        var start = [Double](repeating: Self.minFloat, count: 4)
        for (key, value) in try load("prob_start.py") { start[try stateIndex(key, startPath)] = try number(value, startPath) }
        let transPath = directory.appendingPathComponent("prob_trans.py").path
        var transition = [Double](repeating: Self.minFloat, count: 16)
        for (key, value) in try load("prob_trans.py") {
            let from = try stateIndex(key, transPath)
            guard case .dict(let row) = value else { throw JiebaError.invalidModel(path: transPath, reason: "expected a dict") }
            for (to, probability) in row { transition[from * 4 + (try stateIndex(to, transPath))] = try number(probability, transPath) }
        }
        let emitPath = directory.appendingPathComponent("prob_emit.py").path
        let hanCount = Int(Self.hanLast - Self.hanFirst) + 1
        var hanEmission = [[Double]](repeating: [Double](repeating: Self.minFloat, count: hanCount), count: 4)
        var otherEmission = [[UInt32: Double]](repeating: [:], count: 4)
        for (key, value) in try load("prob_emit.py") {
            let state = try stateIndex(key, emitPath)
            guard case .dict(let row) = value else { throw JiebaError.invalidModel(path: emitPath, reason: "expected a dict") }
            for (character, probability) in row {
                guard case .string(let text) = character, text.unicodeScalars.count == 1 else {
                    throw JiebaError.invalidModel(path: emitPath, reason: "emission keys must be single characters")
                }
                let scalar = text.unicodeScalars.first!.value
                let logProbability = try number(probability, emitPath)
                if scalar >= Self.hanFirst && scalar <= Self.hanLast {
                    hanEmission[state][Int(scalar - Self.hanFirst)] = logProbability
                } else {
                    otherEmission[state][scalar] = logProbability
                }
            }
        }
        self.start = start
        self.transition = transition
        self.hanEmission = hanEmission
        hanEmissionRows = hanEmission.flatMap { $0 }
        self.otherEmission = otherEmission
    }

    @inline(__always)
    func emission(_ state: Int, _ scalar: UInt32) -> Double {
        if scalar >= Self.hanFirst && scalar <= Self.hanLast { return hanEmission[state][Int(scalar - Self.hanFirst)] }
        return otherEmission[state][scalar] ?? Self.minFloat
    }

    /// Viterbi states of `run` (finalseg's `viterbi`), with Python's tie-breaks: the larger state letter wins a tie.
    /// Sums are taken in jieba's order so that every decision matches bit for bit. The loop reads through unsafe
    /// buffers (indices are states 0…3 and Han offsets below hanCount), so it keeps its speed in a checked build.
    func viterbi(_ run: UnsafeBufferPointer<UInt32>, states: inout [UInt8], backpointers: inout [UInt8]) {
        let count = run.count
        states.removeAll(keepingCapacity: true)
        guard count > 0 else { return }
        backpointers.removeAll(keepingCapacity: true)
        backpointers.append(contentsOf: repeatElement(0, count: count * 4))
        let hanCount = Int(Self.hanLast - Self.hanFirst) + 1
        // PrevStatus: B ← E,S; E ← B,M; M ← B,M (listed "MB"); S ← E,S (listed "SE").
        let predecessors: [(Int, Int)] = [(Self.end, Self.single), (Self.begin, Self.middle), (Self.middle, Self.begin),
                                          (Self.single, Self.end)]
        var last = 0
        hanEmissionRows.withUnsafeBufferPointer { han in
            transition.withUnsafeBufferPointer { transition in
                backpointers.withUnsafeMutableBufferPointer { back in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: 8) { scores in
                        @inline(__always) func emission(_ state: Int, _ scalar: UInt32) -> Double {
                            if scalar >= Self.hanFirst && scalar <= Self.hanLast { return han[state &* hanCount &+ Int(scalar &- Self.hanFirst)] }
                            return otherEmission[state][scalar] ?? Self.minFloat
                        }
                        var previous = scores.baseAddress!, current = scores.baseAddress! + 4
                        for state in 0..<4 { previous[state] = start[state] + emission(state, run[0]) }
                        for t in 1..<max(count, 1) {
                            let scalar = run[t]
                            for state in 0..<4 {
                                let emit = emission(state, scalar)
                                let (a, b) = predecessors[state]
                                let viaA = previous[a] + transition[a &* 4 &+ state] + emit
                                let viaB = previous[b] + transition[b &* 4 &+ state] + emit
                                // max over (probability, state letter) tuples.
                                let pickA = viaA > viaB || (viaA == viaB && a > b)
                                current[state] = pickA ? viaA : viaB
                                back[t &* 4 &+ state] = UInt8(pickA ? a : b)
                            }
                            swap(&previous, &current)
                        }
                        last = previous[Self.single] >= previous[Self.end] ? Self.single : Self.end
                    }
                }
            }
        }
        var state = last
        states.append(contentsOf: repeatElement(0, count: count))
        for t in stride(from: count - 1, through: 0, by: -1) {
            states[t] = UInt8(state)
            if t > 0 { state = Int(backpointers[t * 4 + state]) }
        }
    }
}
