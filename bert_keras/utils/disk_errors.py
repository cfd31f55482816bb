"""Recognising a full, read-only or forbidden disk behind any library's error.

Python raises `OSError(ENOSPC)`, but TensorFlow raises its own
`ResourceExhaustedError`/`UnknownError` ("...; No space left on device")
and safetensors a `SafetensorError` ("I/O error: ... (os error 28)"). These
are conditions the user fixes, not bugs: `disk_errno` finds the errno in
all three, so writers and the CLI report them as one line.

    >>> import errno
    >>> disk_errno(OSError(errno.ENOSPC, "No space left on device"))
    28
    >>> disk_errno(ValueError("No space left on device"))  # not a library's I/O error
    >>> import safetensors
    >>> disk_errno(safetensors.SafetensorError("I/O error: Read-only file system (os error 30)"))
    30
"""

import errno
import os
import re

DISK_ERRNOS = tuple(getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EROFS", "EACCES")
                    if hasattr(errno, name))
LIBRARIES = ("tensorflow", "safetensors", "h5py", "keras")
_OS_ERROR = re.compile(r"\(os error (\d+)\)")


def disk_errno(e):
    """The errno of a full/read-only/forbidden disk behind `e`, else None."""
    if isinstance(e, OSError):
        return e.errno if e.errno in DISK_ERRNOS else None
    if not (type(e).__module__ or "").startswith(LIBRARIES):
        return None  # a message of ours or a bug, not an I/O failure
    text = str(e)
    for match in _OS_ERROR.finditer(text):
        if int(match.group(1)) in DISK_ERRNOS:
            return int(match.group(1))
    for code in DISK_ERRNOS:
        if os.strerror(code) in text:
            return code
    return None


def as_os_error(e, path):
    """`e` as an `OSError` of its disk errno naming `path` (None if `e` is
    not a disk error)."""
    code = disk_errno(e)
    if code is None:
        return None
    return OSError(code, f"{os.strerror(code)} (nothing was written)", path)
