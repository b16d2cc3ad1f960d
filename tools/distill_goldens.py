#!/usr/bin/env python3
"""Golden fixture of `ernie distill`'s general distillation loss, from PyTorch + transformers, computed as Hugging
Face's DistilBERT distiller (examples/research_projects/distillation/distiller.py) computes it.

Run by developers, never by CI (CI has no torch):

    python3 tools/distill_goldens.py     # from the repository root

Writes Tests/ErnieTrainingTests/Fixtures/distill/:
- teacher/: save_pretrained of a tiny random BertForPreTraining (3 layers, hidden 64, vocabulary 200, dropout 0;
  every parameter perturbed away from its init).
- golden.safetensors: the batch (input_ids, attention_mask, masked positions flattened row-major, their labels), the
  student `student.<name>` — a DistilBertForMaskedLM (2 layers) built from the teacher as extract_distilbert.py
  does, from teacher layers [0, 2] (`ernie distill --student_init from_teacher --student_layers 2
  --student_model_type distilbert`) — and `grad.<name>` of every student parameter of the loss below.
- golden.json: the loss terms. loss = α_ce · T² · KLDivLoss(batchmean)(log_softmax(s/T), softmax(t/T)) over the
  masked positions + α_mlm · cross-entropy on them + α_cos · CosineEmbeddingLoss(target 1) of the last hidden states
  over the non-padding tokens; α_ce 5, α_mlm 2, α_cos 1, T 2 (the distiller README's values).
"""
import json
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_goldens import f32, perturb_  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ErnieTrainingTests", "Fixtures", "distill")
ALPHA_CE, ALPHA_MLM, ALPHA_COS, T = 5.0, 2.0, 1.0, 2.0
BATCH, SEQ, LENGTHS = 3, 16, [16, 11, 7]
TEACHER_LAYERS = [0, 2]  # round(i · (3 − 1) / (2 − 1))


