#!/usr/bin/env python3
"""Checks that Hugging Face transformers loads a model directory saved by ernie, and agrees with ernie's outputs.

Run by developers (never by CI):

    pip install torch transformers safetensors
    python tools/model_check_hf_load.py DIR [--class ErnieForPreTraining] [--tolerance 1e-4]

DIR holds config.json and model.safetensors (or shards). The model class is `architectures[0]` of config.json
unless --class is given. The script prints:

1. transformers' loading info: missing, unexpected and mismatched keys (all should be empty);
2. whether DIR's safetensors key set equals what `save_pretrained` of the loaded model writes;
3. if DIR/ernie_outputs.safetensors exists, the max |difference| between ernie's outputs and transformers' for the
   same inputs. That file holds int64 inputs `input_ids` [B, S] ([B, choices, S] for multiple choice) and optionally `attention_mask`, `token_type_ids`,
   `task_type_ids`, plus any of the float32 outputs `logits`, `prediction_logits`, `seq_relationship_logits`,
   `start_logits`, `end_logits`, `last_hidden_state`, `pooler_output` (names of the transformers output fields).

Exit status: 0 when everything matches, 1 otherwise.
"""
import argparse
import json
import os
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

INPUTS = ["input_ids", "attention_mask", "token_type_ids", "task_type_ids"]
OUTPUTS = ["logits", "prediction_logits", "seq_relationship_logits", "start_logits", "end_logits",
           "last_hidden_state", "pooler_output"]


def saved_keys(directory):
    index = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as handle:
            return sorted(json.load(handle)["weight_map"])
    with safe_open(os.path.join(directory, "model.safetensors"), "pt") as handle:
        return sorted(handle.keys())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--class", dest="class_name", help="transformers class (default: architectures[0])")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="max allowed |ernie − transformers|")
    args = parser.parse_args()

    with open(os.path.join(args.directory, "config.json")) as handle:
        config = json.load(handle)
    class_name = args.class_name or (config.get("architectures") or ["AutoModel"])[0]
    model_class = getattr(transformers, class_name)
    model, info = model_class.from_pretrained(args.directory, output_loading_info=True, local_files_only=True)
    model.eval()
    ok = True
    print(f"{class_name} from {args.directory} (transformers {transformers.__version__})")
    for key in ["missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"]:
        values = sorted(info.get(key, []), key=str)
        print(f"  {key}: {values if values else 'none'}")
        ok = ok and not values

    with tempfile.TemporaryDirectory() as scratch:
        model.save_pretrained(scratch)
        expected = saved_keys(scratch)
    actual = saved_keys(args.directory)
    if actual == expected:
        print(f"  saved keys: the {len(actual)} keys save_pretrained writes")
    else:
        ok = False
        print(f"  saved keys differ from save_pretrained: extra {sorted(set(actual) - set(expected))}, "
              f"lacking {sorted(set(expected) - set(actual))}")

    outputs_path = os.path.join(args.directory, "ernie_outputs.safetensors")
    if os.path.exists(outputs_path):
        tensors = load_file(outputs_path)
        inputs = {name: tensors[name].long() for name in INPUTS if name in tensors}
        if class_name.startswith("Bert"):
            inputs.pop("task_type_ids", None)
        try:
            with torch.no_grad():
                result = model(**inputs)
        except Exception as error:  # noqa: BLE001 - report, do not crash
            print(f"  transformers' forward failed on ernie's inputs: {type(error).__name__}: {error}")
            print("MISMATCH")
            return 1
        compared = 0
        for name in OUTPUTS:
            if name not in tensors:
                continue
            reference = getattr(result, name, None)
            if reference is None:
                print(f"  {name}: transformers' {class_name} has no such output")
                ok = False
                continue
            ours = tensors[name].float()
            if tuple(ours.shape) != tuple(reference.shape):
                print(f"  {name}: shape {tuple(ours.shape)} vs transformers {tuple(reference.shape)}")
                ok = False
                continue
            difference = (ours - reference).abs().max().item()
            compared += 1
            status = "ok" if difference <= args.tolerance else "TOO LARGE"
            print(f"  {name}: max |ernie − transformers| = {difference:.3e} ({status})")
            ok = ok and difference <= args.tolerance
        if compared == 0:
            print("  ernie_outputs.safetensors holds no known output tensor")
            ok = False
    else:
        print("  (no ernie_outputs.safetensors: outputs not compared)")
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
