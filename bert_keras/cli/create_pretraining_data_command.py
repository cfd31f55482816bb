"""`bert-keras create-pretraining-data --corpus FILE... --vocab FILE --out DIR`."""


def add_parser(sub):
    p = sub.add_parser(
        "create-pretraining-data", help="write masked-LM (+NSP/SOP) examples to TFRecord shards",
        description="Make pretraining examples for the model family of --config from plain "
                    "text and write them to TFRecord shards that `bert-keras pretrain "
                    "--corpus DIR` reads: BERT sentence pairs with next-sentence labels, "
                    "ALBERT pairs with sentence-order labels, RoBERTa full-sentence blocks; "
                    "15%% of the tokens masked (fixed in the shards: static masking).")
    p.add_argument("--corpus", nargs="+", required=True, metavar="FILE",
                   help="text files, globs or directories")
    p.add_argument("--out", required=True, help="output directory for the shards")
    vocab = p.add_mutually_exclusive_group(required=True)
    vocab.add_argument("--vocab", help="vocab.txt, a SentencePiece .model (ALBERT), a BPE "
                       "vocab.json with merges.txt beside it (RoBERTa), or a directory "
                       "holding them (a model directory: its tokenizer)")
    vocab.add_argument("--vocab-size", type=int, help="train a WordPiece vocabulary of this size "
                       "(written to OUT/vocab.txt)")
    p.add_argument("--config", default="tiny",
                   help="the model the shards are for: a preset or zoo name (albert_base, "
                        "roberta_base, ...) or a config JSON; its family picks the "
                        "objective (default tiny: BERT)")
    case = p.add_mutually_exclusive_group()
    case.add_argument("--lowercase", dest="lowercase", action="store_true", default=True)
    case.add_argument("--cased", dest="lowercase", action="store_false")
    p.add_argument("--format", default="auto", choices=["auto", "bert", "file", "wikitext"],
                   help="corpus layout: bert = one sentence a line, blank line between "
                        "documents; file = one document per file; wikitext")
    p.add_argument("--seq-length", type=int, default=128)
    p.add_argument("--max-predictions-per-seq", type=int, default=20)
    p.add_argument("--masked-lm-prob", type=float, default=0.15)
    p.add_argument("--short-seq-prob", type=float, default=0.1)
    p.add_argument("--dupe-factor", type=int, default=1,
                   help="passes over the corpus, each masked differently")
    p.add_argument("--whole-word-masking", action="store_true")
    p.add_argument("--num-shards", type=int, default=1)
    p.add_argument("--seed", type=int, default=12345)
    p.set_defaults(run=run)


def run(args):
    import os
    import tempfile

    from bert_keras.cli.main import UserError
    from bert_keras.data import pretraining as data
    from bert_keras.tasks.objectives import objective_for
    from bert_keras.training.pretrain import read_config
    from bert_keras.training.pretrain_tokenizer import prepare_tokenizer
    from bert_keras.utils.atomic_dir import check_output_dir
    from bert_keras.utils.progress import Progress, status

    if args.num_shards < 1 or args.dupe_factor < 1:
        raise UserError("--num-shards and --dupe-factor must be at least 1")
    if not 0 < args.masked_lm_prob < 1:
        raise UserError("--masked-lm-prob must be between 0 and 1")
    model_type = read_config(args.config).model_type
    objective = objective_for(model_type)  # ELECTRA: a clear refusal
    check_output_dir(args.out, hint="choose a new directory")  # before the slow work
    status(f"reading the corpus: {' '.join(args.corpus)}")
    documents = data.read_documents(args.corpus, args.format)
    status(f"corpus: {len(documents)} documents, {sum(map(len, documents))} sentences")
    lowercase = args.lowercase
    vocab = args.vocab
    if vocab and os.path.isdir(vocab):
        from bert_keras.checkpoints.model_dir import is_model_dir

        if is_model_dir(vocab):
            from bert_keras.checkpoints.convert import load_model_dir

            vocab = load_model_dir(vocab)
            lowercase = vocab.tokenizer.lowercase
    with tempfile.TemporaryDirectory() as staging:
        run_tokenizer = prepare_tokenizer(model_type, documents, vocab, args.vocab_size,
                                          lowercase, staging, status)
        tokens = run_tokenizer.tokens
        status(f"vocabulary: {len(tokens)} tokens; making {objective.name} examples")
        with Progress("writing examples", unit="examples") as bar:
            shards, count = data.write_tfrecords(
                documents, run_tokenizer.tokenizer, args.out, num_shards=args.num_shards,
                seq_length=args.seq_length,
                max_predictions_per_seq=args.max_predictions_per_seq,
                masked_lm_prob=args.masked_lm_prob, short_seq_prob=args.short_seq_prob,
                whole_word_masking=args.whole_word_masking, dupe_factor=args.dupe_factor,
                seed=args.seed, progress=lambda done, total: bar.set(done, total),
                sentence_task=objective.sentence_task, model_type=model_type,
                tokenizer_settings=run_tokenizer.settings.to_dict(),
                tokenizer_files=run_tokenizer.files)
    # write_tfrecords wrote the tokenizer files with the shards, in one publish.
    files = sorted(run_tokenizer.files) or ["vocab.txt"]
    print(f"wrote {count} examples in {len(shards)} shard(s) to {args.out} "
          f"(seq_length={args.seq_length}, vocab {len(tokens)} tokens: "
          f"{', '.join(os.path.join(args.out, f) for f in files)})")
    return 0
