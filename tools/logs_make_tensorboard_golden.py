#!/usr/bin/env python3
"""Writes Tests/ErnieTrainingTests/Fixtures/tensorboard_golden.tfevents with TensorBoard's own record writer.

The Swift test (LoggingTensorBoardTests) encodes the same events and compares the bytes. Wall times are fixed so the file
is reproducible. Requires `pip install tensorboard`; run from the repository root:

    python3 tools/logs_make_tensorboard_golden.py
"""
import io
import math
import os

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter

OUTPUT = os.path.join("Tests", "ErnieTrainingTests", "Fixtures", "tensorboard_golden.tfevents")


def scalars(wall_time, step, values):
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value) for tag, value in values])
    return event_pb2.Event(wall_time=wall_time, step=step, summary=summary)


def main():
    events = [
        # First record of every event file: the version marker.
        event_pb2.Event(wall_time=1700000000.25, file_version="brain.Event:2"),
        # Step 0 (proto3 omits the zero step) and a zero scalar (a oneof member is written even when zero).
        scalars(1700000001.5, 0, [("train/loss", 0.0)]),
        # Several values in one event, a multi-byte varint step, a small learning rate, a negative value.
        scalars(1700000002.75, 300000, [("train/loss", 6.123), ("train/lr", 1e-4), ("eval/loss", -2.5)]),
        # NaN (float32 quiet NaN 0x7fc00000) and a step above 2^32.
        scalars(1700000003.0, 5_000_000_000, [("train/tokens_per_s", math.nan)]),
    ]
    buffer = io.BytesIO()
    writer = RecordWriter(buffer)
    for event in events:
        writer.write(event.SerializeToString())
    with open(OUTPUT, "wb") as file:
        file.write(buffer.getvalue())
    print(f"wrote {OUTPUT}: {len(buffer.getvalue())} bytes, {len(events)} records")


if __name__ == "__main__":
    main()
