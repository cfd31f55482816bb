"""A test hook: kill this process at a named moment, as a power cut would.

Tests set `BERT_KERAS_TEST_CRASH_AT=before_publish` (or another point name)
and run a command in a subprocess; when it reaches `crash_point("before_publish")`
it dies with SIGKILL: no `finally`, no `except`, no clean-up. That is how the
debris of killed runs is reproduced without sleeping and guessing.

    >>> crash_point("nowhere")  # unset or another name: does nothing
"""

import os
import signal

ENV = "BERT_KERAS_TEST_CRASH_AT"


def crash_point(name):
    """SIGKILLs the process if `BERT_KERAS_TEST_CRASH_AT` names this point."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
