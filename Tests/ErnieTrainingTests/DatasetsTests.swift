import ErnieBasics
import Foundation
import Testing
@testable import ErnieTraining

/// A fresh temporary directory per call.
private func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "ernie-datasets-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func write(_ bytes: [UInt8], _ name: String, in directory: String) throws -> String {
    let path = directory + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

private func write(_ text: String, _ name: String, in directory: String) throws -> String {
    try write(Array(text.utf8), name, in: directory)
}

/// The DatasetError a throwing call raises, or nil.
private func datasetError(_ body: () throws -> Void) -> DatasetError? {
    do { try body(); return nil } catch { return error as? DatasetError }
}

@Suite struct DatasetReaderTests {
    @Test func jsonLinesAndTSV() throws {
        let directory = try temporaryDirectory()
        let json = try write("""
            {"sentence": "房间很干净", "label": "positive"}

            {"text": "服务\\"一般\\"", "label": 0}
            {"sentence1": "今天下雨吗", "sentence2": "今天会下雨吗", "label": "1"}
            {"sentence": "没有标签"}
            """, "a.json", in: directory)
        let examples = try ClassificationExample.read(path: json)
        #expect(examples.map(\.text) == ["房间很干净", "服务\"一般\"", "今天下雨吗", "没有标签"])
        #expect(examples.map(\.label) == ["positive", "0", "1", nil])
        #expect(examples.map(\.textPair) == [nil, nil, "今天会下雨吗", nil])
        #expect(examples.map(\.line) == [1, 3, 4, 5])
        // Written lines read back unchanged.
        let copy = try write(examples.map { $0.jsonLine + "\n" }.joined(), "b.json", in: directory)
        #expect(try ClassificationExample.read(path: copy).map { [$0.text, $0.textPair, $0.label] } == examples.map { [$0.text, $0.textPair, $0.label] })
        #expect(ClassificationExample(text: "a\n\u{1}", label: "x").jsonLine == "{\"sentence\": \"a\\n\\u0001\", \"label\": \"x\"}")

        let tsv = try write("label\ttext_a\n1\t好\n0\t差\n", "c.tsv", in: directory)
        #expect(try ClassificationExample.read(path: tsv).map { [$0.text, $0.label] } == [["好", "1"], ["差", "0"]])
    }

    @Test func readerErrorsNameFileAndLine() throws {
        let directory = try temporaryDirectory()
        let missingText = try write("{\"sentence\": \"好\"}\n{\"title\": \"x\"}\n", "a.json", in: directory)
        #expect(datasetError { _ = try ClassificationExample.read(path: missingText) }?.line == 2)
        let badJSON = try write("{\"sentence\": \"好\"}\n\n{\"sentence\": \n", "b.json", in: directory)
        #expect(datasetError { _ = try ClassificationExample.read(path: badJSON) }?.line == 3)
        let badUTF8 = try write(Array("{\"sentence\": \"好\"}\n".utf8) + [0x7B, 0xFF, 0x7D, 0x0A], "c.json", in: directory)
        let error = datasetError { _ = try ClassificationExample.read(path: badUTF8) }
        #expect(error?.line == 2 && error?.file == badUTF8)
        #expect(error?.description == "\(badUTF8):2: not valid UTF-8")
        let shortRow = try write("text\tlabel\n好\t1\n差\n", "d.tsv", in: directory)
        #expect(datasetError { _ = try ClassificationExample.read(path: shortRow) }?.line == 3)
        let noTextColumn = try write("content\tlabel\n好\t1\n", "e.tsv", in: directory)
        #expect(datasetError { _ = try ClassificationExample.read(path: noTextColumn) }?.line == 1)
        #expect(datasetError { _ = try ClassificationExample.read(path: directory + "/missing.json") }?.line == nil)
    }

    @Test func conll() throws {
        let directory = try temporaryDirectory()
        let path = try write("-DOCSTART- O\n\n北 B-LOC\n京 I-LOC\n\n\n他\tO\n来 X O\n", "a.txt", in: directory)
        let examples = try TokenClassificationExample.readCoNLL(path: path)
        #expect(examples.map(\.tokens) == [["北", "京"], ["他", "来"]])
        #expect(examples.map(\.labels) == [["B-LOC", "I-LOC"], ["O", "O"]])
        #expect(examples.map(\.line) == [3, 7])
        #expect(examples[0].conllLines == "北 B-LOC\n京 I-LOC\n\n")
        let mixed = try write("北 B-LOC\n京\n", "b.txt", in: directory)
        #expect(datasetError { _ = try TokenClassificationExample.readCoNLL(path: mixed) }?.line == 2)
        let labels = try write("O\nB-PER\n\nI-PER\n", "labels.txt", in: directory)
        #expect(try readLabelList(path: labels) == ["O", "B-PER", "I-PER"])
    }

