import ErnieBasics
import ErnieText
import ErnieTraining
import Foundation

extension ServingRoutes {
    // MARK: - Named entities

    /// The words of `text` as the tokenizer's pre-tokenizer splits it, with their scalar ranges. WordPiece (whitespace,
    /// punctuation, each CJK character): a token continues the word before it when it is a `##` piece that starts where
    /// that ended. Byte-level BPE (letters, digits or other symbols, each run with its leading space): when it starts
    /// where that ended and its first character is of the class the last one was.
    func words(of text: String) -> [(text: String, range: Range<Int>)] {
        let pieces = tokenizer.pieces(of: text)
        let scalars = Array(text.unicodeScalars)
        let prefix = (tokenizer as? BertTokenizer)?.continuingSubwordPrefix
        func runClass(_ scalar: Unicode.Scalar) -> Int {
            scalar.properties.isAlphabetic && scalar.properties.numericType == nil ? 0
                : scalar.properties.numericType != nil ? 1 : scalar.properties.isWhitespace ? 2 : 3
        }
        var ranges: [Range<Int>] = []
        for index in 0..<pieces.count {
            let start = Int(pieces.starts[index]), end = Int(pieces.ends[index])
            let continues: Bool
            if let last = ranges.last, last.upperBound == start, start < end {
                if let prefix {
                    let token = tokenizer.vocabulary.tokens[Int(pieces.ids[index])]
                    continues = token.hasPrefix(prefix) && token.count > prefix.count
                } else {
                    continues = runClass(scalars[start - 1]) == runClass(scalars[start])
                }
            } else {
                continues = false
            }
            if continues {
                ranges[ranges.count - 1] = ranges[ranges.count - 1].lowerBound..<end
            } else {
                ranges.append(start..<end)
            }
        }
        return ranges.map { (String(String.UnicodeScalarView(scalars[$0])), $0) }
    }

    /// `POST /ner`: `{"inputs": text | [text], "aggregation_strategy": "simple" | "none"}` → entities
    /// `[{"label", "text", "start", "end", "score"}]` (a list of those for a batch). Words are labelled as `ernie
    /// predict` labels them (first token of each word; the CRF's path when the model has one); "simple" merges B-/I-
    /// (and E-/S-) tags into entities as seqeval does, scored by the mean of their words' probabilities; "none" lists
    /// every word with its tag. Offsets count characters (Unicode scalars), end exclusive.
    public func ner(_ body: JSONValue?) async throws(ServingError) -> RouteResponse {
        try require(.tokenClassification, route: "/ner")
        let object = try ServingInputs.object(body)
        let (texts, batched) = try ServingInputs.texts(try ServingInputs.required(object, "inputs"))
        let truncate = try ServingInputs.bool(object, "truncate") ?? configuration.autoTruncate
        let strategy = try ServingInputs.string(object, "aggregation_strategy") ?? "simple"
        guard strategy == "simple" || strategy == "none" else { throw ServingError(.validation, "`aggregation_strategy` must be simple or none") }
        try checkBatchSize(texts.count)
        var response = RouteResponse(body: "")
        let started = DispatchTime.now().uptimeNanoseconds
        let labels = model.labels!
        let issues = DataIssues()
        let encoder = FeatureEncoder(tokenizer: tokenizer, maxSeqLength: model.maxInputLength, issues: issues)
        var splits: [[(text: String, range: Range<Int>)]] = []
        var features: [EncodedFeature] = []
        for text in texts {
            let words = words(of: text)
            let example = TokenClassificationExample(tokens: words.map(\.text), labels: [])
            let feature: EncodedFeature
            do { feature = try encoder.tokenFeatures([example], labels: labels, requireLabels: false)[0] } catch { throw ServingError(.tokenizer, "\(error)") }
            if issues.count(DataIssue.truncated) > 0 && !truncate {
                throw ServingError(.validation, "`inputs` must have less than \(model.maxInputLength) tokens. Given: \(tokenizer.pieces(of: text).count + 2)")
            }
            splits.append(words)
            features.append(feature)
        }
        response.tokenization = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let outputs = try await run(features, into: &response)
        let outside = labels.labels.contains("O") ? "O" : labels.labels[0]
        var lists: [String] = []
        for ((words, feature), output) in zip(zip(splits, features), outputs) {
            guard case .tokens(let logits, let wordTags) = output else { preconditionFailure("a token classifier gives token logits") }
            var tags = [String](repeating: outside, count: words.count)
            var confidence = [Double](repeating: 0, count: words.count)
            var reached = [Bool](repeating: false, count: words.count)
            let starts = (feature.wordIndices ?? []).enumerated().compactMap { position, word in word.map { (position, $0) } }
            for (rank, (position, word)) in starts.enumerated() {
                let probabilities = scores(logits[position])
                let tag = wordTags?[rank] ?? probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
                tags[word] = labels.labels[tag]
                confidence[word] = probabilities[tag]
                reached[word] = true
            }
            let text = texts[lists.count]
            let scalars = Array(text.unicodeScalars)
            func entry(_ label: String, _ range: Range<Int>, _ score: Double) -> String {
                "{\"label\":\(JSONWriter.quoted(label)),\"text\":\(JSONWriter.quoted(String(String.UnicodeScalarView(scalars[range])))),"
                    + "\"start\":\(range.lowerBound),\"end\":\(range.upperBound),\"score\":\(JSONWriter.number(score))}"
            }
            var entries: [String] = []
            if strategy == "none" {
                for index in words.indices where reached[index] { entries.append(entry(tags[index], words[index].range, confidence[index])) }
            } else {
                for entity in extractEntities(tags) {
                    let range = words[entity.start].range.lowerBound..<words[entity.end].range.upperBound
                    let score = confidence[entity.start...entity.end].reduce(0, +) / Double(entity.end - entity.start + 1)
                    entries.append(entry(entity.type, range, score))
                }
            }
            lists.append("[" + entries.joined(separator: ",") + "]")
        }
        response.body = batched ? "[" + lists.joined(separator: ",") + "]" : lists[0]
        return response
    }

