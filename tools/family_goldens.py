#!/usr/bin/env python3
"""Golden fixtures of the model families beyond BERT/ERNIE, from Hugging Face transformers + PyTorch.

Run by developers, never by CI (CI has no torch):

    pip install torch transformers safetensors
    python tools/family_goldens.py [roberta ...]     # from the repository root; default: every family
    # NEZHA left transformers in 5.0: its goldens come from 4.40 (the last release with it), in its own venv:
    python -m venv /tmp/tf440 && /tmp/tf440/bin/pip install torch "transformers==4.40.2" safetensors
    /tmp/tf440/bin/python tools/family_goldens.py nezha ernie_m       # ERNIE-M left in 5.0 too

For each family, under Tests/ErnieModelsTests/Fixtures/families/<family>/:
- model/: save_pretrained of the family's pretraining model (RobertaForMaskedLM, AlbertForPreTraining,
  DistilBertForMaskedLM) of a tiny random config
  (2 layers, hidden 64, 4 heads, intermediate 128, vocabulary 200, dropout 0); every parameter perturbed away from
  its init so that a swapped weight/bias shows up.
- <head>.safetensors for every head (pretraining, sequence_classification, token_classification,
  question_answering, multiple_choice): the inputs (int64), labels, the outputs (logits / start_logits / end_logits),
  the loss (pretraining: prediction_logits and sop_logits where the family has a pair head), `param.<name>` of the head's own tensors (the rest is model/), and `grad.<name>` of EVERY parameter.
- goldens.json: per head the loss, named_parameters() order, the Trainer's weight-decay names, the losses of 10
  torch.optim.AdamW steps (lr 1e-4, weight decay 0.01 on the decay group), and the saved key set.
"""
import json
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_goldens import adamw_losses, decay_names, f32, perturb_  # noqa: E402  (the BERT/ERNIE goldens' helpers)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ErnieModelsTests", "Fixtures", "families")

BATCH, SEQ, CHOICES = 3, 16, 2
LENGTHS = [16, 11, 7]  # valid tokens per row; the rest is padding
COMMON = dict(vocab_size=200, hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
              hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, hidden_act="gelu")

# family → (class prefix, config class, config values, pretraining class suffix, pad id, token types?)
FAMILIES = {
    "roberta": ("Roberta", transformers.RobertaConfig,
                dict(COMMON, max_position_embeddings=SEQ + 2, type_vocab_size=1, pad_token_id=1), "ForMaskedLM", 1, False),
    # 4 layers in 2 groups of 2 inner layers (8 layer passes over 4 stored layers), E 32 ≠ H 64, gelu_new.
    "albert": ("Albert", transformers.AlbertConfig,
               dict(COMMON, hidden_act="gelu_new", embedding_size=32, num_hidden_layers=4, num_hidden_groups=2,
                    inner_group_num=2, max_position_embeddings=32, classifier_dropout_prob=0.0), "ForPreTraining", 0, True),
    # DistilBertConfig's own names; no token types; seq_classif/qa dropout 0 so the heads' paths are deterministic.
    "distilbert": ("DistilBert", transformers.DistilBertConfig,
                   dict(vocab_size=200, dim=64, n_layers=2, n_heads=4, hidden_dim=128, dropout=0.0, attention_dropout=0.0,
                        activation="gelu", max_position_embeddings=32, seq_classif_dropout=0.0, qa_dropout=0.0),
                   "ForMaskedLM", 0, False),
}
if hasattr(transformers, "NezhaConfig"):  # transformers < 5
    # max_relative_position 3 < seq 16, so the clamp of the distances matters.
    FAMILIES["nezha"] = ("Nezha", transformers.NezhaConfig,
                         dict(COMMON, max_position_embeddings=32, max_relative_position=3, classifier_dropout=0.0),
                         "ForPreTraining", 0, True)
