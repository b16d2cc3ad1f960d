#!/usr/bin/env python3
"""Writes the seed inputs of `ernie fuzz` to Tests/FuzzSeeds/<target>/: one small valid file (or folder) per reader of
untrusted bytes, which the fuzzer mutates. Small on purpose (a few KB): the fuzzer writes each mutation to a file.

    python3 tools/fuzz_seeds.py [--ernie .build/release/ernie]

Needs torch (the .bin seeds are written by torch.save itself, zip and legacy format), numpy and transformers
(tokenizer.json by BertTokenizerFast.save_pretrained); the rest is copied from test fixtures or written here.
Crash inputs found later go beside the seeds as regression inputs (`crash-*`), and `ernie fuzz` replays them first.
"""
import argparse, collections, json, os, pickle, shutil, struct, subprocess, tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "FuzzSeeds")
FIX = os.path.join(ROOT, "Tests")


def target(name):
    path = os.path.join(OUT, name)
    os.makedirs(path, exist_ok=True)
    return path


def copy(source, name, file):
    shutil.copy(os.path.join(FIX, source), os.path.join(target(name), file))


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ernie", default=os.path.join(ROOT, ".build/release/ernie"))
    args = parser.parse_args()
    rng = np.random.default_rng(5)
    # config.json, vocab.txt, safetensors, pdparams, tfrecord: copies of small fixtures.
    copy("ErnieModelsTests/Fixtures/tiny_ernie/config.json", "config", "config.json")
    copy("ErnieDataTests/Fixtures/prepare/hand_vocab.txt", "vocab", "vocab.txt")
    copy("ErnieModelsTests/Fixtures/sharded_micro/model-00001-of-00004.safetensors", "safetensors", "model.safetensors")
    copy("ErnieModelsTests/Fixtures/tiny_ernie_paddle/linear_protocol2.pdparams", "pdparams", "protocol2.pdparams")
    copy("ErnieModelsTests/Fixtures/tiny_ernie_paddle/split_protocol2.pdparams", "pdparams", "split.pdparams")
    with open(os.path.join(target("pdparams"), "protocol4.pdparams"), "wb") as f:
        pickle.dump({"linear.weight": rng.standard_normal((3, 2)).astype(np.float32), "linear.bias": np.zeros(2, np.float32)}, f, protocol=4)
    copy("ErnieDataTests/Fixtures/tfrecord/pretrain.tfrecord", "tfrecord", "pretrain.tfrecord")
    copy("ErnieDataTests/Fixtures/tfrecord/pretrain.tfrecord", "tfrecord_examples", "pretrain.tfrecord")
    copy("ErnieTextTests/Fixtures/bpe/train_small/merges.txt", "merges", "merges.txt")
    copy("ErnieTextTests/Fixtures/bpe/train_small/vocab.json", "merges", "vocab.json")
    # tokenizer.json of a tiny WordPiece vocabulary, as transformers writes it.
    from transformers import BertTokenizerFast
    with tempfile.TemporaryDirectory() as work:
        vocab = os.path.join(work, "vocab.txt")
        shutil.copy(os.path.join(FIX, "ErnieDataTests/Fixtures/prepare/hand_vocab.txt"), vocab)
        BertTokenizerFast(vocab_file=vocab).save_pretrained(work)
        shutil.copy(os.path.join(work, "tokenizer.json"), os.path.join(target("tokenizer_json"), "tokenizer.json"))
    # pytorch_model.bin, zip and legacy, by torch.save: a float matrix, a strided view, an int64 buffer.
    import torch
    state = collections.OrderedDict([("a.weight", torch.randn(3, 4)), ("b.weight", torch.randn(4, 2).t()),
                                     ("position_ids", torch.arange(6).unsqueeze(0))])
    torch.save(state, os.path.join(target("torch"), "zip.bin"))
    torch.save(state, os.path.join(target("torch"), "legacy.bin"), _use_new_zipfile_serialization=False)
    # MindSpore .ckpt: Checkpoint { repeated Value { tag = 1; TensorProto tensor = 2 { dims = 1; tensor_type = 2; content = 3 } } }
    values = b""
    for tag, array in [("bert.bert.bert_embedding_lookup.embedding_table", rng.standard_normal((4, 3)).astype(np.float32)),
                       ("bert.bert.dense.bias", rng.standard_normal(3).astype(np.float32))]:
        tensor = b"".join(field(1, 0, varint(d)) for d in array.shape) + field(2, 2, b"Float32") + field(3, 2, array.tobytes())
        values += field(1, 2, field(1, 2, tag.encode()) + field(2, 2, tensor))
    with open(os.path.join(target("ckpt"), "tiny.ckpt"), "wb") as f:
        f.write(values)
    # npy, npz (PaddleNLP's _ids.npy / _idx.npz) and Megatron .idx/.bin from ernie prepare on the hand corpus.
    for fmt, name in [("npy", "corpus_npy"), ("megatron", "corpus_megatron")]:
        folder = target(name)
        subprocess.run([args.ernie, "prepare", "--input_path", os.path.join(FIX, "ErnieDataTests/Fixtures/prepare/hand_corpus.txt"),
                        "--output_prefix", os.path.join(folder, "corpus"), "--tokenizer_name_or_path",
                        os.path.join(FIX, "ErnieDataTests/Fixtures/prepare/hand_vocab.txt"), "--output_format", fmt,
                        "--split_sentences", "--chinese"], check=True, capture_output=True)
    # Fine-tuning inputs: JSON lines, TSV, CoNLL, SQuAD.
    with open(os.path.join(target("seqcls_jsonl"), "train.json"), "w", encoding="utf-8") as f:
        for text, label in [("质量很好", "positive"), ("太差了，不推荐", "negative"), ("Great product!", "positive")]:
            f.write(json.dumps({"sentence": text, "label": label}, ensure_ascii=False) + "\n")
    with open(os.path.join(target("seqcls_tsv"), "train.tsv"), "w", encoding="utf-8") as f:
        f.write("label\ttext_a\n1\t质量很好\n0\t太差了\n")
    with open(os.path.join(target("conll"), "train.txt"), "w", encoding="utf-8") as f:
        f.write("中 B-LOC\n国 I-LOC\n人 O\n\n北 B-LOC\n京 I-LOC\n")
    squad = {"version": "v2.0", "data": [{"title": "t", "paragraphs": [{"context": "北京是中国的首都。", "qas": [
        {"id": "q1", "question": "中国的首都是哪里？", "answers": [{"text": "北京", "answer_start": 0}], "is_impossible": False}]}]}]}
    with open(os.path.join(target("squad"), "train.json"), "w", encoding="utf-8") as f:
        json.dump(squad, f, ensure_ascii=False)
    print("seeds in", OUT, sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
