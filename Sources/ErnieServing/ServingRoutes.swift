import ErnieBasics
import ErnieText
import ErnieTraining
import Foundation

/// A route's answer: the JSON text and the timings TEI reports in headers (seconds).
public struct RouteResponse: Sendable {
    public var body: String
    public var contentType = "application/json"
    public var tokenization = 0.0
    public var queue = 0.0
    public var inference = 0.0
    /// Tokens the model saw (OpenAI's `usage`).
    public var tokens = 0

    public init(body: String) { self.body = body }
}

/// The routes' logic, independent of HTTP: a JSON body in, a `RouteResponse` or a `ServingError` out.
///
/// Texts are tokenized on the caller's task (on arrival) and their rows queued in the `BatchScheduler`.
public struct ServingRoutes: Sendable {
    public let model: ServedModel
    public let scheduler: BatchScheduler
    public let configuration: ServingConfiguration

    public init(model: ServedModel, scheduler: BatchScheduler, configuration: ServingConfiguration) {
        self.model = model
        self.scheduler = scheduler
        self.configuration = configuration
    }

    var tokenizer: any TextTokenizer { model.tokenizer }

    /// Refuses a route the served task does not have (424, as TEI answers `/predict` on an embedding model).
    func require(_ tasks: ServedTask..., route: String) throws(ServingError) {
        guard tasks.contains(model.task) else {
            throw ServingError(.unsupported, "\(route) needs a \(tasks.map(\.rawValue).joined(separator: " or ")) model; this server's model is \(model.task.rawValue)")
        }
    }

    func checkBatchSize(_ count: Int) throws(ServingError) {
        guard count <= configuration.maxClientBatchSize else {
            throw ServingError(.validation, "batch size \(count) > maximum allowed batch size \(configuration.maxClientBatchSize)")
        }
    }

    /// Tokenizes one input as `ernie predict` does (`[CLS] a [SEP] (b [SEP])`), truncated to `limit` tokens when
    /// `truncate`, else refused (422) when longer.
    func encode(_ input: TextInput, truncate: Bool, limit: Int? = nil) throws(ServingError) -> EncodedFeature {
        let limit = min(limit ?? model.maxInputLength, model.maxInputLength)
        let (text, pair): (String, String?) = switch input {
        case .single(let text): (text, nil)
        case .pair(let first, let second): (first, second)
        }
        let encoding: Encoding
        do {
            encoding = try tokenizer.encode(text, pair: pair, truncation: Truncation(maxLength: limit))
        } catch {
            throw ServingError(.tokenizer, "\(error)")
        }
        if !encoding.overflowing.isEmpty && !truncate {
            let full = (try? tokenizer.encode(text, pair: pair).count) ?? limit + 1
            throw ServingError(.validation, "`inputs` must have less than \(limit) tokens. Given: \(full)")
        }
        return EncodedFeature(rows: [TokenRow(encoding)], exampleIndex: 0)
    }

    /// Runs features through the queue, adding the queue and inference times to `response`.
    func run(_ features: [EncodedFeature], into response: inout RouteResponse) async throws(ServingError) -> [FeatureOutput] {
        let results = try await scheduler.submit(features)
        response.queue = results.map(\.1.queue).max() ?? 0
        response.inference = results.map(\.1.inference).max() ?? 0
        response.tokens = features.reduce(0) { $0 + $1.rows.reduce(0) { $0 + $1.inputIds.count } }
        return results.map(\.0)
    }

    // MARK: - Embeddings

    /// `POST /embed`: `{"inputs", "normalize": true, "truncate"}` → `[[f32]]`.
    public func embed(_ body: JSONValue?) async throws(ServingError) -> RouteResponse {
        try require(.embedding, route: "/embed")
        let object = try ServingInputs.object(body)
        let (inputs, _) = try ServingInputs.embedInputs(try ServingInputs.required(object, "inputs"))
        let normalize = try ServingInputs.bool(object, "normalize") ?? true
        let truncate = try ServingInputs.bool(object, "truncate") ?? configuration.autoTruncate
        var response = RouteResponse(body: "")
        let vectors = try await embeddings(inputs, normalize: normalize, truncate: truncate, response: &response)
        response.body = "[" + vectors.map(Self.floatList).joined(separator: ",") + "]"
        return response
    }

