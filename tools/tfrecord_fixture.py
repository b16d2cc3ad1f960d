#!/usr/bin/env python3
"""Writes Tests/ErnieDataTests/Fixtures/tfrecord/: TFRecord pretraining data as Google BERT's create_pretraining_data.py
lays it out (tf.train.Example with input_ids, input_mask, segment_ids, masked_lm_positions, masked_lm_ids,
masked_lm_weights, next_sentence_labels), written without TensorFlow: the record framing (length, masked CRC-32C of the
length, data, masked CRC-32C of the data) and the Example protobuf are encoded here by hand, from their specifications.
Also writes the MindSpore schema.json of the data and expected.json, the samples the records hold once padding is
dropped (what `ernie pretrain --input_format tfrecord` must read back exactly).

  python3 tools/tfrecord_fixture.py            # rewrite the fixture
  python3 tools/tfrecord_fixture.py --check    # with tensorflow installed: parse the file with tf.data as well
"""
import json, os, random, struct, sys

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests/ErnieDataTests/Fixtures/tfrecord")
SEQ, PREDICTIONS, VOCAB = 16, 4, 60


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked(crc32c(length))) + data + struct.pack("<I", masked(crc32c(data)))


def varint(value):
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field(number, wire, payload):
    key = varint(number << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)


def int64_feature(values, packed=True):
    if packed:
        values_field = field(1, 2, b"".join(varint(v) for v in values))
    else:
        values_field = b"".join(field(1, 0, varint(v)) for v in values)
    return field(3, 2, values_field)


def float_feature(values):
    return field(2, 2, field(1, 2, b"".join(struct.pack("<f", v) for v in values)))


def example(features, packed=True):
    entries = b""
    for name, (kind, values) in features.items():  # insertion order, as Python's protobuf writes a dict
        value = int64_feature(values, packed) if kind == "int" else float_feature(values)
        entries += field(1, 2, field(1, 2, name.encode()) + field(2, 2, value))
    return field(1, 2, entries)


def main():
    rng = random.Random(20261203)
    os.makedirs(OUT, exist_ok=True)
    samples, data = [], b""
    for index in range(7):
        length = rng.randint(6, SEQ)
        first = rng.randint(2, length - 3)
        ids = [2] + [rng.randint(5, VOCAB - 1) for _ in range(length - 2)] + [3]
        ids[first] = 3
        segments = [0] * (first + 1) + [1] * (length - first - 1)
        count = rng.randint(1, PREDICTIONS)
        positions = sorted(rng.sample(range(1, length - 1), count))
        labels = [rng.randint(5, VOCAB - 1) for _ in positions]
        label = rng.randint(0, 1)
        pad = SEQ - length
        features = {
            "input_ids": ("int", ids + [0] * pad),
            "input_mask": ("int", [1] * length + [0] * pad),
            "segment_ids": ("int", segments + [0] * pad),
            "masked_lm_positions": ("int", positions + [0] * (PREDICTIONS - count)),
            "masked_lm_ids": ("int", labels + [0] * (PREDICTIONS - count)),
            "masked_lm_weights": ("float", [1.0] * count + [0.0] * (PREDICTIONS - count)),
            "next_sentence_labels": ("int", [label]),
        }
        data += record(example(features, packed=index != 3))  # record 3: unpacked numbers, which parsers must accept
        samples.append({"input_ids": ids, "token_type_ids": segments, "masked_lm_positions": positions,
                        "masked_lm_labels": labels, "sentence_order_label": label})
    with open(os.path.join(OUT, "pretrain.tfrecord"), "wb") as f:
        f.write(data)
    schema = {"datasetType": "TF", "numRows": 7, "columns": {
        "input_ids": {"type": "int64", "rank": 1, "shape": [SEQ]}, "input_mask": {"type": "int64", "rank": 1, "shape": [SEQ]},
        "segment_ids": {"type": "int64", "rank": 1, "shape": [SEQ]}, "next_sentence_labels": {"type": "int64", "rank": 1, "shape": [1]},
        "masked_lm_positions": {"type": "int64", "rank": 1, "shape": [PREDICTIONS]},
        "masked_lm_ids": {"type": "int64", "rank": 1, "shape": [PREDICTIONS]},
        "masked_lm_weights": {"type": "float32", "rank": 1, "shape": [PREDICTIONS]}}}
    with open(os.path.join(OUT, "schema.json"), "w") as f:
        json.dump(schema, f, indent=2)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(samples, f)
    print(f"wrote {len(samples)} records to {OUT}")
    if "--check" in sys.argv:
        import tensorflow as tf
        for raw, sample in zip(tf.data.TFRecordDataset(os.path.join(OUT, "pretrain.tfrecord")), samples):
            parsed = tf.train.Example.FromString(raw.numpy())
            ids = list(parsed.features.feature["input_ids"].int64_list.value)
            assert ids[:len(sample["input_ids"])] == sample["input_ids"]
        print("tensorflow reads the same records")


if __name__ == "__main__":
    main()
