"""One writer at a time per output path: an advisory lock file beside it.

`output_lock(out)` holds `.OUT.lock` (an `flock`, released by the kernel when
the process dies, so a killed run never leaves a stale lock behind) while a
command writes OUT. A second command writing the same OUT fails at once with
`OutputExistsError` naming the process that holds it, instead of both
"succeeding" and one result silently replacing the other.

    >>> import tempfile
    >>> out = tempfile.mkdtemp() + "/model"
    >>> with output_lock(out):
    ...     with output_lock(out):
    ...         pass
    Traceback (most recent call last):
    ...
    bert_keras.errors.OutputExistsError: another bert_keras process (pid ...) is writing .../model right now
"""

import contextlib
import os

from bert_keras.errors import OutputExistsError

try:
    import fcntl
except ImportError:  # not POSIX: no lock, the no-replace rename still guards OUT
    fcntl = None


def lock_path(out):
    out = os.path.abspath(out)
    return os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".lock")


@contextlib.contextmanager
def output_lock(out):
    """Holds the lock of `out` for the block; raises `OutputExistsError` if
    another process (or another block of this one) holds it."""
    if fcntl is None:
        yield
        return
    path = lock_path(out)
    fd = _acquire(path, out)
    try:
        yield
    finally:
        # Unlink before unlocking: whoever opened the old file re-checks
        # that the file it locked is still the one at `path`.
        try:
            os.unlink(path)
        except OSError:
            pass
        os.close(fd)


def _acquire(path, out):
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise OutputExistsError(f"another bert_keras process (pid {holder}) is writing "
                                    f"{os.path.abspath(out)} right now") from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            return fd
        os.close(fd)  # the holder removed it between our open and lock: retry