    /// `POST /v1/embeddings` (OpenAI): `{"input", "model", "encoding_format": "float"|"base64"}` → a `list` of
    /// `embedding` objects with `usage`. Vectors are normalised, as OpenAI's are.
    public func openAIEmbeddings(_ body: JSONValue?) async throws(ServingError) -> RouteResponse {
        try require(.embedding, route: "/v1/embeddings")
        let object = try ServingInputs.object(body)
        let (inputs, _) = try ServingInputs.embedInputs(try ServingInputs.required(object, "input"), field: "input")
        let format = try ServingInputs.string(object, "encoding_format") ?? "float"
        guard format == "float" || format == "base64" else { throw ServingError(.validation, "`encoding_format` must be float or base64") }
        if let dimensions = try ServingInputs.positiveInt(object, "dimensions"), dimensions != model.config.hiddenSize {
            throw ServingError(.validation, "`dimensions` \(dimensions): this model gives \(model.config.hiddenSize)")
        }
        var response = RouteResponse(body: "")
        let vectors = try await embeddings(inputs, normalize: true, truncate: configuration.autoTruncate, response: &response)
        let data = vectors.enumerated().map { index, vector in
            let embedding = format == "float" ? Self.floatList(vector)
                : JSONWriter.quoted(vector.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString())
            return "{\"object\":\"embedding\",\"embedding\":\(embedding),\"index\":\(index)}"
        }
        let name = (try ServingInputs.string(object, "model")) ?? configuration.resolvedModelId
        response.body = "{\"object\":\"list\",\"data\":[" + data.joined(separator: ",") + "],\"model\":" + JSONWriter.quoted(name)
            + ",\"usage\":{\"prompt_tokens\":\(response.tokens),\"total_tokens\":\(response.tokens)}}"
        return response
    }

    private func embeddings(_ inputs: [EmbedInput], normalize: Bool, truncate: Bool, response: inout RouteResponse) async throws(ServingError) -> [[Float]] {
        try checkBatchSize(inputs.count)
        let started = DispatchTime.now().uptimeNanoseconds
        var features: [EncodedFeature] = []
        for input in inputs {
            switch input {
            case .text(let text): features.append(try encode(.single(text), truncate: truncate))
            case .ids(var ids):
                if let bad = ids.first(where: { $0 >= model.config.vocabularySize }) {
                    throw ServingError(.validation, "token id \(bad) is outside the vocabulary (\(model.config.vocabularySize))")
                }
                if ids.count > model.maxInputLength {
                    guard truncate else { throw ServingError(.validation, "`inputs` must have less than \(model.maxInputLength) tokens. Given: \(ids.count)") }
                    ids.removeSubrange(model.maxInputLength...)
                }
                features.append(EncodedFeature(rows: [TokenRow(inputIds: ids.map { Int32($0) }, tokenTypeIds: [Int32](repeating: 0, count: ids.count))],
                                               exampleIndex: 0))
            }
        }
        response.tokenization = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let outputs = try await run(features, into: &response)
        return outputs.map { output in
            guard case .vector(var vector) = output else { preconditionFailure("an embedding model gives vectors") }
            if normalize {
                let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
                if norm > 0 { vector = vector.map { Float(Double($0) / norm) } }
            }
            return vector
        }
    }

    // MARK: - Classification

    /// `POST /predict`: `{"inputs", "raw_scores": false, "truncate"}` → `[{"label", "score"}]` best first (a list of
    /// those for a batch). Scores: softmax for single-label models, sigmoid for multi-label ones, the value for
    /// regression; `raw_scores` gives the logits.
    public func predict(_ body: JSONValue?) async throws(ServingError) -> RouteResponse {
        try require(.sequenceClassification, route: "/predict")
        let object = try ServingInputs.object(body)
        let (inputs, batched) = try ServingInputs.sequences(try ServingInputs.required(object, "inputs"))
        let raw = try ServingInputs.bool(object, "raw_scores") ?? false
        let truncate = try ServingInputs.bool(object, "truncate") ?? configuration.autoTruncate
        try checkBatchSize(inputs.count)
        var response = RouteResponse(body: "")
        let started = DispatchTime.now().uptimeNanoseconds
        var features: [EncodedFeature] = []
        for input in inputs { features.append(try encode(input, truncate: truncate)) }
        response.tokenization = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let outputs = try await run(features, into: &response)
        let lists = outputs.map { output -> String in
            guard case .logits(let logits) = output else { preconditionFailure("a classifier gives logits") }
            let scores = raw ? logits.map(Double.init) : scores(logits)
            let ranked = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            return "[" + ranked.map { "{\"label\":\(JSONWriter.quoted(model.labels!.labels[$0])),\"score\":\(JSONWriter.number($0 < scores.count ? scores[$0] : 0))}" }
                .joined(separator: ",") + "]"
        }
        response.body = batched ? "[" + lists.joined(separator: ",") + "]" : lists[0]
        return response
    }