    // MARK: - Question answering

    /// `POST /qa`: `{"inputs": {"question", "context"} | [ … ], "top_k": 1}` (or `question` and `context` at the top)
    /// → `{"answer", "start", "end", "score"}` (a list for a batch or `top_k` > 1). As `ernie predict`: windows of
    /// `doc_stride` over long contexts, the best span by start + end logit across windows, score its probability over
    /// the n-best list; offsets count characters, end exclusive. An unanswerable input gives an empty answer.
    public func questionAnswering(_ body: JSONValue?) async throws(ServingError) -> RouteResponse {
        try require(.questionAnswering, route: "/qa")
        let object = try ServingInputs.object(body)
        let value = object["inputs"] ?? body!
        var pairs: [(question: String, context: String)] = []
        let batched: Bool
        switch value {
        case .object(let item): pairs = [try Self.questionAndContext(item, field: "inputs")]; batched = false
        case .array(let items):
            if items.isEmpty { throw ServingError(.empty, "`inputs` cannot be empty") }
            for (index, item) in items.enumerated() {
                guard case .object(let fields) = item else { throw ServingError(.validation, "`inputs[\(index)]` must be an object with question and context") }
                pairs.append(try Self.questionAndContext(fields, field: "inputs[\(index)]"))
            }
            batched = true
        default: throw ServingError(.validation, "`inputs` must be an object with question and context, or a list of them")
        }
        let topK = try ServingInputs.positiveInt(object, "top_k") ?? 1
        try checkBatchSize(pairs.count)
        var response = RouteResponse(body: "")
        let started = DispatchTime.now().uptimeNanoseconds
        let issues = DataIssues()
        let encoder = FeatureEncoder(tokenizer: tokenizer, maxSeqLength: model.maxInputLength, issues: issues)
        let examples = pairs.enumerated().map { QuestionAnsweringExample(id: "\($0.offset)", question: $0.element.question, context: $0.element.context) }
        let stride = min(configuration.docStride, model.maxInputLength / 2)
        let features: [EncodedFeature]
        do {
            features = try encoder.questionAnsweringFeatures(examples, docStride: stride, maxQueryLength: configuration.maxQueryLength, training: false)
        } catch { throw ServingError(.tokenizer, "\(error)") }
        if let reason = issues.summary.first, Set(features.map(\.exampleIndex)).count < examples.count {
            throw ServingError(.validation, "cannot encode the question and context: \(reason)")
        }
        guard features.count <= 64 * configuration.maxClientBatchSize else {
            throw ServingError(.validation, "the contexts need \(features.count) windows of \(model.maxInputLength) tokens; at most \(64 * configuration.maxClientBatchSize) are taken")
        }
        response.tokenization = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let outputs = try await run(features, into: &response)
        let windows = zip(features, outputs).map { feature, output -> (Int, [Range<Int>?], [Float], [Float]) in
            guard case .span(let start, let end) = output else { preconditionFailure("a QA model gives spans") }
            return (feature.exampleIndex, feature.contextOffsets ?? [], start, end)
        }
        let candidates = QuestionAnsweringPostprocessing.candidates(contexts: pairs.map(\.context), windows: windows,
                                                                     nBestSize: max(configuration.nBestSize, topK), maxAnswerLength: configuration.maxAnswerLength)
        let answers = candidates.map { list -> String in
            let chosen = list.prefix(topK).map {
                "{\"answer\":\(JSONWriter.quoted($0.text)),\"start\":\($0.range.lowerBound),\"end\":\($0.range.upperBound),\"score\":\(JSONWriter.number($0.probability))}"
            }
            let empty = "{\"answer\":\"\",\"start\":null,\"end\":null,\"score\":0.0}"
            if topK == 1 { return chosen.first ?? empty }
            return "[" + chosen.joined(separator: ",") + "]"
        }
        response.body = batched ? "[" + answers.joined(separator: ",") + "]" : answers[0]
        return response
    }

