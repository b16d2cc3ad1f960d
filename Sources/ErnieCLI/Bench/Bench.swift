import ArgumentParser
import Foundation

/// `ernie bench <case>`: machine-readable speed numbers (never timed tests).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: a table on stdout, or one JSON object per line with --json.",
        subcommands: [
            BenchGEMM.self,
            BenchKernels.self,
            BenchTrain.self,
            BenchInfer.self,
            BenchTokenize.self,
            BenchSegment.self,
            BenchPrepare.self,
        ])
}

/// Options every benchmark takes.
struct BenchOutputOptions: ParsableArguments {
    @Option(name: .customLong("json"), help: "Print one JSON object per line instead of a table.")
    var json = false
}

/// One measured number. `fields` hold the case (`shape`, `dtype`, `threads`, …) in print order.
struct BenchRecord {
    var bench: String
    var fields: [(String, BenchValue)]
    var value: Double
    var unit: String
    /// Extra numbers after value/unit (e.g. `tokens_per_s` for train).
    var extra: [(String, BenchValue)] = []
}

enum BenchValue {
    case string(String)
    case int(Int)
    case double(Double)

    var json: String {
        switch self {
        case .string(let s): "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .int(let i): String(i)
        case .double(let d): d.isFinite ? String(format: "%.6g", d) : "null"
        }
    }

    var text: String {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): String(format: "%.4g", d)
        }
    }
}

/// Prints records as JSON lines or as an aligned table, flushing after each so long runs show progress.
struct BenchPrinter {
    let json: Bool
    private var printedHeader = false

    init(json: Bool) { self.json = json }

    mutating func print(_ record: BenchRecord) {
        if json {
            var parts = ["\"bench\": \"\(record.bench)\""]
            parts += record.fields.map { "\"\($0.0)\": \($0.1.json)" }
            parts.append("\"value\": \(BenchValue.double(record.value).json)")
            parts.append("\"unit\": \"\(record.unit)\"")
            parts += record.extra.map { "\"\($0.0)\": \($0.1.json)" }
            Swift.print("{" + parts.joined(separator: ", ") + "}")
        } else {
            let cells = [record.bench] + record.fields.map { "\($0.0)=\($0.1.text)" }
                + [String(format: "%10.2f %@", record.value, record.unit)]
                + record.extra.map { "\($0.0)=\($0.1.text)" }
            Swift.print(cells.joined(separator: "  "))
        }
        fflush(nil)  // all streams: `stdout` itself is shared mutable state to Swift 6
    }
}
