#!/usr/bin/env python3
"""Reads the TensorBoard event files that ernie's Swift writer produced with TensorBoard's own readers.

1. Runs the Swift test LoggingTensorBoardTests/writesTheEventFilesForThePythonCheck with ERNIE_LOGS_CHECK_DIR set, so it
   writes a run of 1000 steps that was killed after step 700 and resumed from the checkpoint at step 600.
2. Loads the directory with tensorboard's EventAccumulator (the Python reader) and checks tags, steps (each once) and
   values (float32) against the formulas the test used.
3. With --serve, also starts `tensorboard --logdir` (with the Rust data server, then with the Python loader) and checks
   the scalars its HTTP API returns.

Requires `pip install tensorboard`. Run from the repository root:

    python3 tools/logs_check_tensorboard.py [--serve] [--dir DIR]   # --dir: reuse files already written there
"""
import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def expected_scalars():
    """tag -> {step: float32 value}, as the Swift test writes them (see LoggingTensorBoardTests.checkRow)."""
    expected = {"train/loss": {}, "train/lr": {}, "train/tokens_per_s": {}, "eval/loss": {}}
    for step in range(1, 1001):
        resumed = step > 600
        expected["train/loss"][step] = np.float32(8 * math.exp(-step / 300) + 2 + (0.5 if resumed else 0))
        expected["train/lr"][step] = np.float32(1e-4 * step / 1000)
        expected["train/tokens_per_s"][step] = np.float32(1000 + step)
        if step % 250 == 0:
            expected["eval/loss"][step] = np.float32(step / 100)
    return expected


def compare(source, actual, expected):
    """actual: tag -> list of (step, value). Returns the number of problems, printing each."""
    problems = 0
    if sorted(actual) != sorted(expected):
        print(f"[{source}] tags {sorted(actual)} != expected {sorted(expected)}")
        return 1
    for tag, points in sorted(actual.items()):
        steps = [step for step, _ in points]
        if steps != sorted(expected[tag]):
            duplicates = len(steps) - len(set(steps))
            print(f"[{source}] {tag}: {len(steps)} steps ({duplicates} duplicates), expected {len(expected[tag])}")
            problems += 1
            continue
        mismatched = [(step, value) for step, value in points if np.float32(value) != expected[tag][step]]
        if mismatched:
            print(f"[{source}] {tag}: {len(mismatched)} values differ, first {mismatched[0]}")
            problems += 1
        else:
            print(f"[{source}] {tag}: {len(points)} scalars, steps {steps[0]}..{steps[-1]} each once, values match")
    return problems


def read_with_event_accumulator(directory):
    accumulator = EventAccumulator(directory, size_guidance={"scalars": 0})  # 0: keep every scalar
    accumulator.Reload()
    tags = accumulator.Tags()["scalars"]
    return {tag: [(event.step, event.value) for event in accumulator.Scalars(tag)] for tag in tags}


def read_with_tensorboard_server(directory, load_fast):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "tensorboard.main", "--logdir", directory, "--port", str(port), "--host", "127.0.0.1",
         "--load_fast", load_fast],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}/data/plugin/scalars"
        deadline = time.time() + 90
        tags = {}
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/tags", timeout=5) as response:
                    tags = json.load(response)
                if sum(len(run_tags) for run_tags in tags.values()) >= 4:
                    break
            except OSError:
                pass
            time.sleep(1)
        print(f"[tensorboard --load_fast={load_fast}] runs and tags: { {run: sorted(run_tags) for run, run_tags in tags.items()} }")
        actual = {}
        for run, run_tags in tags.items():
            for tag in run_tags:
                query = urllib.parse.urlencode({"run": run, "tag": tag})
                with urllib.request.urlopen(f"{base}/scalars?{query}", timeout=10) as response:
                    actual[tag] = [(step, value) for _, step, value in json.load(response)]
        return actual
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", help="read event files already written here instead of running the Swift test")
    parser.add_argument("--serve", action="store_true", help="also check through a running `tensorboard --logdir`")
    parser.add_argument("--scratch-path", default=".build-dev")
    arguments = parser.parse_args()

    directory = arguments.dir or tempfile.mkdtemp(prefix="ernie-tensorboard-check-")
    if not arguments.dir:
        environment = dict(os.environ, ERNIE_LOGS_CHECK_DIR=directory)
        subprocess.run(["swift", "test", "--scratch-path", arguments.scratch_path, "--filter",
                        "LoggingTensorBoardTests/writesTheEventFilesForThePythonCheck"], env=environment, check=True,
                       stdout=subprocess.DEVNULL)
    print("event files:", sorted(name for name in os.listdir(directory) if "tfevents" in name))

    expected = expected_scalars()
    problems = compare("EventAccumulator", read_with_event_accumulator(directory), expected)
    if arguments.serve:
        # true: the Rust data server (tensorboard's default when installed); false: the Python multiplexer.
        for load_fast in ["true", "false"]:
            actual = read_with_tensorboard_server(directory, load_fast)
            problems += compare(f"tensorboard --load_fast={load_fast}", actual, expected)
    print("OK" if problems == 0 else f"{problems} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
