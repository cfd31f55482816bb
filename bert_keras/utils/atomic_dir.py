"""Writing an output directory so that a failure leaves nothing half-written."""

import contextlib
import os
import shutil
import tempfile
from bert_keras.errors import OutputExistsError


def check_output_dir(out, overwrite=False, hint="use --overwrite / overwrite=True"):
    """Refuses a file, or a non-empty directory unless `overwrite`."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise OutputExistsError(f"{out} exists and is a file, not a directory")
    if os.path.isdir(out) and os.listdir(out) and not overwrite:
        raise OutputExistsError(f"{out} exists and is not empty ({hint})")


@contextlib.contextmanager
def atomic_output_dir(out, overwrite=False, hint="use --overwrite / overwrite=True"):
    """Yields a fresh temporary directory beside `out`; when the block
    completes, it replaces `out` with one rename. On any error, including
    KeyboardInterrupt, the temporary directory is removed and `out` is left
    as it was.

    Example:
    >>> import tempfile
    >>> out = tempfile.mkdtemp() + "/result"
    >>> with atomic_output_dir(out) as tmp:
    ...     open(os.path.join(tmp, "a.txt"), "w").close()
    >>> os.listdir(out)
    ['a.txt']
    """
    out = os.path.abspath(out)
    check_output_dir(out, overwrite, hint)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tmp-" + os.path.basename(out) + "-", dir=parent)
    try:
        # mkdtemp makes a private (0700) directory; outputs are shared files.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        yield tmp
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
