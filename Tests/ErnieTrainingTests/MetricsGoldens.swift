import Foundation

/// Fixtures/metrics_goldens.json, written by tools/metrics_goldens.py from scikit-learn, SciPy, seqeval and restatements
/// of the official SQuAD v1.1 and CMRC 2018 evaluation scripts.
struct MetricsGoldens: Decodable {
    struct Classification: Decodable {
        var references: [String]
        var predictions: [String]
        var labels: [String]?
        var accuracy: Double
        var f1_macro: Double?
        var f1_micro: Double?
        var matthews: Double?
    }

    struct Correlation: Decodable {
        var x: [Double]
        var y: [Double]
        var pearson: Double?
        var spearman: Double?
        var ranks_x: [Double]
    }

    struct Entities: Decodable {
        var references: [[String]]
        var predictions: [[String]]
        var reference_entities: [[Entry]]
        /// type → [precision, recall, f1, support]
        var per_type: [String: [Double]]
        var micro: [Double]
        var macro_f1: Double
    }

    /// A string or an integer inside a JSON array.
    enum Entry: Decodable {
        case string(String)
        case int(Int)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) { self = .int(value) } else { self = .string(try container.decode(String.self)) }
        }
        var string: String? { if case .string(let s) = self { s } else { nil } }
        var int: Int? { if case .int(let i) = self { i } else { nil } }
    }

    struct QuestionScore: Decodable {
        var id: String
        var exact_match: Double
        var f1: Double
        var normalized: String?
        var prediction_segments: [String]?
    }

    struct SQuAD: Decodable {
        struct Dataset: Decodable {
            struct Article: Decodable {
                struct Paragraph: Decodable {
                    struct Question: Decodable {
                        struct Answer: Decodable { var text: String }
                        var id: String
                        var answers: [Answer]
                    }
                    var qas: [Question]
                }
                var paragraphs: [Paragraph]
            }
            var data: [Article]
        }
        var dataset: Dataset
        var predictions: [String: String]
        var per_question: [QuestionScore]
        var exact_match: Double
        var f1: Double
        var total: Int
    }

    struct CMRC: Decodable {
        struct Reference: Decodable {
            var id: String
            var answers: [String]
        }
        struct Words: Decodable {
            var text: String
            var tokens: [String]
        }
        var references: [Reference]
        var predictions: [String: String]
        var per_question: [QuestionScore]
        var exact_match: Double
        var f1: Double
        var total: Int
        var english_words: [Words]
    }

    var classification: [Classification]
    var correlation: [Correlation]
    var entities: [Entities]
    var squad_v1: SQuAD
    var cmrc2018: CMRC

    static func load(filePath: String = #filePath) throws -> MetricsGoldens {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/metrics_goldens.json")
        return try JSONDecoder().decode(MetricsGoldens.self, from: Data(contentsOf: url))
    }
}

/// Equal within `tolerance` relative to the magnitude, or both NaN (a JSON null stands for NaN).
/// Measured: ≤ 2.2e-16 against scikit-learn and the SQuAD script (float64 rounding; most values equal); bar 5e-15.
func close(_ actual: Double, _ expected: Double?, tolerance: Double = 5e-15) -> Bool {
    guard let expected else { return actual.isNaN }
    return abs(actual - expected) <= tolerance * max(1, abs(expected))
}