if hasattr(transformers, "ErnieMConfig"):  # transformers < 5
    # No pretraining head in transformers: model/ is the base ErnieMModel; inputs carry no attention_mask (as
    # ErnieMTokenizer returns input_ids only), so the mask comes from the padding ids.
    FAMILIES["ernie_m"] = ("ErnieM", transformers.ErnieMConfig,
                           dict(COMMON, max_position_embeddings=SEQ + 2, pad_token_id=1, classifier_dropout=0.0,
                                act_dropout=0.0), "Model", 1, False)
OLD_ONLY = {"nezha", "ernie_m"}
HEADS = {
    "pretraining": None,
    "sequence_classification": ("ForSequenceClassification", {"num_labels": 3}),
    "token_classification": ("ForTokenClassification", {"num_labels": 5}),
    "question_answering": ("ForQuestionAnswering", {}),
    "multiple_choice": ("ForMultipleChoice", {}),
}


def model_class(family, head):
    prefix, _, _, pretraining, _, _ = FAMILIES[family]
    suffix = pretraining if head == "pretraining" else HEADS[head][0]
    return getattr(transformers, prefix + suffix)


def config(family, head):
    _, config_class, values, _, _, _ = FAMILIES[family]
    extra = {} if head == "pretraining" else HEADS[head][1]
    return config_class(**values, **extra)


