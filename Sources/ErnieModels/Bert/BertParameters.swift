/// The one declaration of the BERT / ERNIE family's parameters: names (transformers' verbatim, in `named_parameters()`
/// order), shapes, kinds (initialisation and weight decay), the tied aliases and the buffers, for every head. The
/// engine models build themselves from it, and `ParameterTable` reads it without building a model.
/// https://github.com/huggingface/transformers/blob/main/src/transformers/models/bert/modeling_bert.py
public enum BertParameters {
    /// The model of `head`: the encoder under `encoderPrefix` ("bert.", "ernie.", or "" for the base model), then the
    /// head's parameters. `labels` sizes classification heads.
    public static func declare(_ head: ModelHead, _ a: BertArchitecture, encoderPrefix: String, labels: Int = 2,
                               into builder: ParameterBuilder) {
        precondition(encoderPrefix.isEmpty || encoderPrefix.hasSuffix("."), "encoder prefix \(encoderPrefix) must end in '.'")
        precondition(a.modelType.supports(head), "\(a.modelType) has no \(head) model")
        let encoder = builder.scoped(String(encoderPrefix.dropLast()))
        declareEncoder(a, pooler: a.modelType.hasPooler(head), into: encoder)
        if head.hasMaskedLMHead {
            let wordEmbeddings = encoder.prefix + "embeddings.word_embeddings.weight"
            if a.modelType == .roberta {
                declareRobertaLMHead(a, wordEmbeddings: wordEmbeddings, into: builder.scoped("lm_head"))
            } else if a.modelType == .albert {
                declareAlbertMLMHead(a, wordEmbeddings: wordEmbeddings, into: builder.scoped("predictions"))
            } else if a.modelType == .distilbert {
                // DistilBertForMaskedLM: vocab_transform → activation → vocab_layer_norm → vocab_projector (tied).
                builder.linear("vocab_transform", out: a.hiddenSize, in: a.hiddenSize)
                builder.layerNorm("vocab_layer_norm", width: a.hiddenSize)
                declareDecoderWeight("vocab_projector.weight", a, width: a.hiddenSize, wordEmbeddings: wordEmbeddings, into: builder)
                builder.parameter("vocab_projector.bias", shape: [a.vocabularySize], kind: .bias)
            } else {
                declareMaskedLMHead(a, wordEmbeddings: wordEmbeddings, into: builder.scoped("cls.predictions"))
            }
        }
        let h = a.hiddenSize
        switch head {
        case .pretraining, .nextSentencePrediction: builder.linear(a.pairHeadName, out: 2, in: h)
        case .sequenceClassification where a.modelType == .roberta:
            // RobertaClassificationHead: dense → tanh → out_proj on the first token.
            builder.linear("classifier.dense", out: h, in: h)
            builder.linear("classifier.out_proj", out: labels, in: h)
        case .sequenceClassification where a.modelType == .distilbert:
            builder.linear("pre_classifier", out: h, in: h)
            builder.linear("classifier", out: labels, in: h)
        case .multipleChoice where a.modelType == .distilbert:
            builder.linear("pre_classifier", out: h, in: h)
            builder.linear("classifier", out: 1, in: h)
        case .sequenceClassification, .tokenClassification: builder.linear("classifier", out: labels, in: h)
        case .questionAnswering: builder.linear("qa_outputs", out: 2, in: h)
        case .multipleChoice: builder.linear("classifier", out: 1, in: h)
        case .base, .maskedLM: break
        }
    }

    /// MindSpore NEZHA's learned relative-position table of a layer [2K + 1, head dimension] (under the layer's prefix).
    static let learnedRelativePositions = "attention.self.relative_positions_embeddings.weight"

