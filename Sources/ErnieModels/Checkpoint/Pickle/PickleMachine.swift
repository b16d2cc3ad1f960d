import Foundation

/// A pickle that ernie refuses: the file, the byte offset, and why.
public struct PickleError: Error, CustomStringConvertible {
    public let description: String
}

/// A restricted unpickler: it reads the opcodes a state dict needs (protocols 2–5: containers, numbers, strings,
/// bytes, the memo, `GLOBAL` / `STACK_GLOBAL` of an allowed name, `REDUCE` / `NEWOBJ` / `BUILD` recorded as calls,
/// `BINPERSID`) into a `PickleValue` tree, and refuses everything else by name. Nothing is ever executed: a global
/// outside `allowed` (`os.system`, `builtins.eval`, …) stops the load at its offset. Lengths are checked against the
/// buffer, nesting is bounded (deep trees would overflow the stack when freed) and so is the memo.
public enum PickleMachine {
    /// Containers nested deeper than this are refused (state dicts nest 3–4 deep).
    public static let maximumDepth = 64

    /// Reads the pickle in `bytes` (`.bytes` values are ranges of it).
    /// - Parameters:
    ///   - allowed: the globals the pickle may name.
    ///   - source: the file (or zip member) for messages.
    public static func load(_ bytes: UnsafeRawBufferPointer, allowed: Set<PickleGlobal>, source: String) throws -> PickleValue {
        try loadPrefix(bytes, allowed: allowed, source: source).value
    }

    /// Reads the pickle at the start of `bytes` and the number of bytes it took up to its `STOP`: pickles written
    /// one after another (torch's legacy format) are read by calling this on what follows.
    public static func loadPrefix(_ bytes: UnsafeRawBufferPointer, allowed: Set<PickleGlobal>,
                                  source: String) throws -> (value: PickleValue, length: Int) {
        var machine = Machine(bytes: bytes, allowed: allowed, source: source)
        let value = try machine.run()
        return (value, machine.offset)
    }
}

private struct Machine {
    let bytes: UnsafeRawBufferPointer
    let allowed: Set<PickleGlobal>
    let source: String
    var offset = 0
    /// Values with their nesting depth.
    var stack: [(value: PickleValue, depth: Int)] = []
    var marks: [Int] = []
    var memo: [Int: (value: PickleValue, depth: Int)] = [:]

    init(bytes: UnsafeRawBufferPointer, allowed: Set<PickleGlobal>, source: String) {
        self.bytes = bytes
        self.allowed = allowed
        self.source = source
    }

    func fail(_ reason: String, at position: Int? = nil) -> PickleError {
        PickleError(description: "\(source): byte \(position ?? offset): \(reason)")
    }

    mutating func take(_ count: Int) throws -> Range<Int> {
        guard count >= 0, count <= bytes.count - offset else {
            throw fail("needs \(count) more bytes, \(bytes.count - offset) remain (truncated?)")
        }
        defer { offset += count }
        return offset..<(offset + count)
    }

    mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let range = try take(MemoryLayout<T>.size)
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: range.lowerBound, as: T.self))
    }

    /// A length field as Int (an 8-byte one may not fit).
    mutating func length<T: FixedWidthInteger>(_ type: T.Type) throws -> Int {
        let value = try integer(type)
        guard let length = Int(exactly: value) else { throw fail("length \(value) is out of range") }
        return length
    }

    mutating func text(_ count: Int) throws -> String {
        let range = try take(count)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    mutating func line() throws -> String {
        guard let end = bytes[offset...].firstIndex(of: 0x0A) else { throw fail("unterminated line") }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self)
        offset = end + 1
        return value
    }

    mutating func push(_ value: PickleValue, depth: Int = 0) throws {
        guard depth <= PickleMachine.maximumDepth else { throw fail("containers nested deeper than \(PickleMachine.maximumDepth)") }
        stack.append((value, depth))
    }

    mutating func pop() throws -> (value: PickleValue, depth: Int) {
        guard let top = stack.popLast(), stack.count >= (marks.last ?? 0) else { throw fail("stack underflow") }
        return top
    }

    /// The values above the last mark, which is removed.
    mutating func popMark() throws -> [(value: PickleValue, depth: Int)] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw fail("no mark to pop to") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    mutating func pushTuple(_ items: [(value: PickleValue, depth: Int)]) throws {
        try push(.tuple(items.map(\.value)), depth: 1 + (items.map(\.depth).max() ?? 0))
    }

    mutating func global(_ module: String, _ name: String, at position: Int) throws {
        let global = PickleGlobal(module, name)
        guard allowed.contains(global) else { throw fail("refused global \(global) (not part of a state dict)", at: position) }
        try push(.global(global))
    }

    /// Adds `pairs` to the dict (or dict-building call) below them.
    mutating func setItems(_ pairs: [(value: PickleValue, depth: Int)]) throws {
        guard pairs.count % 2 == 0, let target = stack.last else { throw fail("SETITEMS without a dict") }
        let depth = 1 + (pairs.map(\.depth).max() ?? 0)
        let items = stride(from: 0, to: pairs.count, by: 2).map { (key: pairs[$0].value, value: pairs[$0 + 1].value) }
        switch target.value {
        case .dict(let dict): dict.items += items
        case .call(let call): call.items += items
        default: throw fail("SETITEMS on a \(kind(target.value))")
        }
        stack[stack.count - 1].depth = max(target.depth, depth)
        guard stack[stack.count - 1].depth <= PickleMachine.maximumDepth else { throw fail("containers nested deeper than \(PickleMachine.maximumDepth)") }
    }

    mutating func append(_ values: [(value: PickleValue, depth: Int)]) throws {
        guard let target = stack.last else { throw fail("APPENDS without a list") }
        switch target.value {
        case .list(let list): list.values += values.map(\.value)
        case .call(let call): call.values += values.map(\.value)
        default: throw fail("APPENDS on a \(kind(target.value))")
        }
        stack[stack.count - 1].depth = max(target.depth, 1 + (values.map(\.depth).max() ?? 0))
        guard stack[stack.count - 1].depth <= PickleMachine.maximumDepth else { throw fail("containers nested deeper than \(PickleMachine.maximumDepth)") }
    }

    func kind(_ value: PickleValue) -> String {
        switch value {
        case .none: "None"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .bytes: "bytes"
        case .tuple: "tuple"
        case .list: "list"
        case .dict: "dict"
        case .global(let global): "\(global)"
        case .call(let call): "\(call.callable)(…)"
        case .persistent: "persistent id"
        }
    }

    mutating func run() throws -> PickleValue {
        while true {
            let position = offset
            let opcode = try integer(UInt8.self)
            switch opcode {
            case 0x80: _ = try integer(UInt8.self)                       // PROTO
            case 0x95: _ = try integer(UInt64.self)                      // FRAME
            case 0x2E:                                                   // STOP
                guard let top = stack.last else { throw fail("STOP with an empty stack") }
                return top.value
            case 0x28: marks.append(stack.count)                         // MARK
            case 0x29: try push(.tuple([]))                              // EMPTY_TUPLE
            case 0x5D: try push(.list(PickleList()), depth: 1)           // EMPTY_LIST
            case 0x7D: try push(.dict(PickleDict()), depth: 1)           // EMPTY_DICT
            case 0x74: try pushTuple(try popMark())                      // TUPLE
            case 0x85, 0x86, 0x87:                                       // TUPLE1–3
                var items: [(value: PickleValue, depth: Int)] = []
                for _ in 0..<Int(opcode - 0x84) { items.insert(try pop(), at: 0) }
                try pushTuple(items)
            case 0x6C:                                                   // LIST
                let items = try popMark()
                let list = PickleList()
                list.values = items.map(\.value)
                try push(.list(list), depth: 1 + (items.map(\.depth).max() ?? 0))
            case 0x64:                                                   // DICT
                let items = try popMark()
                try push(.dict(PickleDict()), depth: 1)
                try setItems(items)
            case 0x61: try append([try pop()])                           // APPEND
            case 0x65: try append(try popMark())                         // APPENDS
            case 0x73:                                                   // SETITEM
                let value = try pop(), key = try pop()
                try setItems([key, value])
            case 0x75: try setItems(try popMark())                       // SETITEMS
            case 0x4E: try push(.none)                                   // NONE
            case 0x88: try push(.bool(true))                             // NEWTRUE
            case 0x89: try push(.bool(false))                            // NEWFALSE
            case 0x4A: try push(.int(Int(try integer(Int32.self))))      // BININT
            case 0x4B: try push(.int(Int(try integer(UInt8.self))))      // BININT1
            case 0x4D: try push(.int(Int(try integer(UInt16.self))))     // BININT2
            case 0x8A:                                                   // LONG1
                let count = Int(try integer(UInt8.self))
                guard count <= 8 else { throw fail("integer of \(count) bytes is out of range") }
                let range = try take(count)
                var value: UInt64 = 0
                for (index, byte) in bytes[range].enumerated() { value |= UInt64(byte) << (8 * UInt64(index)) }
                if count > 0, count < 8, bytes[range.upperBound - 1] & 0x80 != 0 { value |= ~0 << (8 * UInt64(count)) }   // sign
                try push(.int(Int(Int64(bitPattern: value))))
            case 0x47:                                                   // BINFLOAT (big-endian)
                try push(.float(Double(bitPattern: try integer(UInt64.self).byteSwapped)))
            case 0x8C: try push(.string(try text(Int(try integer(UInt8.self)))))   // SHORT_BINUNICODE
            case 0x58: try push(.string(try text(try length(UInt32.self))))        // BINUNICODE
            case 0x8D: try push(.string(try text(try length(UInt64.self))))        // BINUNICODE8
            case 0x55: try push(.string(try text(Int(try integer(UInt8.self)))))   // SHORT_BINSTRING
            case 0x54: try push(.string(try text(try length(UInt32.self))))        // BINSTRING
            case 0x43: try push(.bytes(try take(Int(try integer(UInt8.self)))))    // SHORT_BINBYTES
            case 0x42: try push(.bytes(try take(try length(UInt32.self))))         // BINBYTES
            case 0x8E, 0x96: try push(.bytes(try take(try length(UInt64.self))))   // BINBYTES8, BYTEARRAY8
            case 0x63:                                                   // GLOBAL
                let module = try line(), name = try line()
                try global(module, name, at: position)
            case 0x93:                                                   // STACK_GLOBAL
                let name = try pop().value, module = try pop().value
                guard let module = module.string, let name = name.string else { throw fail("STACK_GLOBAL needs two strings") }
                try global(module, name, at: position)
            case 0x52, 0x81:                                             // REDUCE, NEWOBJ
                let arguments = try pop(), callable = try pop().value
                guard case .global(let global) = callable, let values = arguments.value.tuple else {
                    throw fail("\(opcode == 0x52 ? "REDUCE" : "NEWOBJ") of a \(kind(callable)) on a \(kind(arguments.value))")
                }
                try push(.call(PickleCall(callable: global, arguments: values)), depth: arguments.depth + 1)
            case 0x62:                                                   // BUILD
                let state = try pop()
                guard let target = stack.last, case .call(let call) = target.value else {
                    throw fail("BUILD on a \(stack.last.map { kind($0.value) } ?? "nothing")")
                }
                call.state = state.value
                stack[stack.count - 1].depth = max(target.depth, state.depth + 1)
                guard stack[stack.count - 1].depth <= PickleMachine.maximumDepth else { throw fail("containers nested deeper than \(PickleMachine.maximumDepth)") }
            case 0x51:                                                   // BINPERSID
                let id = try pop()
                try push(.persistent(id.value), depth: id.depth + 1)
            case 0x71: try put(Int(try integer(UInt8.self)))             // BINPUT
            case 0x72: try put(try length(UInt32.self))                  // LONG_BINPUT
            case 0x94: try put(memo.count)                               // MEMOIZE
            case 0x68: try get(Int(try integer(UInt8.self)))             // BINGET
            case 0x6A: try get(try length(UInt32.self))                  // LONG_BINGET
            case 0x30: _ = try pop()                                     // POP
            case 0x31: _ = try popMark()                                 // POP_MARK
            case 0x32:                                                   // DUP
                guard let top = stack.last else { throw fail("DUP with an empty stack") }
                try push(top.value, depth: top.depth)
            default:
                throw fail("opcode \(Self.name(of: opcode)) is not part of a state dict", at: position)
            }
        }
    }

    mutating func put(_ index: Int) throws {
        guard let top = stack.last else { throw fail("memo put with an empty stack") }
        guard memo.count < 1 << 24 || memo[index] != nil else { throw fail("memo larger than 16M entries") }
        memo[index] = top
    }

    mutating func get(_ index: Int) throws {
        guard let value = memo[index] else { throw fail("memo entry \(index) was never stored") }
        try push(value.value, depth: value.depth)
    }

    /// The pickletools name of a refused opcode.
    static func name(of opcode: UInt8) -> String {
        let names: [UInt8: String] = [
            0x69: "INST", 0x6F: "OBJ", 0x50: "PERSID", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4", 0x92: "NEWOBJ_EX",
            0x67: "GET", 0x70: "PUT", 0x49: "INT", 0x4C: "LONG", 0x8B: "LONG4", 0x46: "FLOAT", 0x53: "STRING",
            0x56: "UNICODE", 0x8F: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x97: "NEXT_BUFFER",
            0x98: "READONLY_BUFFER",
        ]
        return names[opcode].map { "\($0) (0x\(String(opcode, radix: 16)))" } ?? "0x\(String(opcode, radix: 16))"
    }
}
