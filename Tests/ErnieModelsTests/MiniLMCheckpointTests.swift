import Foundation
import Testing

@testable import ErnieModels

/// all-MiniLM-L6-v2's real `model.safetensors` (90 MB, F32 + an I64 `position_ids` buffer).
@Suite(.enabled(if: TestSupport.hasMiniLM, TestSupport.miniLMAbsent))
struct MiniLMCheckpointTests {
    /// Every tensor's name, dtype, shape, sum, |sum| and first element equal what PyTorch reads (goldens.json).
    @Test func everyTensorMatchesPyTorch() throws {
        let directory = TestSupport.miniLMDirectory
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent("model.safetensors"))
        let expected = TestSupport.goldens["minilm"]!["tensors"]!.arrayValue!
        #expect(file.tensors.count == expected.count)
        #expect(expected.count == 104)
        #expect(file.metadata == ["format": "pt"])
        var worst = 0.0
        for entry in expected {
            let name = entry["name"]!.stringValue!
            guard let info = file.info(named: name) else {
                Issue.record("missing \(name)")
                continue
            }
            #expect(info.shape == entry["shape"]!.arrayValue!.map { $0.intValue! }, "\(name)")
            let sum = entry["sum"]!.doubleValue!
            let absoluteSum = entry["abs_sum"]!.doubleValue!
            if entry["dtype"]!.stringValue! == "int64" {
                #expect(info.dtype == .int64)
                let values = try file.integers(named: name)
                #expect(Double(values.reduce(0, +)) == sum, "\(name)")
                continue
            }
            #expect(info.dtype == .float32, "\(name)")
            let values = try file.floats(named: name)
            #expect(Double(values[0]) == entry["first"]!.doubleValue!, "\(name)")
            let total = values.reduce(0.0) { $0 + Double($1) }
            let absolute = values.reduce(0.0) { $0 + Double(abs($1)) }
            worst = max(worst, abs(total - sum) / max(1, absoluteSum), abs(absolute - absoluteSum) / max(1, absoluteSum))
            // Measured: ≤ 4.7e-15 of |sum| (float64 summation order against PyTorch's); bar 5e-14.
            #expect(abs(total - sum) <= 5e-14 * max(1, absoluteSum), "\(name): \(total) vs \(sum)")
            #expect(abs(absolute - absoluteSum) <= 5e-14 * max(1, absoluteSum), "\(name): \(absolute) vs \(absoluteSum)")
        }
        print("MiniLM tensor sums: worst difference \(worst) of |sum|")
    }

    /// The base-model table resolves MiniLM with nothing missing and only the legacy buffer ignored.
    @Test func loadsIntoTheBaseModelTable() throws {
        let directory = TestSupport.miniLMDirectory
        let config = try ModelCheckpoint.loadConfig(directory: directory)
        let checkpoint = try SafetensorsCheckpoint(directory: directory)
        let table = ParameterTable(config: config, head: .base)
        let (tensors, report) = try ModelCheckpoint.loadFloats(checkpoint, table: table, options: StateDictLoadOptions(strict: true))
        #expect(report.missingKeys.isEmpty && report.unexpectedKeys.isEmpty)
        #expect(tensors.count == 103 && table.parameters.count == 103)
        #expect(tensors["embeddings.word_embeddings.weight"]?.count == 30522 * 384)
        // Into a head model: the prefix is added, the head is missing, the pooler is unexpected for MLM.
        let masked = ParameterTable(config: config, head: .maskedLM)
        let maskedReport = try ModelCheckpoint.resolve(checkpoint, table: masked)
        #expect(maskedReport.unexpectedKeys == ["pooler.dense.bias", "pooler.dense.weight"])
        #expect(maskedReport.missingKeys == [
            "cls.predictions.bias", "cls.predictions.decoder.bias", "cls.predictions.transform.LayerNorm.bias",
            "cls.predictions.transform.LayerNorm.weight", "cls.predictions.transform.dense.bias",
            "cls.predictions.transform.dense.weight",
        ])
        #expect(maskedReport.sources["bert.encoder.layer.5.output.dense.weight"] == "encoder.layer.5.output.dense.weight")
    }

    /// Reading all 90 MB as Float must take well under a second in release builds (printed; asserted loosely
    /// because the machine is shared).
    @Test func convertsQuickly() throws {
        let directory = TestSupport.miniLMDirectory
        let url = directory.appendingPathComponent("model.safetensors")
        var best = Double.infinity
        var total = 0
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            let file = try SafetensorsFile(contentsOf: url)
            total = 0
            for info in file.tensors where info.dtype == .float32 { total += try file.floats(named: info.name).count }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        print("MiniLM model.safetensors → [Float]: \(total) floats in \(String(format: "%.3f", best)) s")
        #expect(total == 22_713_216)
        #expect(best < 5)
    }
}
