"""Writes tests/fixtures/golden_<family>.npz: tiny random-init Hugging Face
ALBERT, ELECTRA and RoBERTa models (created by transformers itself), their
weights (HF names) and config, fixed inputs, and their PyTorch outputs, so
the family parity tests check numbers without torch.

    pip install torch==2.13.0 transformers
    python scripts/make_golden_families.py
"""

import json
import os

import numpy as np
import torch
import transformers

V, H, E, I, L, A, P = 99, 32, 16, 64, 2, 4, 40
COMMON = dict(vocab_size=V, hidden_size=H, num_hidden_layers=L, num_attention_heads=A,
              intermediate_size=I, max_position_embeddings=P, hidden_dropout_prob=0.0,
              attention_probs_dropout_prob=0.0)
FAMILIES = {
    "albert": (transformers.AlbertConfig, transformers.AlbertModel,
               dict(COMMON, embedding_size=E, hidden_act="gelu_new", pad_token_id=0)),
    # 4 layers over 2 groups of 2 blocks: layer i runs group i // 2.
    "albert_groups": (transformers.AlbertConfig, transformers.AlbertModel,
                      dict(COMMON, embedding_size=E, hidden_act="gelu_new", pad_token_id=0,
                           num_hidden_layers=4, num_hidden_groups=2, inner_group_num=2)),
    "electra": (transformers.ElectraConfig, transformers.ElectraModel,
                dict(COMMON, embedding_size=E, hidden_act="gelu", pad_token_id=0)),
    "roberta": (transformers.RobertaConfig, transformers.RobertaModel,
                dict(COMMON, max_position_embeddings=P + 2, type_vocab_size=1,
                     pad_token_id=1, bos_token_id=0, eos_token_id=2, layer_norm_eps=1e-5)),
}


def perturb(model, seed):
    """HF's init (N(0, 0.02), LayerNorm 1/0) makes outputs nearly
    independent of most weights; spread them so every tensor matters at 1e-5."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if "LayerNorm" in name or "layer_norm" in name:
                p.copy_((1.0 + 0.2 * noise) if name.endswith("weight") else 0.1 * noise)
            elif name.endswith("bias"):
                p.copy_(0.1 * noise)
            elif "embeddings" in name:
                p.copy_(0.2 * noise)
            else:
                p.copy_(noise / np.sqrt(p.shape[-1]))


def inputs(pad_id, with_segments):
    rng = np.random.default_rng(7)
    ids = rng.integers(3, V, (2, 12)).astype(np.int64)
    ids[:, 0] = 2 if pad_id == 0 else 0  # [CLS] / <s>
    mask = np.ones((2, 12), np.int64)
    mask[1, 8:] = 0
    ids[mask == 0] = pad_id
    segments = ((np.arange(12) >= 6) & (mask == 1)).astype(np.int64) if with_segments \
        else np.zeros((2, 12), np.int64)
    return ids, segments, mask


def main():
    out_dir = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures")
    for seed, (family, (config_cls, model_cls, kwargs)) in enumerate(FAMILIES.items()):
        torch.manual_seed(seed)
        config = config_cls(**kwargs)
        model = model_cls(config).eval()
        perturb(model, seed)
        ids, segments, mask = inputs(config.pad_token_id, family != "roberta")
        with torch.no_grad():
            o = model(input_ids=torch.tensor(ids), token_type_ids=torch.tensor(segments),
                      attention_mask=torch.tensor(mask))
        seq = o.last_hidden_state.numpy()
        # ELECTRA has no pooler: bert_keras defines pooled_output = [CLS] state.
        pooled = o.pooler_output.numpy() if getattr(o, "pooler_output", None) is not None \
            else seq[:, 0]
        state = {f"weight:{k}": v.numpy() for k, v in model.state_dict().items()
                 if not k.endswith(("position_ids", "token_type_ids"))}
        target = os.path.join(out_dir, f"golden_{family}.npz")
        np.savez_compressed(
            target, config=np.array(json.dumps(config.to_dict())), input_ids=ids.astype(np.int32),
            token_type_ids=segments.astype(np.int32), attention_mask=mask.astype(np.int32),
            sequence_output=seq, pooled_output=pooled, **state)
        print(f"wrote {os.path.abspath(target)} ({os.path.getsize(target)} bytes)")


if __name__ == "__main__":
    main()