    /// Probabilities (or values) from logits, by the model's problem type.
    func scores(_ logits: [Float]) -> [Double] {
        switch model.labels!.problem {
        case .singleLabelClassification: softmax(logits)
        case .multiLabelClassification: sigmoid(logits)
        case .regression: logits.map(Double.init)
        }
    }

    // MARK: - Tokenization

    /// `POST /tokenize`: `{"inputs", "add_special_tokens": true}` → `[[{"id", "text", "special", "start", "stop"}]]`,
    /// offsets in UTF-8 bytes as TEI gives them (null for added special tokens).
    public func tokenize(_ body: JSONValue?) throws(ServingError) -> RouteResponse {
        let object = try ServingInputs.object(body)
        let (texts, _) = try ServingInputs.texts(try ServingInputs.required(object, "inputs"))
        let special = try ServingInputs.bool(object, "add_special_tokens") ?? true
        try checkBatchSize(texts.count)
        let started = DispatchTime.now().uptimeNanoseconds
        var lists: [String] = []
        for text in texts {
            let encoding: Encoding
            do { encoding = try tokenizer.encode(text, pair: nil, addSpecialTokens: special, truncation: nil, padding: .none) } catch { throw ServingError(.tokenizer, "\(error)") }
            // Scalar offsets → UTF-8 byte offsets.
            var byteOffset = [0]
            byteOffset.reserveCapacity(text.unicodeScalars.count + 1)
            for scalar in text.unicodeScalars { byteOffset.append(byteOffset.last! + UTF8.width(scalar)) }
            let tokens = (0..<encoding.count).map { index -> String in
                let isSpecial = encoding.specialTokensMask[index] == 1
                let range = encoding.offsets[index]
                let start = isSpecial ? "null" : "\(byteOffset[range.lowerBound])"
                let stop = isSpecial ? "null" : "\(byteOffset[range.upperBound])"
                let piece = isSpecial ? encoding.tokens[index]
                    : String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(range.lowerBound).prefix(range.count)))
                return "{\"id\":\(encoding.ids[index]),\"text\":\(JSONWriter.quoted(piece)),\"special\":\(isSpecial),\"start\":\(start),\"stop\":\(stop)}"
            }
            lists.append("[" + tokens.joined(separator: ",") + "]")
        }
        var response = RouteResponse(body: "[" + lists.joined(separator: ",") + "]")
        response.tokenization = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return response
    }

    /// `POST /decode`: `{"ids": [u32] | [[u32]], "skip_special_tokens": true}` → `["text", …]`.
    public func decode(_ body: JSONValue?) throws(ServingError) -> RouteResponse {
        let object = try ServingInputs.object(body)
        let value = try ServingInputs.required(object, "ids")
        let skip = try ServingInputs.bool(object, "skip_special_tokens") ?? true
        let (inputs, _) = try ServingInputs.embedInputs(value, field: "ids")
        try checkBatchSize(inputs.count)
        var texts: [String] = []
        for input in inputs {
            guard case .ids(let ids) = input else { throw ServingError(.validation, "`ids` must hold token ids") }
            if let bad = ids.first(where: { $0 >= tokenizer.vocabulary.count }) {
                throw ServingError(.validation, "token id \(bad) is outside the vocabulary (\(tokenizer.vocabulary.count))")
            }
            texts.append(JSONWriter.quoted(tokenizer.decode(ids, skipSpecialTokens: skip)))
        }
        return RouteResponse(body: "[" + texts.joined(separator: ",") + "]")
    }

    // MARK: - JSON numbers

    /// Floats as their shortest round-trip text (`null` when not finite).
    static func floatList(_ values: [Float]) -> String {
        "[" + values.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ",") + "]"
    }

}