def inputs(family, rows, seed=1234):
    _, _, values, _, pad, types = FAMILIES[family]
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, values["vocab_size"], (rows, SEQ), generator=generator)
    mask = torch.zeros(rows, SEQ, dtype=torch.long)
    for row in range(rows):
        mask[row, :LENGTHS[row % len(LENGTHS)]] = 1
    ids[:, 0] = 0 if pad != 0 else 2
    ids = torch.where(mask.bool(), ids, torch.full_like(ids, pad))
    result = {"input_ids": ids} if family == "ernie_m" else {"input_ids": ids, "attention_mask": mask}
    if types:
        token_types = torch.zeros(rows, SEQ, dtype=torch.long)
        for row in range(rows):
            length = LENGTHS[row % len(LENGTHS)]
            token_types[row, length // 2:length] = 1
        result["token_type_ids"] = token_types
    return result


def labels(family, head, seed=99):
    generator = torch.Generator().manual_seed(seed)
    vocab = FAMILIES[family][2]["vocab_size"]
    if head == "pretraining":
        result = torch.full((BATCH, SEQ), -100, dtype=torch.long)
        for row, positions in enumerate([[1, 5, 9, 14], [2, 3, 10], [4, 6]]):
            for position in positions:
                result[row, position] = int(torch.randint(5, vocab, (1,), generator=generator))
        if FAMILIES[family][3] != "ForPreTraining":
            return {"labels": result}
        pair = "sentence_order_label" if family == "albert" else "next_sentence_label"
        return {"labels": result, pair: torch.tensor([0, 1, 0])}
    if head == "sequence_classification":
        return {"labels": torch.tensor([0, 2, 1])}
    if head == "token_classification":
        result = torch.randint(0, 5, (BATCH, SEQ), generator=generator)
        for row, length in enumerate(LENGTHS):
            result[row, length:] = -100
        return {"labels": result}
    if head == "question_answering":
        return {"start_positions": torch.tensor([3, 1, 5]), "end_positions": torch.tensor([7, 9, 5])}
    if head == "multiple_choice":
        return {"labels": torch.tensor([1, 0, 1])}
    raise ValueError(head)


def head_inputs(family, head):
    if head != "multiple_choice":
        return inputs(family, BATCH)
    flat = inputs(family, BATCH * CHOICES, seed=4321)
    return {key: value.view(BATCH, CHOICES, SEQ) for key, value in flat.items()}


# lr 1e-4 (fine-tuning's) for the 10 AdamW steps: at 1e-3 AdamW's per-element normalisation turns gradient elements
# that are zero up to float32 rounding into full steps of either sign, and DistilBERT's ReLU pre-classifier then makes
# even two PyTorch runs differ by 1e-3 after 10 steps; at 1e-4 they agree to 1e-7.
ADAMW_LR = 1e-4


def run_head(family, head, base_state):
    """Forward and backward of one head from the base weights (the head's own tensors perturbed and stored)."""
    torch.manual_seed(7)
    model = model_class(family, head)(config(family, head))
    missing, _ = model.load_state_dict(base_state, strict=False)
    tensors = {}
    own = dict(model.named_parameters())
    for index, name in enumerate(sorted(missing)):
        if name in own:
            with torch.no_grad():
                own[name].add_(torch.randn(own[name].shape, generator=torch.Generator().manual_seed(11 + index)) * 0.05)
            tensors[f"param.{name}"] = f32(own[name])
    model.train()  # dropout is 0: train mode only selects the code path
    batch = head_inputs(family, head)
    targets = labels(family, head)
    outputs = model(**batch, **targets)
    outputs.loss.backward()
    for key, value in {**batch, **targets}.items():
        tensors[key] = value.contiguous()
    for key in ["logits", "prediction_logits", "sop_logits", "seq_relationship_logits", "start_logits", "end_logits"]:
        if getattr(outputs, key, None) is not None:
            tensors[key] = f32(getattr(outputs, key))
    tensors["loss"] = f32(outputs.loss.reshape(1))
    for name, parameter in model.named_parameters():
        tensors[f"grad.{name}"] = f32(parameter.grad if parameter.grad is not None else torch.zeros_like(parameter))
    if head == "pretraining" and family == "distilbert":
        # sinusoidal_pos_embds: the initial position table transformers builds.
        sinusoid = model_class(family, head)(config(family, head).__class__(**FAMILIES[family][2], sinusoidal_pos_embds=True))
        tensors["sinusoid_position_embeddings"] = f32(sinusoid.distilbert.embeddings.position_embeddings.weight)
    return model, tensors, batch, targets, outputs


def run_family(family):
    out = os.path.join(OUT, family)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    torch.manual_seed(1)
    base = model_class(family, "pretraining")(config(family, "pretraining"))
    perturb_(base, seed=3)
    base.save_pretrained(os.path.join(out, "model"))
    # A base model (ErnieMModel) saves its keys without the heads' prefix.
    prefix = base.base_model_prefix + "." if FAMILIES[family][3] == "Model" else ""
    base_state = {prefix + k: v.clone() for k, v in base.state_dict().items()}
    scalars = {"transformers_version": transformers.__version__, "torch_version": torch.__version__,
               "batch": BATCH, "seq": SEQ, "choices": CHOICES, "lengths": LENGTHS, "heads": {}}
    for head in HEADS:
        if head == "pretraining" and FAMILIES[family][3] == "Model":
            continue
        model, tensors, batch, targets, outputs = run_head(family, head, base_state)
        save_file(tensors, os.path.join(out, f"{head}.safetensors"), metadata={"format": "pt"})
        directory = os.path.join(out, "_saved")
        model.save_pretrained(directory)
        with safe_open(os.path.join(directory, "model.safetensors"), "pt") as handle:
            saved = sorted(handle.keys())
        shutil.rmtree(directory)
        scalars["heads"][head] = {
            "class": type(model).__name__,
            "loss": outputs.loss.item(),
            "parameters": [[n, list(p.shape)] for n, p in model.named_parameters()],
            "decay_parameters": decay_names(model),
            "saved": saved,
            "adamw_losses": adamw_losses(model, {**batch, **targets}, lr=ADAMW_LR),
        }
    with open(os.path.join(out, "goldens.json"), "w") as handle:
        json.dump(scalars, handle, indent=1, sort_keys=True)
        handle.write("\n")
    losses = ", ".join("%s %.6f" % (h, v["loss"]) for h, v in scalars["heads"].items())
    print(f"{family}: {losses}")


def main():
    for family in sys.argv[1:] or [family for family in FAMILIES if family not in OLD_ONLY]:
        run_family(family)


if __name__ == "__main__":
    main()
