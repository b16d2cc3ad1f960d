import Foundation
import Testing

@testable import ErnieTraining

/// The problem type a fine-tuning file suggests holds for the whole file: a file whose labels mix lists and single
/// labels, or fractional numbers and class names, is an error naming the file, line and label.
@Suite struct LabelKindTests {
    static func read(_ lines: [String]) throws -> (path: String, examples: [SequenceExample]) {
        let directory = try FineTuningTestSupport.temporaryDirectory("label-kinds")
        let file = directory.appendingPathComponent("train.json")
        try FineTuningTestSupport.write(lines, to: file)
        return (file.path, try SequenceExample.read(path: file.path, issues: DataIssues()))
    }

    @Test(arguments: [
        ([#"{"text": "a", "label": "pos"}"#, #"{"text": "b", "label": "neg"}"#, #"{"text": "c", "label": 0.5}"#], 3, "label 0.5 is a fractional number"),
        ([#"{"text": "a", "label": 0.5}"#, #"{"text": "b", "label": 2}"#, #"{"text": "c", "label": "neg"}"#], 3, #"label "neg" is a class name"#),
        ([#"{"text": "a", "label": "pos"}"#, #"{"text": "b", "label": ["pos", "neg"]}"#], 2, #"label ["pos", "neg"] is a list"#),
        ([#"{"text": "a", "label": ["x"]}"#, #"{"text": "b", "label": 1}"#], 2, "label 1 is an integer"),
    ])
    func mixedKindsNameFileLineAndLabel(lines: [String], line: Int, message: String) throws {
        let directory = try FineTuningTestSupport.temporaryDirectory("label-kinds")
        let file = directory.appendingPathComponent("train.json")
        try FineTuningTestSupport.write(lines, to: file)
        #expect {
            _ = try SequenceExample.read(path: file.path, issues: DataIssues())
        } throws: { error in
            "\(error)".hasPrefix("\(file.path):\(line): \(message)")
        }
    }

    @Test func consistentFilesInferOneProblem() throws {
        let classes = try Self.read([#"{"text": "a", "label": "1"}"#, #"{"text": "b", "label": 0}"#, #"{"text": "c"}"#])
        #expect(TaskExamples.sequence(classes.examples).inferredProblem == nil)
        let regression = try Self.read([#"{"text": "a", "label": 3.5}"#, #"{"text": "b", "label": 1}"#])
        #expect(TaskExamples.sequence(regression.examples).inferredProblem == .regression)
        let multi = try Self.read([#"{"text": "a", "label": ["x", "y"]}"#, #"{"text": "b", "label": []}"#])
        #expect(TaskExamples.sequence(multi.examples).inferredProblem == .multiLabelClassification)
    }
}
