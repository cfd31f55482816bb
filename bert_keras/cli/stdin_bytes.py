"""Standard input as bytes, whatever it is.

Commands read stdin as bytes so a stray non-UTF-8 byte reaches the tokenizer
(whose text cleaning drops it, as in the Python API) instead of failing the
whole batch. A replaced `sys.stdin` without a byte buffer (`io.StringIO` in
tests, some embedding hosts) is read as text and encoded back.

    >>> import io, sys
    >>> sys.stdin, saved = io.StringIO("a\\nb\\n"), sys.stdin
    >>> read_stdin_bytes()
    b'a\\nb\\n'
    >>> sys.stdin = saved
"""

import sys


def read_stdin_bytes():
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer.read()
    return sys.stdin.read().encode("utf-8", "surrogateescape")