def main():
    torch.manual_seed(0)
    teacher = transformers.BertForPreTraining(transformers.BertConfig(
        vocab_size=200, hidden_size=64, num_hidden_layers=3, num_attention_heads=4, intermediate_size=128,
        max_position_embeddings=32, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, hidden_act="gelu"))
    perturb_(teacher, 7)
    teacher.eval()
    student = transformers.DistilBertForMaskedLM(transformers.DistilBertConfig(
        vocab_size=200, dim=64, n_layers=2, n_heads=4, hidden_dim=128, max_position_embeddings=32, dropout=0.0,
        attention_dropout=0.0, activation="gelu"))
    t = teacher.state_dict()
    mapping = {
        "distilbert.embeddings.word_embeddings.weight": "bert.embeddings.word_embeddings.weight",
        "distilbert.embeddings.position_embeddings.weight": "bert.embeddings.position_embeddings.weight",
        "vocab_transform.weight": "cls.predictions.transform.dense.weight",
        "vocab_transform.bias": "cls.predictions.transform.dense.bias",
        "vocab_layer_norm.weight": "cls.predictions.transform.LayerNorm.weight",
        "vocab_layer_norm.bias": "cls.predictions.transform.LayerNorm.bias",
        "vocab_projector.bias": "cls.predictions.bias",
    }
    for suffix in ("weight", "bias"):
        mapping[f"distilbert.embeddings.LayerNorm.{suffix}"] = f"bert.embeddings.LayerNorm.{suffix}"
    roles = [("attention.q_lin", "attention.self.query"), ("attention.k_lin", "attention.self.key"),
             ("attention.v_lin", "attention.self.value"), ("attention.out_lin", "attention.output.dense"),
             ("sa_layer_norm", "attention.output.LayerNorm"), ("ffn.lin1", "intermediate.dense"),
             ("ffn.lin2", "output.dense"), ("output_layer_norm", "output.LayerNorm")]
    for index, layer in enumerate(TEACHER_LAYERS):
        for mine, theirs in roles:
            for suffix in ("weight", "bias"):
                mapping[f"distilbert.transformer.layer.{index}.{mine}.{suffix}"] = f"bert.encoder.layer.{layer}.{theirs}.{suffix}"
    state = student.state_dict()
    for name, source in mapping.items():
        state[name] = t[source].clone()
    student.load_state_dict(state)  # vocab_projector.weight is tied to the word embeddings
    student.train()

    generator = torch.Generator().manual_seed(1234)
    input_ids = torch.randint(5, 200, (BATCH, SEQ), generator=generator)
    attention_mask = torch.zeros(BATCH, SEQ, dtype=torch.long)
    for row, length in enumerate(LENGTHS):
        attention_mask[row, :length] = 1
        input_ids[row, length:] = 0
    lm_labels = torch.full((BATCH, SEQ), -100, dtype=torch.long)
    for row, positions in enumerate([[1, 4, 9, 14], [2, 3, 10], [5]]):
        for position in positions:
            lm_labels[row, position] = int(torch.randint(5, 200, (1,), generator=generator))

    # As the distiller: the student and the teacher see input_ids and attention_mask only.
    s_out = student(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
    with torch.no_grad():
        t_out = teacher(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
    s_logits, s_hidden = s_out.logits, s_out.hidden_states[-1]
    t_logits, t_hidden = t_out.prediction_logits, t_out.hidden_states[-1]
    mask = (lm_labels > -1).unsqueeze(-1).expand_as(s_logits)
    s_slct = torch.masked_select(s_logits, mask).view(-1, s_logits.size(-1))
    t_slct = torch.masked_select(t_logits, mask).view(-1, s_logits.size(-1))
    loss_ce = torch.nn.KLDivLoss(reduction="batchmean")(F.log_softmax(s_slct / T, dim=-1), F.softmax(t_slct / T, dim=-1)) * T ** 2
    loss_mlm = torch.nn.CrossEntropyLoss(ignore_index=-100)(s_logits.view(-1, s_logits.size(-1)), lm_labels.view(-1))
    hidden_mask = attention_mask.unsqueeze(-1).expand_as(s_hidden).bool()
    s_h = torch.masked_select(s_hidden, hidden_mask).view(-1, s_hidden.size(-1))
    t_h = torch.masked_select(t_hidden, hidden_mask).view(-1, s_hidden.size(-1))
    loss_cos = torch.nn.CosineEmbeddingLoss(reduction="mean")(s_h, t_h, s_h.new(s_h.size(0)).fill_(1))
    loss = ALPHA_CE * loss_ce + ALPHA_MLM * loss_mlm + ALPHA_COS * loss_cos
    loss.backward()

    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    teacher.save_pretrained(os.path.join(OUT, "teacher"), safe_serialization=True)
    flat = lm_labels.view(-1)
    positions = torch.nonzero(flat > -1).view(-1)
    tensors = {"input_ids": input_ids, "attention_mask": attention_mask, "masked_positions": positions,
               "masked_labels": flat[positions]}
    for name, parameter in student.named_parameters():
        tensors["student." + name] = f32(parameter)
        tensors["grad." + name] = f32(parameter.grad)
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(OUT, "golden.safetensors"))
    with open(os.path.join(OUT, "golden.json"), "w") as f:
        json.dump({"alpha_ce": ALPHA_CE, "alpha_mlm": ALPHA_MLM, "alpha_cos": ALPHA_COS, "temperature": T,
                   "loss": loss.item(), "loss_ce": loss_ce.item(), "loss_mlm": loss_mlm.item(), "loss_cos": loss_cos.item(),
                   "teacher_layers": TEACHER_LAYERS, "torch": torch.__version__, "transformers": transformers.__version__},
                  f, indent=1)
    print(f"loss {loss.item():.6f} (ce {loss_ce.item():.6f}, mlm {loss_mlm.item():.6f}, cos {loss_cos.item():.6f}) → {OUT}")


if __name__ == "__main__":
    main()