    /// `BertModel`: embeddings, post-LN encoder layers, and the pooler when `pooler` (also RoBERTa's and ALBERT's, whose
    /// registration orders differ).
    static func declareEncoder(_ a: BertArchitecture, pooler: Bool, into builder: ParameterBuilder) {
        let (h, e) = (a.hiddenSize, a.embeddingSize)
        let embeddings = builder.scoped("embeddings")
        embeddings.embedding("word_embeddings", count: a.vocabularySize, width: e, paddingRow: a.padTokenId)
        if a.modelType == .roberta {
            // RobertaEmbeddings registers its position table last, with the padding row.
            embeddings.embedding("token_type_embeddings", count: a.typeVocabularySize, width: h)
            embeddings.layerNorm("LayerNorm", width: h)
            embeddings.embedding("position_embeddings", count: a.maxPositions, width: h, paddingRow: a.padTokenId)
        } else if a.modelType == .nezha {
            // NezhaEmbeddings: no position table (positions are relative, inside attention).
            embeddings.embedding("token_type_embeddings", count: a.typeVocabularySize, width: h)
            embeddings.layerNorm("LayerNorm", width: h)
        } else if a.modelType == .ernieM {
            // ErnieMEmbeddings: both tables have the padding row; no token types, no buffers.
            embeddings.embedding("position_embeddings", count: a.maxPositions, width: h, paddingRow: a.padTokenId)
            embeddings.layerNorm("layer_norm", width: h)
        } else if a.modelType == .distilbert {
            embeddings.parameter("position_embeddings.weight", shape: [a.maxPositions, h], kind: .embedding,
                                 initializer: a.sinusoidalPositions ? .sinusoid : nil)
            embeddings.layerNorm("LayerNorm", width: h)
        } else {
            embeddings.embedding("position_embeddings", count: a.maxPositions, width: e)
            embeddings.embedding("token_type_embeddings", count: a.typeVocabularySize, width: e)
            if let tasks = a.taskTypeVocabularySize { embeddings.embedding("task_type_embeddings", count: tasks, width: h) }
            embeddings.layerNorm("LayerNorm", width: e)
        }
        if a.modelType != .nezha && a.modelType != .ernieM { embeddings.buffer("position_ids") }
        if a.modelType.hasTokenTypes { embeddings.buffer("token_type_ids") }
        if a.modelType == .albert { builder.linear("encoder.embedding_hidden_mapping_in", out: h, in: e) }
        let names = a.layout
        for prefix in a.storedLayerPrefixes {
            let layer = builder.scoped(String(prefix.dropLast()))
            // AlbertLayer registers its output LayerNorm first.
            if a.modelType == .albert { layer.layerNorm(names.outputNorm, width: h) }
            for name in [names.query, names.key, names.value] { layer.linear(name, out: h, in: h) }
            if let distance = a.maxRelativePosition, a.learnsRelativePositions {
                // MindSpore registers its table after the value layer.
                layer.parameter(Self.learnedRelativePositions, shape: [2 * distance + 1, h / a.heads], kind: .embedding)
            }
            layer.linear(names.attentionOutput, out: h, in: h)
            if a.modelType == .ernieM {
                // ErnieMEncoderLayer registers both linears before both norms.
                layer.linear(names.intermediate, out: a.intermediateSize, in: h)
                layer.linear(names.output, out: h, in: a.intermediateSize)
                layer.layerNorm(names.attentionNorm, width: h)
                layer.layerNorm(names.outputNorm, width: h)
                continue
            }
            layer.layerNorm(names.attentionNorm, width: h)
            layer.linear(names.intermediate, out: a.intermediateSize, in: h)
            layer.linear(names.output, out: h, in: a.intermediateSize)
            if a.modelType != .albert { layer.layerNorm(names.outputNorm, width: h) }
            if a.maxRelativePosition != nil && !a.learnsRelativePositions {
                layer.buffer("attention.self.relative_positions_encoding.positions_encoding")
            }
        }
        if pooler { builder.linear(a.poolerName, out: h, in: h) }
    }

    /// `cls.predictions` (BertLMPredictionHead registers its own `bias` before its submodules); the decoder is the
    /// word-embedding matrix unless `tie_word_embeddings` is false.
    static func declareMaskedLMHead(_ a: BertArchitecture, wordEmbeddings: String, into builder: ParameterBuilder) {
        builder.parameter("bias", shape: [a.vocabularySize], kind: .bias)
        builder.linear("transform.dense", out: a.hiddenSize, in: a.hiddenSize)
        builder.layerNorm("transform.LayerNorm", width: a.hiddenSize)
        declareDecoderWeight("decoder.weight", a, width: a.hiddenSize, wordEmbeddings: wordEmbeddings, into: builder)
        builder.alias("decoder.bias", of: builder.prefix + "bias")
    }

    /// RoBERTa's `lm_head`: its own `bias` first, then dense and layer_norm; the decoder is the word-embedding matrix
    /// unless `tie_word_embeddings` is false.
    static func declareRobertaLMHead(_ a: BertArchitecture, wordEmbeddings: String, into builder: ParameterBuilder) {
        builder.parameter("bias", shape: [a.vocabularySize], kind: .bias)
        builder.linear("dense", out: a.hiddenSize, in: a.hiddenSize)
        builder.layerNorm("layer_norm", width: a.hiddenSize)
        declareDecoderWeight("decoder.weight", a, width: a.hiddenSize, wordEmbeddings: wordEmbeddings, into: builder)
        builder.alias("decoder.bias", of: builder.prefix + "bias")
    }

    /// ALBERT's `predictions`: its own `bias` first, then LayerNorm [E] and dense [E, H]; the decoder [V, E] is the
    /// word-embedding matrix unless `tie_word_embeddings` is false.
    static func declareAlbertMLMHead(_ a: BertArchitecture, wordEmbeddings: String, into builder: ParameterBuilder) {
        builder.parameter("bias", shape: [a.vocabularySize], kind: .bias)
        builder.layerNorm("LayerNorm", width: a.embeddingSize)
        builder.linear("dense", out: a.embeddingSize, in: a.hiddenSize)
        declareDecoderWeight("decoder.weight", a, width: a.embeddingSize, wordEmbeddings: wordEmbeddings, into: builder)
        builder.alias("decoder.bias", of: builder.prefix + "bias")
    }

    /// An MLM decoder's weight [vocab, width]: the word-embedding matrix (an alias) under `tie_word_embeddings`, else
    /// its own parameter.
    static func declareDecoderWeight(_ name: String, _ a: BertArchitecture, width: Int, wordEmbeddings: String,
                                     into builder: ParameterBuilder) {
        if a.tiesWordEmbeddings {
            builder.alias(name, of: wordEmbeddings)
        } else {
            builder.parameter(name, shape: [a.vocabularySize, width], kind: .linearWeight)
        }
    }
}
