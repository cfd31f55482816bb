"""Import TensorFlow without its start-up noise on stderr.

TensorFlow's C++ side prints, while it is imported and before
`TF_CPP_MIN_LOG_LEVEL` applies (absl logs written "before
absl::InitializeLog()"), lines such as

    I0000 ... cudart_stub.cc:31] Could not find cuda drivers on your machine ...
    I0000 ... port.cc:153] oneDNN custom operations are on. ...
    E0000 ... cuda_executor.cc] failed call to cuInit: ...

They are not about anything the user did. `import_tensorflow_quietly()` sets
the log levels, imports TensorFlow (and tf-text, Keras) with file
descriptor 2 pointed at a temporary file, then writes back every line that
is not such a notice: real warnings and errors still reach the user.

    >>> is_startup_noise("I0000 00:00:1796426274.662649   11495 cudart_stub.cc:31] "
    ...                  "Could not find cuda drivers on your machine, GPU will not be used.")
    True
    >>> is_startup_noise("error: data.tsv:3: bad label")
    False
"""

import os
import re
import sys
import tempfile

_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IW]\d{4} [\d:.]+ +\d+ \S+:\d+\]"  # absl INFO/WARNING lines
    r"|E\d{4} .*(cuInit|cuda|CUDA|cuDNN|cuFFT|cuBLAS|TensorRT)"
    r"|To enable the following instructions: .*rebuild TensorFlow)")  # continues an I line


def is_startup_noise(line):
    return bool(_NOISE.match(line))


def set_log_levels(verbose=False):
    """Environment for TensorFlow's C++ logging; must precede its import."""
    if not verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
        os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")  # absl's own C++ logs
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def import_tensorflow_quietly(modules=("tensorflow", "tensorflow_text", "keras")):
    """Imports `modules` with TensorFlow's start-up notices filtered out of
    stderr. A module that fails to import is skipped (the command that needs
    it will say so)."""
    set_log_levels()
    if all(m in sys.modules for m in modules):
        return
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to keep clean
        saved = None
    if saved is None:
        _import_all(modules)
        return
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), 2)
        try:
            _import_all(modules)
            sys.stderr.flush()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", errors="replace")
            kept = [line for line in text.splitlines(keepends=True)
                    if not is_startup_noise(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()
    _quiet_python_loggers()


def _import_all(modules):
    import importlib

    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _quiet_python_loggers():
    import logging

    try:
        from absl import logging as absl_logging

        absl_logging.set_verbosity(absl_logging.ERROR)
    except ImportError:
        pass
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
