#!/usr/bin/env python3
"""ernie's unigram SentencePiece trainer (`ernie vocab --type sentencepiece`) against the sentencepiece library's.

  python3 tools/sentencepiece_trainer_check.py --fixture
      trains the library on the test's lines (the first 1500 People's Daily lines and 500 positive reviews, vocab
      2000, nmt_nfkc) and writes Tests/ErnieTextTests/Fixtures/sentencepiece/trainer_reference.vocab (pieces only),
      which SentencePieceTrainerTests compares ernie's pieces with.

  python3 tools/sentencepiece_trainer_check.py --ernie .build/release/ernie [--lines N] [--vocab_size V] [--rule R]
      trains both on the first N lines of every corpus (default: all 58k lines, 13 MB) and reports: time, piece overlap,
      tokens each model gives the corpus, whether the library encodes with ernie's model exactly as ernie does, and
      how many single characters (of all 1.1M) and corpus lines ernie's normalisation rules treat differently from
      the library's built-in ones.
"""
import argparse, json, os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe_goldens  # noqa: E402
import make_text_goldens as text_goldens  # noqa: E402

import sentencepiece as spm

FIX = os.path.join(bpe_goldens.ROOT, "Tests", "ErnieTextTests", "Fixtures", "sentencepiece")


def fixture_lines():
    return text_goldens.corpus_lines("peoples_daily")[:1500] + text_goldens.corpus_lines("reviews_pos")[:500]


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(line.replace("\r", " ") + "\n" for line in lines))


def make_fixture():
    with tempfile.TemporaryDirectory() as work:
        text = os.path.join(work, "train.txt")
        write_lines(text, fixture_lines())
        spm.SentencePieceTrainer.train(input=text, model_prefix=os.path.join(work, "ref"), vocab_size=4000,
                                       num_threads=16, minloglevel=1)
        sp = spm.SentencePieceProcessor(model_file=os.path.join(work, "ref.model"))
        with open(os.path.join(FIX, "trainer_reference.vocab"), "w", encoding="utf-8") as f:
            f.write("".join(sp.id_to_piece(i) + "\n" for i in range(sp.get_piece_size())))
    print("wrote", os.path.join(FIX, "trainer_reference.vocab"))


def compare(args):
    lines = []
    for name, (corpus, _) in bpe_goldens.corpora().items():
        lines.extend(line for line in corpus if line.strip())
    if args.lines:
        lines = lines[:args.lines]
    with tempfile.TemporaryDirectory() as work:
        text = os.path.join(work, "train.txt")
        write_lines(text, lines)
        start = time.time()
        subprocess.run([args.ernie, "vocab", "--type", "sentencepiece", "--input", text, "--model_prefix",
                        os.path.join(work, "ernie"), "--vocab_size", str(args.vocab_size), "--normalization_rule_name",
                        args.rule, "--invalid_utf8", "replace"], check=True)
        ernie_seconds = time.time() - start
        start = time.time()
        spm.SentencePieceTrainer.train(input=text, model_prefix=os.path.join(work, "ref"), vocab_size=args.vocab_size,
                                       normalization_rule_name=args.rule, minloglevel=1)
        ref_seconds = time.time() - start
        ours = spm.SentencePieceProcessor(model_file=os.path.join(work, "ernie.model"))
        ref = spm.SentencePieceProcessor(model_file=os.path.join(work, "ref.model"))
        pieces = lambda sp: {sp.id_to_piece(i) for i in range(sp.get_piece_size())}
        overlap = len(pieces(ours) & pieces(ref))
        print(f"{len(lines)} lines, vocab {args.vocab_size}, {args.rule}: ernie {ernie_seconds:.1f} s, "
              f"sentencepiece {ref_seconds:.1f} s (its default 16 threads on this machine's cores)")
        print(f"pieces in both: {overlap} of {args.vocab_size} ({overlap / args.vocab_size:.2%})")
        ours_ids, ref_ids = ours.encode(lines), ref.encode(lines)
        ours_tokens, ref_tokens = sum(map(len, ours_ids)), sum(map(len, ref_ids))
        print(f"tokens for the corpus: ernie's model {ours_tokens}, the library's {ref_tokens} "
              f"(ratio {ours_tokens / ref_tokens:.4f})")
        # The library encoding with ernie's model vs ernie encoding it.
        out = subprocess.run([args.ernie, "tokenize", "--sentencepiece_model_file", os.path.join(work, "ernie.model"),
                              "--input", text, "--output", "-"], check=True, capture_output=True, text=True).stdout
        ernie_ids = [json.loads(line)["ids"] for line in out.split("\n")[:len(lines)]]
        same = sum(a == b for a, b in zip(ernie_ids, ours_ids))
        print(f"lines the library encodes with ernie's model exactly as ernie does: {same} of {len(lines)}")
        if args.rule != "identity":
            norm_ours = spm.SentencePieceNormalizer(model_file=os.path.join(work, "ernie.model"))
            norm_ref = spm.SentencePieceNormalizer(rule_name=args.rule)
            differ = [cp for cp in range(1, 0x110000) if not 0xD800 <= cp <= 0xDFFF
                      and norm_ours.normalize(chr(cp)) != norm_ref.normalize(chr(cp))]
            print(f"single characters normalised differently: {len(differ)} of 1112063 "
                  f"({' '.join(f'U+{c:04X}' for c in differ[:12])}{' …' if len(differ) > 12 else ''})")
            bad = sum(norm_ours.normalize(line) != norm_ref.normalize(line) for line in lines)
            print(f"corpus lines normalised differently: {bad} of {len(lines)}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixture", action="store_true")
    parser.add_argument("--ernie")
    parser.add_argument("--lines", type=int, default=0)
    parser.add_argument("--vocab_size", type=int, default=8000)
    parser.add_argument("--rule", default="nmt_nfkc")
    args = parser.parse_args()
    if args.fixture:
        make_fixture()
    if args.ernie:
        compare(args)


if __name__ == "__main__":
    main()
