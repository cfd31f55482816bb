"""Line input of `predict` (every task kind): TEXT, '-' (stdin) or
`--input FILE`, read as bytes, one record per line."""

import os

from bert_keras.errors import InputError


def read_input_lines(args):
    """The input lines as bytes (without line endings), or None for TEXT."""
    from bert_keras.cli.stdin_bytes import read_stdin_bytes

    if args.input is not None:
        if args.text is not None:
            raise InputError("give either TEXT or --input FILE, not both")
        if not os.path.isfile(args.input):
            raise InputError(f"{args.input}: no such file")
        with open(args.input, "rb") as f:
            data = f.read()
        source = args.input
    elif args.text == "-":
        if args.text_b is not None:
            raise InputError("with '-' (stdin), give pairs as 'TEXT<TAB>TEXT_B' lines")
        data = read_stdin_bytes()
        source = "stdin"
    elif args.text is None:
        raise InputError("give TEXT, '-' (lines on stdin) or --input FILE")
    else:
        for text in (args.text, args.text_b):
            if text is not None and len(text) < 4096 and os.path.exists(text):
                raise InputError(f"{text!r} is an existing path, not a text; to classify "
                                 f"each line of a file use --input {text}")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data:
        raise InputError(f"{source} is empty: nothing to classify")
    lines = data.split(b"\n")
    if lines[-1] == b"":  # the final newline ends the last line
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]
