import ErnieBasics

/// Hand-written encoding of TensorBoard's `Event` protocol buffer (tensorboard/compat/proto/event.proto):
/// `wall_time` = 1 (double), `step` = 2 (int64), `file_version` = 3 (string), `summary` = 5 (Summary);
/// `Summary.value` = 1 (repeated Value); `Value.tag` = 1 (string), `Value.simple_value` = 2 (float).
/// As proto3 does, a zero step is left out; `simple_value` is a oneof member, so it is written even when zero.
enum TensorBoardEvent {
    /// The first record of every event file.
    static func fileVersion(wallTime: Double) -> [UInt8] {
        var event = ProtobufWriter()
        if wallTime != 0 { event.appendDouble(field: 1, wallTime) }
        event.appendString(field: 3, "brain.Event:2")
        return event.bytes
    }

    /// An event holding one scalar summary value per (tag, value).
    static func scalars(_ values: [(tag: String, value: Float)], step: Int64, wallTime: Double) -> [UInt8] {
        var summary = ProtobufWriter()
        for (tag, value) in values {
            var entry = ProtobufWriter()
            entry.appendString(field: 1, tag)
            entry.appendFloat(field: 2, value)
            summary.appendLengthDelimited(field: 1, entry.bytes)
        }
        var event = ProtobufWriter()
        if wallTime != 0 { event.appendDouble(field: 1, wallTime) }
        if step != 0 { event.appendInt64(field: 2, step) }
        event.appendLengthDelimited(field: 5, summary.bytes)
        return event.bytes
    }

    /// The `step` of an encoded event (0 when absent), or nil if the bytes are not a well-formed message.
    static func step(of event: ArraySlice<UInt8>) -> Int64? {
        var position = event.startIndex
        var step: Int64 = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0, shift: UInt64 = 0
            while position < event.endIndex, shift < 64 {
                let byte = event[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }
        while position < event.endIndex {
            guard let key = varint() else { return nil }
            switch key & 7 {
            case 0:
                guard let value = varint() else { return nil }
                if key >> 3 == 2 { step = Int64(bitPattern: value) }
            case 1: position += 8
            case 5: position += 4
            case 2:
                guard let length = varint(), length <= UInt64(event.endIndex - position) else { return nil }
                position += Int(length)
            default: return nil
            }
        }
        return position == event.endIndex ? step : nil
    }
}
