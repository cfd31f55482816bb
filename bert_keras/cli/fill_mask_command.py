"""`bert-keras fill-mask MODEL TEXT... [--top-k 5] [--json]`."""

import json
import sys


def add_parser(sub):
    p = sub.add_parser(
        "fill-mask", help="predict the tokens behind [MASK]",
        description="Print the most likely tokens for each [MASK] in the texts, with "
                    "a model that has a masked-LM head (a converted Google checkpoint, "
                    "a Hugging Face BertForMaskedLM, or a model from `bert-keras pretrain`). "
                    "With --json, input may be the hosted-endpoint shape "
                    '{"input_data": ["... [MASK] ..."]} (as the argument or on stdin) and '
                    "the output is a JSON list: per text, per [MASK], the top tokens.")
    p.add_argument("model", help="model directory, checkpoint or built-in name")
    p.add_argument("texts", nargs="*", metavar="TEXT",
                   help='text with [MASK], e.g. "Paris is the [MASK] of France." '
                        "(right after MODEL, before the options)")
    p.add_argument("--top-k", type=int, default=5, help="candidates per mask (default 5)")
    p.add_argument("--json", action="store_true",
                   help="JSON in ({\"input_data\": [...]}, argument or stdin) and out")
    p.add_argument("--scores", action="store_true",
                   help="with --json: objects {token, score} instead of plain tokens")
    p.set_defaults(run=run)


def _json_texts(args):
    """Texts from the arguments or stdin: plain strings, or the endpoint
    shape {"input_data": [...]} (a string or a list of strings)."""
    from bert_keras.cli.main import UserError

    raw = list(args.texts)
    if not raw:
        if sys.stdin.isatty():
            raise UserError('no input: give TEXT or pipe {"input_data": [...]} on stdin')
        # Bytes that are not UTF-8 survive as surrogates, and are turned
        # back into the original bytes below (see `_as_bytes`).
        from bert_keras.cli.stdin_bytes import read_stdin_bytes

        raw = [read_stdin_bytes().decode("utf-8", "surrogateescape")]
        if not raw[0].strip():
            raise UserError('empty input on stdin: expected {"input_data": ["... [MASK] ..."]}')
    texts = []
    for item in raw:
        stripped = item.strip()
        if stripped.startswith("{"):
            try:
                payload = json.loads(stripped)
            except json.JSONDecodeError as e:
                source = "stdin" if not args.texts else "the TEXT argument"
                raise UserError(f"{source}: line {e.lineno} column {e.colno}: not valid "
                                f"JSON ({e.msg})") from None
            if not isinstance(payload, dict) or "input_data" not in payload:
                raise UserError('JSON input must be {"input_data": ["... [MASK] ..."]}')
            data = payload["input_data"]
            data = [data] if isinstance(data, str) else data
            if not isinstance(data, list) or not all(isinstance(t, str) for t in data):
                raise UserError('"input_data" must be a string or a list of strings')
            texts += data
        else:
            texts.append(item)
    return [_as_bytes(t) for t in texts]


def _as_bytes(text):
    """A text as UTF-8 bytes, with invalid input bytes (surrogate-escaped in
    argv and stdin) restored, so they are tokenized (dropped by text cleaning) as the Python
    API does instead of failing the whole batch."""
    return text.encode("utf-8", "surrogateescape")


def run(args):
    from bert_keras.cli.main import UserError

    if args.top_k < 1:
        raise UserError("--top-k must be at least 1")
    texts = _json_texts(args) if args.json else [_as_bytes(t) for t in args.texts]
    if not texts:
        raise UserError("give at least one TEXT containing [MASK]")
    from bert_keras.cli.json_output import print_json
    from bert_keras.tasks.fill_mask import FillMask

    results = FillMask(args.model).fill_mask(texts, top_k=args.top_k)
    if args.json:
        if args.scores:
            out = [[[{"token": c["token"], "score": round(c["score"], 6)} for c in mask]
                    for mask in per_text] for per_text in results]
        else:
            out = [[[c["token"] for c in mask] for mask in per_text] for per_text in results]
        print_json(out, ensure_ascii=False)
        return 0
    for text, per_text in zip(texts, results):
        print(text.decode("utf-8", "replace"))
        for j, mask in enumerate(per_text, start=1):
            cands = ", ".join(f"{c['token']} ({c['score']:.3f})" for c in mask)
            print(f"  [MASK] {j}: {cands}")
    return 0
