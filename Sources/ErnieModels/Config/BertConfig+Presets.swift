extension BertConfig {
    /// Named shapes: the public Chinese base models, and small sizes for experiments and tests.
    ///
    /// - `ernie-1.0-base-zh`: 12×768, 12 heads, I 3072, relu, V 18000, P 513, T 2 (PaddleNLP values).
    /// - `ernie-3.0-base-zh`: 12×768, 12 heads, I 3072, gelu, V 40000, P 2048, T 4, task ids (3).
    /// - `bert-base-chinese`: 12×768, 12 heads, I 3072, gelu, V 21128, P 512, T 2.
    /// - `bert-large`: 24×1024, 16 heads, I 4096, gelu, V 30522, P 512, T 2 (MindSpore's `--bert_network large`).
    /// - `chinese-roberta-wwm-ext`: bert-base-chinese's shape (HFL's RoBERTa-wwm-ext is `model_type` bert).
    /// - `roberta-base`: 12×768, 12 heads, I 3072, V 50265, P 514 (positions from 2), T 1, pad 1, eps 1e-5.
    /// - `albert-base-chinese`: E 128, 12×768, 12 heads, I 3072, V 21128, one shared layer, gelu_new.
    /// - `albert-tiny-chinese`: E 128, 4×312, 12 heads, I 1248, V 21128, one shared layer, gelu_new.
    /// - `nezha-base-chinese`: 12×768, 12 heads, I 3072, V 21128, relative positions clamped at ±64, P 512.
    /// - `nezha-large-mindspore`: MindSpore model zoo's `--bert_network nezha`: 24×1024, 16 heads, I 4096, V 21128,
    ///   a learned relative-position table per layer clamped at ±16.
    /// - `distilbert-base`: 6×768, 12 heads, I 3072, V 30522 (distilbert-base-uncased).
    /// - `ernie-small-zh`: ERNIE 3.0 layout at 4×256, 4 heads, I 1024, P 512.
    /// - `ernie-tiny-zh-test`: ERNIE 3.0 layout at 2×64, 4 heads, I 256, P 512 (unit tests, smoke runs).
    ///
    /// The ERNIE presets use `layer_norm_eps` 1e-12 as PaddleNLP's model code does (some converted HF configs say
    /// 1e-5). Set `vocabularySize` from the vocabulary actually used.
    public static let presets: [String: BertConfig] = {
        let ernie1 = BertConfig(
            modelType: .ernie, vocabularySize: 18000, hiddenActivation: .relu, maxPositionEmbeddings: 513,
            typeVocabularySize: 2, taskTypeVocabularySize: 3, useTaskId: false)
        let ernie3 = BertConfig(
            modelType: .ernie, vocabularySize: 40000, hiddenActivation: .gelu, maxPositionEmbeddings: 2048,
            typeVocabularySize: 4, taskTypeVocabularySize: 3, useTaskId: true)
        let bertChinese = BertConfig(modelType: .bert, vocabularySize: 21128)
        var bertLarge = BertConfig(modelType: .bert, vocabularySize: 30522)
        bertLarge.hiddenSize = 1024
        bertLarge.layerCount = 24
        bertLarge.attentionHeadCount = 16
        bertLarge.intermediateSize = 4096
        var robertaBase = familyDefaults(.roberta)
        robertaBase.maxPositionEmbeddings = 514
        robertaBase.typeVocabularySize = 1
        robertaBase.layerNormEpsilon = 1e-5
        var albertBase = familyDefaults(.albert)
        albertBase.vocabularySize = 21128
        albertBase.hiddenSize = 768
        albertBase.attentionHeadCount = 12
        albertBase.intermediateSize = 3072
        var albertTiny = albertBase
        albertTiny.hiddenSize = 312
        albertTiny.layerCount = 4
        albertTiny.intermediateSize = 1248
        var small = ernie3
        small.hiddenSize = 256
        small.layerCount = 4
        small.attentionHeadCount = 4
        small.intermediateSize = 1024
        small.maxPositionEmbeddings = 512
        var tiny = ernie3
        tiny.hiddenSize = 64
        tiny.layerCount = 2
        tiny.attentionHeadCount = 4
        tiny.intermediateSize = 256
        tiny.maxPositionEmbeddings = 512
        return [
            "ernie-1.0-base-zh": ernie1,
            "ernie-3.0-base-zh": ernie3,
            "bert-base-chinese": bertChinese,
            "bert-large": bertLarge,
            "chinese-roberta-wwm-ext": bertChinese,
            "roberta-base": robertaBase,
            "albert-base-chinese": albertBase,
            "albert-tiny-chinese": albertTiny,
            "distilbert-base": familyDefaults(.distilbert),
            "nezha-base-chinese": familyDefaults(.nezha),
            "nezha-large-mindspore": {
                var config = familyDefaults(.nezha)
                (config.hiddenSize, config.layerCount, config.attentionHeadCount, config.intermediateSize) = (1024, 24, 16, 4096)
                config.maxRelativePosition = 16
                config.learnsRelativePositions = true
                return config
            }(),
            "ernie-small-zh": small,
            "ernie-tiny-zh-test": tiny,
        ]
    }()

    /// The preset called `name` (see `presets`).
    /// - Throws: `ConfigError.unknownPreset` listing the available names.
    public static func preset(named name: String) throws -> BertConfig {
        guard let config = presets[name] else {
            throw ConfigError.unknownPreset(name: name, available: presets.keys.sorted())
        }
        return config
    }
}
