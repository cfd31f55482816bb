"""`bert-keras`: one entry point, one module a sub-command.

Each module in `COMMANDS` defines `add_parser(subparsers)` and `run(args)`
and imports its heavy dependencies inside `run`, so `--help` stays fast.
Errors users can fix (bad paths, bad data, bad flags) are printed as one
line, `error: ...`, with exit status 2; `--debug` shows the traceback.
"""

import argparse
import importlib
import os
import sys

from bert_keras.errors import BertKerasError, InputError

COMMANDS = [
    "bert_keras.cli.convert_command",
    "bert_keras.cli.export_command",
    "bert_keras.cli.pretrain_command",
    "bert_keras.cli.create_pretraining_data_command",
    "bert_keras.cli.fill_mask_command",
    "bert_keras.cli.finetune_command",
    "bert_keras.cli.evaluate_command",
    "bert_keras.cli.predict_command",
    "bert_keras.cli.export_classifier_command",
    "bert_keras.cli.embed_command",
    "bert_keras.cli.export_embedder_command",
]


# Commands raise this for bad flags; kept under its old name for them.
UserError = InputError


def build_parser():
    parser = argparse.ArgumentParser(
        prog="bert-keras",
        description="BERT for Keras 3: convert, export to TF-Hub, pretrain, fine-tune, fill-mask.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (BertKerasError, FileNotFoundError, FileExistsError, PermissionError,
            IsADirectoryError, NotADirectoryError) as e:
        # Only errors a user can fix are one line; a bug keeps its traceback.
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return 2
    return result or 0


if __name__ == "__main__":
    sys.exit(main())
