import Foundation
import Testing

@testable import ErnieData

/// Compatibility with files PaddleNLP itself wrote (fixtures in /work/shared/fixtures/paddlenlp).
@Suite(.enabled(if: TestPaths.hasPaddleFixtures, TestPaths.paddleFixturesAbsent))
struct PaddleFixtureTests {
    @Test func rewritingTheTokenFilesGivesIdenticalBytes() throws {
        let fixtures = TestPaths.paddleFixtures
        let prefix = fixtures.appendingPathComponent("pd_docs_paddle").path
        let corpus = try TokenCorpus(prefix: prefix)
        #expect(corpus.sentenceCount == 4179)
        #expect(corpus.documentCount == 500)
        #expect(corpus.tokenCount == 181_647)

        // Through the streaming writer: sentence by sentence, document by document.
        let output = TestPaths.temporaryFolder().appendingPathComponent("nested/folder/copy").path
        let writer = try TokenFileWriter(outputPrefix: output, vocabularySize: 3177)
        var ids: [Int32] = []
        for document in 0..<corpus.documentCount {
            for sentence in Int(corpus.documentStarts[document])..<Int(corpus.documentStarts[document + 1]) {
                ids.removeAll(keepingCapacity: true)
                corpus.appendTokens(ofSentence: sentence, to: &ids)
                try writer.appendSentence(ids)
            }
            try writer.endDocument()
        }
        let summary = try writer.finish()
        #expect(summary.sentences == 4179 && summary.documents == 500 && summary.tokens == 181_647)
        #expect(try fileBytes(output + "_ids.npy") == fileBytes(prefix + "_ids.npy"))
        #expect(try fileBytes(output + "_idx.npz") == fileBytes(prefix + "_idx.npz"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: output).deletingLastPathComponent().path)
        #expect(leftovers.sorted() == ["copy_ids.npy", "copy_idx.npz"])

        // Through the array writers.
        let archive = try NumpyZipArchive(contentsOf: prefix + "_idx.npz")
        let lens = Array(try archive.array(named: "lens").elements(as: Int32.self))
        let docs = Array(try archive.array(named: "docs").elements(as: Int64.self))
        let npzCopy = output + "_again.npz"
        try NumpyZip.write([NumpyZipMember(name: "lens", values: lens), NumpyZipMember(name: "docs", values: docs)], to: npzCopy)
        #expect(try fileBytes(npzCopy) == fileBytes(prefix + "_idx.npz"))
        let idsArray = Array(try NumpyArray(contentsOf: prefix + "_ids.npy").elements(as: UInt16.self))
        try NumpyFile.write(idsArray, to: output + "_again.npy")
        #expect(try fileBytes(output + "_again.npy") == fileBytes(prefix + "_ids.npy"))
    }

    @Test func trainIndexMapEqualsPaddleNLPs() throws {
        let fixtures = TestPaths.paddleFixtures
        let corpus = try TokenCorpus(prefix: fixtures.appendingPathComponent("pd_docs_paddle").path)
        let split = try DocumentSplit("949,50,1", documentCount: corpus.documentCount)
        let settings = SampleIndexSettings(maxNumSamples: 64, maxSeqLength: 125, shortSeqProb: 0.1, seed: 1234, minSentences: 2)
        #expect(settings.cacheFileName(prefix: "pd_docs_paddle", splitName: "train") == "pd_docs_paddle_train_indexmap_64mns_125msl_0.10ssp_1234s.npy")
        let built = try SampleIndexMap.build(corpus: corpus, documents: split.documents(ofSplit: 0), settings: settings)
        let reference = try SampleIndexMap(
            contentsOf: fixtures.appendingPathComponent("pd_docs_paddle_train_indexmap_64mns_125msl_0.10ssp_1234s.npy").path)
        #expect(built.count == reference.count)
        // PaddleNLP's own map passes the checks a cached map without ernie's stamp gets.
        #expect(reference.problem(corpus: corpus, documents: split.documents(ofSplit: 0), maxSeqLength: 125) == nil)
        let ours = built.flattened(), theirs = reference.flattened()
        let equalRows = (0..<min(built.count, reference.count)).filter { ours[3 * $0..<3 * $0 + 3] == theirs[3 * $0..<3 * $0 + 3] }.count
        print("train index map: \(equalRows) of \(reference.count) rows equal PaddleNLP's")
        #expect(ours == theirs)

        // Written as PaddleNLP's np.save would.
        let copy = TestPaths.temporaryFolder().appendingPathComponent("map.npy").path
        if case .memory32(let rows) = built.rows { try NumpyFile.write(rows, shape: [rows.count / 3, 3], to: copy) }
        #expect(try fileBytes(copy) == fileBytes(reference.path!))
    }
}
