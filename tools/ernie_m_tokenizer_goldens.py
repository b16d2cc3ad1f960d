#!/usr/bin/env python3
"""Writes ERNIE-M tokenizer goldens from transformers 4.x `ErnieMTokenizer` (removed in 5.x: run it in the
transformers-4 virtual environment with sentencepiece installed).

    /work/venv-tf440/bin/python tools/ernie_m_tokenizer_goldens.py

For the `unigram` and `bpe` models of tools/sentencepiece_goldens.py (Tests/ErnieTextTests/Fixtures/sentencepiece),
writes Tests/ErnieTextTests/Fixtures/ernie_m/<name>/:
  vocab.txt       [CLS] [PAD] [SEP] [UNK] (ids 0–3, as ERNIE-M's: [PAD] = its config's pad_token_id 1), the model's
                  pieces other than <unk> <s> </s> (not repeated), then [MASK]
  cases.jsonl     bpe_goldens' hard cases (also with [MASK]/[SEP] inside) and pairs: input_ids of tokenizer(text) /
                  tokenizer(text, pair), and tokenize(text)
  corpus.txt      per corpus, FNV-1a 64 of the input_ids (comma-separated, one line each) per block of 32 lines
"""
import json
import os
import sys

from transformers import ErnieMTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe_goldens  # noqa: E402

SP = os.path.join(bpe_goldens.ROOT, "Tests", "ErnieTextTests", "Fixtures", "sentencepiece")
FIX = os.path.join(bpe_goldens.ROOT, "Tests", "ErnieTextTests", "Fixtures", "ernie_m")
SPECIALS = ["[CLS]", "[PAD]", "[SEP]", "[UNK]"]
EXTRA = ["前面[MASK]后面", "[CLS]开头 and [SEP] middle[SEP]", "x[MASK]y [MASK] z", "数字123abc456，结束。",
         "version2.0.1 v3 ① ２３ ³", "a ▁ b ▁▁ c", "mixed中English混合123数字", "..., !!! ??? ~~~ 《书》【注】"]
PAIRS = [("今天天气很好。", "Is it sunny today?"), ("", "only the second"), ("第一句", ""),
         ("Numbers 2024 and 三千", "第二句话，很长很长很长。")]


def ids(tok, text, pair=None):
    try:
        return tok(text, pair)["input_ids"]
    except IndexError:  # a trailing lone "▁" piece: ErnieMTokenizer reads past its list
        return None


def main():
    corpora = bpe_goldens.corpora()
    for name in ("unigram", "bpe"):
        model = os.path.join(SP, name + ".model")
        folder = os.path.join(FIX, name)
        os.makedirs(folder, exist_ok=True)
        import sentencepiece as spm
        sp = spm.SentencePieceProcessor(model_file=model)
        vocab = list(SPECIALS)
        for i in range(sp.get_piece_size()):
            piece = sp.id_to_piece(i)
            if piece not in ("<unk>", "<s>", "</s>") and piece not in vocab:
                vocab.append(piece)
        if "[MASK]" not in vocab:
            vocab.append("[MASK]")
        with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8") as f:
            f.write("".join(token + "\n" for token in vocab))
        tok = ErnieMTokenizer(sentencepiece_model_ckpt=model, vocab_file=os.path.join(folder, "vocab.txt"))
        with open(os.path.join(folder, "cases.jsonl"), "w", encoding="utf-8") as f:
            for text in bpe_goldens.CASES + bpe_goldens.EMOJI_LINES + EXTRA:
                record = {"text": text, "ids": ids(tok, text)}
                if record["ids"] is not None:
                    record["tokens"] = tok.tokenize(text)
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            for text, pair in PAIRS:
                f.write(json.dumps({"text": text, "pair": pair, "ids": ids(tok, text, pair)}, ensure_ascii=False) + "\n")
        with open(os.path.join(folder, "corpus.txt"), "w") as f:
            for corpus, (lines, digest) in corpora.items():
                f.write(f"# {corpus} {len(lines)}" + (f" {digest}" if digest else "") + "\n")
                for block in range(0, len(lines), 32):
                    data = "".join(",".join(map(str, ids(tok, line) or [-1])) + "\n" for line in lines[block:block + 32])
                    f.write(f"{bpe_goldens.fnv1a64(data.encode()):016x}\n")


if __name__ == "__main__":
    main()
