"""`bert-keras embed MODEL [--input FILE] [--output OUT.npy|OUT.jsonl]`.

One vector per input line, in input order: a plain text file (one text a
line) or JSONL (`{"text": ...}` a line) in, stdin when no `--input`; a
`.npy` array `[lines, H]` or JSONL (`{"text", "embedding"}`, or the input
object plus `"embedding"`) out, stdout when no `--output`. Blank lines of a
text file are embedded as empty texts (and counted on stderr), never dropped,
so row i is always line i+1.
"""

import os
import sys
import time

from bert_keras.errors import (
    InputError, InputKeyError, InputTypeError, MissingFileError, OutputExistsError)

OUTPUT_KINDS = {".npy": "npy", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}


def add_parser(sub):
    p = sub.add_parser(
        "embed", help="sentence embeddings of texts (one vector per line)",
        description="Embed each line of --input (or stdin) with MODEL as sentence-transformers "
                    "does: masked mean of the token vectors, L2-normalized. Writes a .npy "
                    "array or JSONL, one vector per input line, in order.")
    p.add_argument("model", help="model directory, built-in name or checkpoint")
    p.add_argument("--input", help="text file (one text a line) or .jsonl; default stdin")
    p.add_argument("--output", help="OUT.npy or OUT.jsonl; default JSONL on stdout")
    p.add_argument("--format", choices=["auto", "text", "jsonl"], default="auto",
                   help="input format (auto: jsonl for .jsonl/.ndjson files, else text)")
    p.add_argument("--text-key", default="text", help="JSONL field holding the text")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-seq-length", type=int,
                   help="truncate texts to this many tokens (default: the model's "
                        "sentence-transformers max_seq_length, else 512)")
    p.add_argument("--no-normalize", action="store_true", help="skip the L2 normalization")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --output")
    p.set_defaults(run=run)


def run(args):
    output_kind = _output_kind(args.output)
    if args.output and os.path.exists(args.output) and not args.overwrite:
        raise OutputExistsError(f"{args.output} exists (use --overwrite)")
    if args.batch_size < 1:
        raise InputError(f"--batch-size must be at least 1, got {args.batch_size}")
    texts, records, blank = read_inputs(args.input, args.format, args.text_key)

    from bert_keras.tasks.text_embedder import TextEmbedder

    start = time.time()
    embedder = TextEmbedder.from_pretrained(
        args.model, sequence_length=args.max_seq_length,
        normalize=False if args.no_normalize else None, batch_size=args.batch_size)
    if blank:
        print(f"warning: {len(blank)} blank line(s) embedded as empty text "
              f"(first: {_where(args.input)}:{blank[0]})", file=sys.stderr)
    progress = _Progress(len(texts)) if sys.stderr.isatty() else None
    chunks = embedder.iter_embed(texts, progress=progress)
    if output_kind == "npy":
        _write_npy(args.output, chunks, len(texts), embedder.dimension)
    elif args.output:
        _write_atomically(args.output,
                          _write_text(lambda f: _write_jsonl(f, chunks, texts, records)))
    else:
        _write_jsonl(sys.stdout, chunks, texts, records)
        sys.stdout.flush()
    if progress:
        progress.close()
    seconds = time.time() - start
    print(f"embedded {len(texts)} texts (dimension {embedder.dimension}, "
          f"{'normalized' if embedder.normalize else 'not normalized'}) "
          f"-> {args.output or 'stdout'} in {seconds:.1f}s", file=sys.stderr)


def _output_kind(path):
    if not path:
        return "jsonl"
    ext = os.path.splitext(path)[1].lower()
    if ext not in OUTPUT_KINDS:
        raise InputError(f"--output {path}: use a .npy or .jsonl file name")
    return OUTPUT_KINDS[ext]


def _where(path):
    return path or "<stdin>"


def read_inputs(path, fmt="auto", text_key="text"):
    """(texts, JSONL records or None, 1-based numbers of blank text lines)."""
    import json

    if fmt == "auto":
        fmt = "jsonl" if path and path.lower().endswith((".jsonl", ".ndjson")) else "text"
    if path is None:
        if sys.stdin.isatty():
            print("reading texts from stdin, one a line (end with Ctrl-D)", file=sys.stderr)
        lines = _lines(sys.stdin, "<stdin>")
    else:
        if not os.path.exists(path):
            raise MissingFileError(f"{path} does not exist")
        if os.path.isdir(path):
            raise InputError(f"{path} is a directory, not a text file")
        with open(path, encoding="utf-8", newline=None) as f:
            lines = _lines(f, path)
    where = _where(path)
    if fmt == "text":
        blank = [i for i, line in enumerate(lines, 1) if not line.strip()]
        return lines, None, blank
    texts, records = [], []
    for i, line in enumerate(lines, 1):
        if not line.strip():
            raise InputError(f"{where}:{i}: blank line; JSONL needs one object a line")
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{where}:{i}: not valid JSON ({e.msg})") from None
        if not isinstance(record, dict):
            raise InputTypeError(f"{where}:{i}: expected a JSON object with "
                                 f"{text_key!r}, got {type(record).__name__}")
        if text_key not in record:
            raise InputKeyError(f"{where}:{i}: no {text_key!r} field "
                                f"(fields: {', '.join(record) or 'none'}; see --text-key)")
        if not isinstance(record[text_key], str):
            raise InputTypeError(f"{where}:{i}: {text_key!r} is a "
                                 f"{type(record[text_key]).__name__}, not a string")
        texts.append(record[text_key])
        records.append(record)
    return texts, records, []


def _lines(f, where):
    try:
        # Iterating splits on newlines only (str.splitlines would also split
        # on U+2028 and friends inside a text, shifting every later row).
        return [line[:-1] if line.endswith("\n") else line for line in f]
    except UnicodeDecodeError as e:
        raise InputError(f"{where}: not UTF-8 text ({e.reason} at byte {e.start})") from None


def _write_jsonl(f, chunks, texts, records):
    import json

    i = 0
    for chunk in chunks:
        for vector in chunk:
            record = dict(records[i]) if records is not None else {"text": texts[i]}
            # 9 significant digits round-trip a float32 exactly.
            record["embedding"] = [float(f"{v:.9g}") for v in vector.tolist()]
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            i += 1


def _write_npy(path, chunks, rows, dimension):
    import numpy as np

    def write(tmp):
        if rows == 0:  # a zero-size file cannot be memory-mapped
            np.save(tmp, np.zeros((0, dimension), np.float32), allow_pickle=False)
            return
        # Written chunk by chunk through a memory map: the vectors never
        # have to fit in memory at once.
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32,
                                        shape=(rows, dimension))
        start = 0
        for chunk in chunks:
            out[start:start + len(chunk)] = chunk
            start += len(chunk)
        out.flush()
        del out

    _write_atomically(path, write)


def _write_atomically(path, write):
    """`write(tmp_path)` writes a temporary file beside `path`, renamed onto
    it only when complete: a failure or Ctrl-C leaves nothing behind."""
    import tempfile

    path = os.path.abspath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".",
                               dir=os.path.dirname(path))
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp files are private
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _write_text(write):
    """A `_write_atomically` writer of UTF-8 text through `write(file)`."""
    def to_path(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            write(f)
    return to_path


class _Progress:
    """`embedding 320/1000 (32%)` on one stderr line (only on a terminal)."""

    def __init__(self, total):
        self.total = total

    def __call__(self, done):
        pct = 100 * done // max(self.total, 1)
        print(f"\rembedding {done}/{self.total} ({pct}%)", end="", file=sys.stderr, flush=True)

    def close(self):
        print(file=sys.stderr)
