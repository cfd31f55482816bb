"""`bert-keras`: one entry point, one module a sub-command.

Each module in `COMMANDS` defines `add_parser(subparsers)` and `run(args)`
and imports its heavy dependencies inside `run`, so `--help` answers
without starting TensorFlow.

What a user can fix (a bad path or file, bad data, a bad flag, a full or
read-only disk, an output that is already there) is printed as one line,
`error: ...`, with exit status 2. Anything else is a bug in bert_keras: its
traceback is printed with a line asking to report it (exit 1). `--debug`
shows the traceback of user errors too.
"""

import argparse
import errno
import importlib
import os
import sys
import traceback
import warnings

from bert_keras.errors import BertKerasError, InputError
from bert_keras.utils.disk_errors import disk_errno

COMMANDS = [
    "bert_keras.cli.convert_command",
    "bert_keras.cli.export_command",
    "bert_keras.cli.pretrain_command",
    "bert_keras.cli.create_pretraining_data_command",
    "bert_keras.cli.fill_mask_command",
    "bert_keras.cli.finetune_command",
    "bert_keras.cli.evaluate_command",
    "bert_keras.cli.predict_command",
    "bert_keras.cli.export_serving_command",
    "bert_keras.cli.models_command",
    "bert_keras.cli.embed_command",
    "bert_keras.cli.export_embedder_command",
]

# Commands raise this for bad flags; kept under its old name for them.
UserError = InputError

# OS conditions the user fixes (space, permissions, paths), not bugs.
USER_ERRNOS = frozenset(
    getattr(errno, name) for name in ("ENOSPC", "EROFS", "EACCES", "EPERM", "ENOENT",
                                      "EEXIST", "ENOTDIR", "EISDIR", "EDQUOT", "ENOTEMPTY")
    if hasattr(errno, name))
BUG_HINT = "this is a bug in bert_keras, please report it (with the traceback above)"


def _version():
    from bert_keras import __version__

    return __version__


def build_parser():
    parser = argparse.ArgumentParser(
        prog="bert-keras",
        description="BERT for Keras 3: convert, export to TF-Hub, pretrain, fine-tune, fill-mask.")
    parser.add_argument("--version", action="version", version=f"bert-keras {_version()}")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress output (results and errors only)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="keep TensorFlow's start-up and C++ log messages")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(name).add_parser(sub)
    return parser


def user_error_message(e):
    """The one-line message for an exception a user can fix, else None."""
    if isinstance(e, BertKerasError):
        return str(e)
    if isinstance(e, OSError) and e.errno in USER_ERRNOS:
        where = " -> ".join(str(f) for f in (e.filename, e.filename2) if f is not None)
        return f"{where}: {e.strerror}" if where else (e.strerror or str(e))
    # TensorFlow and safetensors report a full disk as their own errors.
    code = disk_errno(e)
    if code is not None:
        return f"{os.strerror(code)}: {str(e).strip().splitlines()[0]}"
    return None


def _one_line_warnings(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {message}", file=file or sys.stderr, flush=True)


def main(argv=None):
    args = build_parser().parse_args(argv)
    from bert_keras.utils import progress

    # Settings of this run only (tests call main() many times in one process).
    saved = os.environ.get(progress.QUIET_ENV), warnings.showwarning
    try:
        if args.quiet:
            progress.set_quiet(True)
        if not args.verbose:
            warnings.showwarning = _one_line_warnings
        return _run(args)
    finally:
        if saved[0] is None:
            os.environ.pop(progress.QUIET_ENV, None)
        else:
            os.environ[progress.QUIET_ENV] = saved[0]
        warnings.showwarning = saved[1]


def _run(args):
    from bert_keras.utils.progress import status, stderr_is_terminal
    from bert_keras.utils.quiet_tensorflow import import_tensorflow_quietly, set_log_levels

    set_log_levels(verbose=args.verbose)
    try:
        if not args.verbose and "tensorflow" not in sys.modules:
            if stderr_is_terminal():  # it takes seconds: say why nothing happens yet
                status("starting TensorFlow ...")
            import_tensorflow_quietly()
        result = args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `bert-keras ... | head` closed our stdout: not an error
        # Python's documented idiom: no second error when stdout is flushed at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # noqa: BLE001 (sorted into user errors and bugs below)
        message = user_error_message(e)
        if message is None:
            traceback.print_exc()
            print(f"error: {BUG_HINT}", file=sys.stderr)
            return 1
        if args.debug:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2
    return result or 0


if __name__ == "__main__":
    sys.exit(main())