    private static func questionAndContext(_ object: JSONObject, field: String) throws(ServingError) -> (question: String, context: String) {
        guard let question = object["question"]?.stringValue, let context = object["context"]?.stringValue else {
            throw ServingError(.validation, "`\(field)` needs string fields question and context")
        }
        guard !question.isEmpty, !context.isEmpty else { throw ServingError(.empty, "`\(field)`: question and context cannot be empty") }
        return (question, context)
    }

    // MARK: - PaddleNLP SimpleServing

    /// `POST /models/<name>` as PaddleNLP SimpleServing's text-classification handler answers it:
    /// `{"data": {"text": [..], "text_pair": [..]}, "parameters": {"max_seq_len": 128}}` →
    /// `{"result": {"label": [class ids], "confidence": [softmax of the chosen class]}}`. Longer inputs are truncated
    /// to `max_seq_len`, as PaddleNLP's tokenizer call does.
    public func simpleServing(_ body: JSONValue?) async throws(ServingError) -> RouteResponse {
        try require(.sequenceClassification, route: "/models/{name}")
        let object = try ServingInputs.object(body)
        guard case .object(let data) = try ServingInputs.required(object, "data") else { throw ServingError(.validation, "`data` must be an object") }
        let (texts, _) = try ServingInputs.texts(try ServingInputs.required(data, "text"), field: "data.text")
        var pairs: [String]?
        if let value = data["text_pair"], !value.isNull {
            pairs = try ServingInputs.texts(value, field: "data.text_pair").inputs
            guard pairs!.count == texts.count else {
                throw ServingError(.validation, "`data.text_pair` has \(pairs!.count) texts for \(texts.count) in `data.text`")
            }
        }
        var limit: Int?
        if case .object(let parameters) = object["parameters"] ?? .null { limit = try ServingInputs.positiveInt(parameters, "max_seq_len") }
        try checkBatchSize(texts.count)
        var response = RouteResponse(body: "")
        let started = DispatchTime.now().uptimeNanoseconds
        var features: [EncodedFeature] = []
        for (index, text) in texts.enumerated() {
            features.append(try encode(pairs.map { .pair(text, $0[index]) } ?? .single(text), truncate: true, limit: limit))
        }
        response.tokenization = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let outputs = try await run(features, into: &response)
        var labels: [String] = [], confidences: [String] = []
        for output in outputs {
            guard case .logits(let logits) = output else { preconditionFailure("a classifier gives logits") }
            let probabilities = softmax(logits)
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
            labels.append("\(best)")
            confidences.append(JSONWriter.number(probabilities[best]))
        }
        response.body = "{\"result\":{\"label\":[" + labels.joined(separator: ",") + "],\"confidence\":[" + confidences.joined(separator: ",") + "]}}"
        return response
    }

    // MARK: - Information

    /// `GET /info`: TEI's fields.
    public func info() -> RouteResponse {
        let modelType: JSONValue
        switch model.task {
        case .embedding:
            modelType = .object(JSONObject([("embedding", .object(JSONObject([("pooling", .string(model.pooling.rawValue))])))]))
        case .sequenceClassification, .tokenClassification:
            let labels = model.labels!.labels
            let id2label = JSONObject(labels.enumerated().map { ("\($0.offset)", .string($0.element)) })
            let label2id = JSONObject(labels.enumerated().map { ($0.element, .integer($0.offset)) })
            modelType = .object(JSONObject([(model.modelTypeName, .object(JSONObject([("id2label", .object(id2label)), ("label2id", .object(label2id))])))]))
        case .questionAnswering:
            modelType = .object(JSONObject([(model.modelTypeName, .object(JSONObject()))]))
        }
        let info: JSONValue = .object(JSONObject([
            ("model_id", .string(configuration.resolvedModelId)),
            ("model_sha", .null),
            ("model_dtype", .string(["fp32": "float32", "bf16": "bfloat16", "int8": "int8"][model.precision.rawValue]!)),
            ("model_type", modelType),
            ("max_concurrent_requests", .integer(configuration.maxConcurrentRequests)),
            ("max_input_length", .integer(model.maxInputLength)),
            ("max_batch_tokens", .integer(configuration.maxBatchTokens)),
            ("max_batch_requests", configuration.maxBatchRequests.map { .integer($0) } ?? .null),
            ("max_client_batch_size", .integer(configuration.maxClientBatchSize)),
            ("auto_truncate", .bool(configuration.autoTruncate)),
            ("tokenization_workers", .integer(ProcessInfo.processInfo.activeProcessorCount)),
            ("version", .string(ServingVersion.current)),
            ("sha", .null),
            ("docker_label", .null),
        ]))
        return RouteResponse(body: JSONWriter.compact(info))
    }
}

/// The version `/info` reports.
public enum ServingVersion {
    public static let current = "0.2.0"
}