    @Test func shuffleAndSplit() throws {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)  // the published first output for seed 0
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        var items = Array(0..<10)
        seededShuffle(&items, seed: 7)
        #expect(items == [8, 1, 5, 9, 0, 4, 3, 2, 6, 7])  // tools/metrics_dataset_stats.py's restatement
        #expect(try splitSizes(total: 17363, devRatio: 0.1, testRatio: 0.1) == (13891, 1736, 1736))
        #expect(try splitSizes(total: 5, devRatio: 0.1, testRatio: 0.1) == (3, 1, 1))  // 0.5 rounds up
        #expect(datasetError { _ = try splitSizes(total: 10, devRatio: 0.5, testRatio: 0.5) } != nil)
        #expect(fnv1a64(Array("a".utf8)) == 0xAF63_DC4C_8601_EC8C)
    }
}

@Suite struct PeoplesDailyLineTests {
    func labels(_ line: String) throws -> String {
        let example = try PeoplesDailyNER.example(line: line, file: "t", number: 1)
        return zip(example.tokens, example.labels).map { "\($0)\($1 == "O" ? "" : "/" + $1)" }.joined(separator: " ")
    }

    @Test func namesPlacesOrganisations() throws {
        // Surname + given name merge; adjacent places stay separate; dates and full-width digits are O.
        #expect(try labels("王/nr  小明/nr  在/p  山东省/ns  青岛市/ns  １９９８年/t") ==
            "王/B-PER 小/I-PER 明/I-PER 在 山/B-LOC 东/I-LOC 省/I-LOC 青/B-LOC 岛/I-LOC 市/I-LOC １ ９ ９ ８ 年")
        #expect(try labels("新华社/nt  记者/n  李/nr  。/w  张/nr") == "新/B-ORG 华/I-ORG 社/I-ORG 记 者 李/B-PER 。 张/B-PER")
    }

    @Test func bracketedCompounds() throws {
        #expect(try labels("[中央/n  人民/n  广播/vn  电台/n]nt  播出/v") ==
            "中/B-ORG 央/I-ORG 人/I-ORG 民/I-ORG 广/I-ORG 播/I-ORG 电/I-ORG 台/I-ORG 播 出")
        #expect(try labels("[香港/ns  特别/a  行政区/n]ns") == "香/B-LOC 港/I-LOC 特/I-LOC 别/I-LOC 行/I-LOC 政/I-LOC 区/I-LOC")
        // A compound with a non-entity tag keeps its words' own tags.
        #expect(try labels("[北京/ns  烤鸭/n]nz") == "北/B-LOC 京/I-LOC 烤 鸭")
        // Two organisation compounds back to back are two entities; a name after a compound starts anew.
        #expect(try labels("[甲/n  社/n]nt  [乙/n  社/n]nt") == "甲/B-ORG 社/I-ORG 乙/B-ORG 社/I-ORG")
        #expect(try labels("[王/nr  某/nr]nr  李/nr") == "王/B-PER 某/I-PER 李/B-PER")
        // The PKU paragraph id is not text.
        #expect(try labels("19980101-01-001-001/m  你好/l") == "你 好")
    }

    @Test func malformedTokensThrow() {
        for line in ["你好", "你好/", "/w", "[你/r  好/a", "你/r  好/a]l", "[[你/r]l"] {
            let error = datasetError { _ = try PeoplesDailyNER.example(line: line, file: "f.txt", number: 9) }
            #expect(error?.line == 9 && error?.file == "f.txt", "\(line)")
        }
    }
}

@Suite struct SnowNLPCorpusTests {
    /// Paragraphs become documents of sentence lines; with a minimum, consecutive ones join until it is reached,
    /// and newspaper text never shares a document with reviews.
    @Test func documentsOfParagraphsOrOfAMinimumLength() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ernie-corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tagged = directory.appendingPathComponent("199801.txt"), reviews = directory.appendingPathComponent("reviews.json")
        try "今天/t  下雨/v  。/w  明天/t  晴/a  。/w\n\n北京/ns  很/d  大/a  。/w\n上海/ns  也/d  大/a  。/w\n"
            .write(to: tagged, atomically: true, encoding: .utf8)
        try "{\"sentence\": \"很好用\", \"label\": \"positive\"}\n{\"sentence\": \"太差了。不买了\", \"label\": \"negative\"}\n".write(to: reviews, atomically: true, encoding: .utf8)
        func documents(minimum: Int) throws -> [[String]] {
            let output = directory.appendingPathComponent("corpus-\(minimum).txt")
            let summary = try SnowNLPCorpus.write(peoplesDaily: tagged.path, reviews: [reviews.path], to: output.path,
                                                  minimumDocumentCharacters: minimum)
            let text = try String(contentsOf: output, encoding: .utf8)
            let found = text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { $0.split(separator: "\n").map(String.init) }
            #expect(summary.documents == found.count)
            #expect(summary.sentences == 7 && summary.characters == 29)
            return found
        }
        #expect(try documents(minimum: 0) == [["今天下雨。", "明天晴。"], ["北京很大。"], ["上海也大。"], ["很好用"], ["太差了。", "不买了"]])
        #expect(try documents(minimum: 10) == [["今天下雨。", "明天晴。", "北京很大。"], ["上海也大。"], ["很好用", "太差了。", "不买了"]])
        #expect(try documents(minimum: 100) == [["今天下雨。", "明天晴。", "北京很大。", "上海也大。"], ["很好用", "太差了。", "不买了"]])
    }
}
