"""`bert-keras models`: the zoo of named configurations."""


def add_parser(sub):
    p = sub.add_parser(
        "models", help="list the named model configurations (the zoo)",
        description="List every named configuration: shape, parameter count, "
                    "tokenizer and where its public checkpoint is published. "
                    "Convert a downloaded one with `bert-keras convert NAME OUT --from DIR`.")
    p.set_defaults(run=run)


def run(args):
    from bert_keras.checkpoints.zoo import ZOO, parameter_count

    print(f"{'name':<24} {'type':<8} {'L':>3} {'H':>5} {'A':>3} {'E':>5} {'params':>8}  "
          "tokenizer / published")
    for name, entry in ZOO.items():
        c = entry.config
        print(f"{name:<24} {c.model_type:<8} {c.num_layers:>3} {c.hidden_size:>5} "
              f"{c.num_heads:>3} {c.embedding_dim:>5} {parameter_count(c) / 1e6:>7.1f}M  "
              f"{entry.tokenizer}")
        print(f"{'':<24} {entry.published}")
