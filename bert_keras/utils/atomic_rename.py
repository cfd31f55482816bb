"""Renames that never clobber by accident: Linux `renameat2` flags via ctypes.

`os.rename` silently replaces an existing file or empty directory at the
destination. `rename_noreplace` fails with `FileExistsError` instead, in the
same system call (no check-then-act window), and `rename_exchange` swaps two
paths in one step, so a replaced output is never missing for a moment.

Where `renameat2` is not available (not Linux, old libc, a file system that
refuses the flags), `rename_noreplace` claims the destination with
`os.mkdir` (which fails if anything is there) and renames onto that empty
directory; `rename_exchange` raises `NotImplementedError` and callers move
the old content aside first.

    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> os.mkdir(os.path.join(d, "a")); os.mkdir(os.path.join(d, "b"))
    >>> rename_noreplace(os.path.join(d, "a"), os.path.join(d, "b"))
    Traceback (most recent call last):
    ...
    FileExistsError: [Errno 17] File exists: ...
"""

import ctypes
import errno
import os

AT_FDCWD = -100
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2

_libc = None


def _renameat2():
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
        except OSError:
            _libc = False
    return getattr(_libc, "renameat2", None) if _libc else None


def _call_renameat2(src, dst, flags):
    """True when done; False when renameat2 or the flag is unsupported here."""
    fn = _renameat2()
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                   ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), dst if code == errno.EEXIST else src)


def rename_noreplace(src, dst):
    """Renames `src` to `dst`; `FileExistsError` if `dst` exists (even empty)."""
    if _call_renameat2(src, dst, RENAME_NOREPLACE):
        return
    os.mkdir(dst)  # the claim: FileExistsError if anything is there
    try:
        os.rename(src, dst)  # onto our own empty directory
    except BaseException:
        try:
            os.rmdir(dst)
        except OSError:
            pass
        raise


def rename_exchange(a, b):
    """Swaps the paths `a` and `b` atomically (both must exist)."""
    if not _call_renameat2(a, b, RENAME_EXCHANGE):
        raise NotImplementedError("renameat2(RENAME_EXCHANGE) is not available here")
