#!/usr/bin/env python3
"""The PyTorch + transformers side of `ernie bench train --model_type …`: tokens/s of full training steps (forward,
backward, clip at 1, AdamW) on random data, the same shapes and objective as ernie's benchmark: MLM at 15% of the
positions with the decoder on the masked positions only, plus the pair head where the family has one, dropout 0.1
(NEZHA needs transformers < 5: run it with the 4.40 venv of tools/family_goldens.py).

    python tools/bench_torch_train.py --model_type roberta --layers 4 --hidden 256 --heads 4 --batch 32 --seq 128 \
        [--vocab 21128] [--steps 5] [--dtype fp32|bf16] [--threads 2]

Prints one JSON line like `ernie bench train --json`. Run it alternating with ernie's (the machine is noisy).
"""
import argparse
import json
import statistics
import time

import torch
import transformers

FAMILIES = {  # model_type → (config class, pretraining class, encoder attribute, MLM head, pair head or None)
    "bert": ("BertConfig", "BertForPreTraining", "bert", "cls.predictions", "cls.seq_relationship"),
    "ernie": ("ErnieConfig", "ErnieForPreTraining", "ernie", "cls.predictions", "cls.seq_relationship"),
    "nezha": ("NezhaConfig", "NezhaForPreTraining", "nezha", "cls.predictions", "cls.seq_relationship"),  # transformers < 5
    "roberta": ("RobertaConfig", "RobertaForMaskedLM", "roberta", "lm_head", None),
    "albert": ("AlbertConfig", "AlbertForPreTraining", "albert", "predictions", "sop_classifier"),
    "distilbert": ("DistilBertConfig", "DistilBertForMaskedLM", "distilbert", None, None),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model_type", default="ernie", choices=sorted(FAMILIES))
    for name, default in [("layers", 12), ("hidden", 768), ("heads", 12), ("vocab", 21128), ("seq", 128), ("batch", 16),
                          ("steps", 5), ("threads", 2)]:
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "bf16"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    config_class, model_class, encoder_name, head_name, pair_name = FAMILIES[args.model_type]
    pairs = pair_name is not None
    values = dict(vocab_size=args.vocab, hidden_size=args.hidden, num_hidden_layers=args.layers,
                  num_attention_heads=args.heads, intermediate_size=4 * args.hidden,
                  max_position_embeddings=max(512, args.seq))
    if args.model_type == "roberta":
        values.update(type_vocab_size=1, pad_token_id=1, max_position_embeddings=max(512, args.seq) + 2)
    if args.model_type == "albert":
        values.update(embedding_size=128, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    if args.model_type == "distilbert":
        values = dict(vocab_size=args.vocab, dim=args.hidden, n_layers=args.layers, n_heads=args.heads,
                      hidden_dim=4 * args.hidden, max_position_embeddings=max(512, args.seq))
    model = getattr(transformers, model_class)(getattr(transformers, config_class)(**values)).train()
    encoder = getattr(model, encoder_name)

    def module(path):
        target = model
        for part in path.split("."):
            target = getattr(target, part)
        return target

    if args.model_type == "distilbert":  # DistilBertForMaskedLM's head is three modules
        def mlm(hidden):
            return model.vocab_projector(model.vocab_layer_norm(model.activation(model.vocab_transform(hidden))))
    else:
        mlm = module(head_name)
    pair = module(pair_name) if pairs else None
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    generator = torch.Generator().manual_seed(2)
    ids = torch.randint(5, args.vocab, (args.batch, args.seq), generator=generator)
    types = (torch.arange(args.seq) >= args.seq // 2).long().expand(args.batch, args.seq) if pairs else None
    masked = (torch.rand(args.batch * args.seq, generator=generator) < 0.15).nonzero().squeeze(1)
    labels = torch.randint(5, args.vocab, (masked.numel(),), generator=generator)
    pair_labels = torch.randint(0, 2, (args.batch,), generator=generator)

    def step():
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.dtype == "bf16"):
            out = encoder(input_ids=ids, token_type_ids=types) if types is not None else encoder(input_ids=ids)
            hidden = out.last_hidden_state.reshape(-1, args.hidden)[masked]
            loss = torch.nn.functional.cross_entropy(mlm(hidden).float(), labels)
            if pairs:
                loss = loss + torch.nn.functional.cross_entropy(pair(out.pooler_output).float(), pair_labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()

    step()
    step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        loss = step()
        times.append(time.perf_counter() - start)
    per_step = statistics.median(times)
    tokens = args.batch * args.seq / per_step
    print(json.dumps({"bench": "train", "side": "pytorch", "torch": torch.__version__, "transformers": transformers.__version__,
                      "model_type": args.model_type, "layers": args.layers, "hidden": args.hidden, "heads": args.heads,
                      "vocab": args.vocab, "seq": args.seq, "batch": args.batch, "dtype": args.dtype,
                      "threads": args.threads, "tokens_per_s": tokens, "step_s": per_step, "loss": loss}))


if __name__ == "__main__":
    main()
