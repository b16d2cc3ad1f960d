import ErnieBasics
import Foundation
import Testing
@testable import ErnieTraining

@Suite struct LoggingTensorBoardTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test func crc32cMatchesKnownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 (iSCSI) appendix B.4.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(CRC32C.masked(0) == 0xA282_EAD8)
        #expect(CRC32C.masked(0x8000) == 0xA282_EAD9)
    }

    /// The same events TensorBoard's own RecordWriter wrote (tools/logs_make_tensorboard_golden.py), byte for byte.
    @Test func eventRecordsMatchTensorBoardsWriter() throws {
        let golden = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("tensorboard_golden.tfevents")))
        var encoded = TFRecord.frame(TensorBoardEvent.fileVersion(wallTime: 1_700_000_000.25))
        encoded += TFRecord.frame(TensorBoardEvent.scalars([("train/loss", 0)], step: 0, wallTime: 1_700_000_001.5))
        encoded += TFRecord.frame(TensorBoardEvent.scalars(
            [("train/loss", 6.123), ("train/lr", 1e-4), ("eval/loss", -2.5)], step: 300_000, wallTime: 1_700_000_002.75))
        encoded += TFRecord.frame(TensorBoardEvent.scalars(
            [("train/tokens_per_s", .nan)], step: 5_000_000_000, wallTime: 1_700_000_003))
        #expect(encoded.count == golden.count)
        #expect(encoded == golden)

        let records = TFRecord.records(in: golden)
        #expect(records.map { TensorBoardEvent.step(of: $0.data) } == [0, 0, 300_000, 5_000_000_000])
        #expect(records.last?.framed.upperBound == golden.count)
        // A torn or corrupted tail ends the record list instead of failing.
        #expect(TFRecord.records(in: Array(golden.dropLast(3))).count == 3)
        var corrupted = golden
        corrupted[records[2].framed.lowerBound + 20] ^= 1
        #expect(TFRecord.records(in: corrupted).count == 2)
    }

    @Test func writerNamesTheFileAndWritesEachEvent() throws {
        let directory = try makeLoggingTestDirectory("tensorboard")
        defer { try? FileManager.default.removeItem(at: directory) }
        var now = 1_700_000_000.25
        let writer = try TensorBoardWriter(logDirectory: directory, hostName: "testhost", clock: { now })
        #expect(writer.fileURL.lastPathComponent == "events.out.tfevents.1700000000.testhost")
        now = 1_700_000_002.75
        try writer.addScalars(from: ["step": 300_000, "loss": 6.123, "lr": 1e-4, "eval_loss": -2.5, "note": "skipped"])
        // Written through, not buffered: the bytes are on disk before the writer goes away.
        let bytes = [UInt8](try Data(contentsOf: writer.fileURL))
        let golden = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("tensorboard_golden.tfevents")))
        let goldenRecords = TFRecord.records(in: golden)
        #expect(bytes == Array(golden[goldenRecords[0].framed] + golden[goldenRecords[2].framed]))
        #expect(TensorBoardWriter.tag(forMetric: "eval_ppl") == "eval/ppl")
        #expect(TensorBoardWriter.tag(forMetric: "tokens_per_s") == "train/tokens_per_s")
        #expect(TensorBoardWriter.tag(forMetric: "custom/x") == "custom/x")
    }

    @Test func resumingDropsLaterEventsFromEarlierFiles() throws {
        let directory = try makeLoggingTestDirectory("tensorboard-resume")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try TensorBoardWriter(logDirectory: directory, hostName: "h", clock: { 1_700_000_000 })
        for step in 1...6 { try first.addScalar("train/loss", Double(step), step: step) }
        let second = try TensorBoardWriter(logDirectory: directory, resumingAfterStep: 4, hostName: "h", clock: { 1_700_000_000 })
        #expect(second.fileURL.lastPathComponent == "events.out.tfevents.1700000000.h.1")
        try second.addScalar("train/loss", 50, step: 5)
        func steps(_ url: URL) throws -> [Int64?] {
            TFRecord.records(in: [UInt8](try Data(contentsOf: url))).map { TensorBoardEvent.step(of: $0.data) }
        }
        #expect(try steps(first.fileURL) == [0, 1, 2, 3, 4])
        #expect(try steps(second.fileURL) == [0, 5])
        // A new run replaces the earlier runs' event files.
        let third = try TensorBoardWriter(logDirectory: directory, hostName: "h", clock: { 1_700_000_100 })
        #expect(TensorBoardWriter.eventFiles(in: directory) == [third.fileURL])
    }

    /// Writes the event files tools/logs_check_tensorboard.py reads back with TensorBoard's own reader
    /// (into $ERNIE_LOGS_CHECK_DIR when set). Values: loss = 8·exp(−step/300) + 2, lr = 1e-4·step/1000, eval every 250.
    @Test func writesTheEventFilesForThePythonCheck() throws {
        let environment = ProcessInfo.processInfo.environment["ERNIE_LOGS_CHECK_DIR"]
        let directory = try environment.map { URL(fileURLWithPath: $0) } ?? makeLoggingTestDirectory("tensorboard-check")
        defer { if environment == nil { try? FileManager.default.removeItem(at: directory) } }
        // A run killed after step 700, resumed from the checkpoint at step 600: steps 601…700 must be replaced.
        let first = try TensorBoardWriter(logDirectory: directory, hostName: "check")
        for step in 1...700 {
            try first.addScalars(from: Self.checkRow(step: step, resumed: false))
            if step % 250 == 0 { try first.addScalars(from: ["step": MetricValue(step), "eval_loss": MetricValue(Double(step) / 100)]) }
        }
        let second = try TensorBoardWriter(logDirectory: directory, resumingAfterStep: 600, hostName: "check")
        for step in 601...1000 {
            try second.addScalars(from: Self.checkRow(step: step, resumed: true))
            if step % 250 == 0 { try second.addScalars(from: ["step": MetricValue(step), "eval_loss": MetricValue(Double(step) / 100)]) }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("tfevents") }
        #expect(files.count == 2)
        var records = 0
        for file in files {
            records += TFRecord.records(in: [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))).count
        }
        let expected = 2 + 1000 + 4  // two version records, one event per step, four evaluations
        #expect(records == expected)
    }

    static func checkRow(step: Int, resumed: Bool) -> MetricsRow {
        let loss = 8 * exp(-Double(step) / 300) + 2 + (resumed ? 0.5 : 0)
        return ["step": MetricValue(step), "loss": MetricValue(loss), "lr": MetricValue(1e-4 * Double(step) / 1000),
                "tokens_per_s": MetricValue(1000 + step)]
    }
}
