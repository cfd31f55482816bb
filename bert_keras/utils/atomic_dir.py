"""Writing an output directory: complete or not at all, never over what we
did not write.

Every command that writes a directory (`convert`, `export`,
`export-classifier`, the end of `pretrain`, `finetune`'s saves) goes through
`atomic_output_dir`:

1. OUT must be absent, an empty directory, or (with `overwrite`) anything
   but a file; checked first, before any slow work.
2. The lock `.OUT.lock` is taken (one writer per OUT); debris of killed runs
   (`.OUT.tmp-*`, `.OUT.old-*` beside OUT) is removed.
3. The caller writes into `.OUT.tmp-<pid>-<random>` beside OUT.
4. Files get ordinary umask permissions, then the staged directory is
   published in one rename. Without `overwrite` that rename never replaces
   anything but an empty directory: if OUT appeared or changed meanwhile, it
   is left untouched and the staged result removed (`OutputExistsError`).
   With `overwrite` the new and old directories are swapped atomically and
   the old one is deleted only after the new one is in place.

On any error, including KeyboardInterrupt, the staged directory is removed
and OUT is left as it was; a full or read-only disk (whichever library
reports it) becomes an `OSError` naming OUT.

    >>> import tempfile
    >>> out = tempfile.mkdtemp() + "/result"
    >>> with atomic_output_dir(out) as tmp:
    ...     open(os.path.join(tmp, "a.txt"), "w").close()
    >>> os.listdir(out)
    ['a.txt']
"""

import contextlib
import errno
import os
import re
import shutil
import tempfile

from bert_keras.errors import OutputExistsError
from bert_keras.utils.atomic_rename import rename_exchange, rename_noreplace
from bert_keras.utils.crash_hook import crash_point
from bert_keras.utils.disk_errors import as_os_error
from bert_keras.utils.output_lock import output_lock

HINT = "use --overwrite / overwrite=True"


def check_output_dir(out, overwrite=False, hint=HINT):
    """Refuses a file, or a non-empty directory unless `overwrite`."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise OutputExistsError(f"{out} exists and is a file, not a directory")
    if os.path.isdir(out) and os.listdir(out) and not overwrite:
        raise OutputExistsError(f"{out} exists and is not empty ({hint})")


def staging_prefix(out, kind="tmp"):
    """`.OUT.tmp-`: the names of directories staged (or set aside) for OUT."""
    return "." + os.path.basename(os.path.abspath(out)) + "." + kind + "-"


@contextlib.contextmanager
def atomic_output_dir(out, overwrite=False, hint=HINT):
    """Yields a fresh directory beside `out`, published as `out` when the
    block completes (see the module docstring)."""
    out = os.path.abspath(out)
    check_output_dir(out, overwrite, hint)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    with output_lock(out):
        remove_debris(out)
        tmp = tempfile.mkdtemp(prefix=f"{staging_prefix(out)}{os.getpid()}-", dir=parent)
        try:
            yield tmp
            crash_point("before_publish")
            apply_umask(tmp)
            _publish(tmp, out, overwrite, hint)
        except BaseException as e:
            _remove(tmp)
            # A full or read-only disk, whichever library hit it: say so
            # about OUT, not about a file inside the removed staging dir.
            disk_error = as_os_error(e, out) if isinstance(e, Exception) else None
            if disk_error is not None:
                raise disk_error from e
            raise


def remove_debris(out):
    """Removes what killed writers of `out` left beside it. Call with the
    lock of `out` held: then nobody else is writing OUT, so every staged
    directory of OUT is debris, whatever its pid."""
    out = os.path.abspath(out)
    parent = os.path.dirname(out)
    name = re.escape(os.path.basename(out))
    # `.OUT.tmp-<pid>-<mkdtemp suffix>`, and `.tmp-OUT-<suffix>` of older releases.
    debris = re.compile(rf"^(\.{name}\.(tmp|old|save)-\d+-|\.tmp-{name}-)[a-z0-9_]{{8}}$")
    try:
        entries = os.listdir(parent)
    except FileNotFoundError:
        return
    for entry in entries:
        if debris.match(entry):
            _remove(os.path.join(parent, entry))


def apply_umask(root):
    """Gives every file and directory under `root` (and `root`) at least the
    permissions the umask grants: `mkdtemp` makes 0700 directories, and
    writers such as safetensors' (a temporary file renamed into place)
    make 0600 files, which other users of a shared model could not read."""
    umask = os.umask(0)
    os.umask(umask)
    file_mode, dir_mode = 0o666 & ~umask, 0o777 & ~umask
    os.chmod(root, os.stat(root).st_mode & 0o7777 | dir_mode)
    for d, dirs, files in os.walk(root):
        for name in dirs:
            path = os.path.join(d, name)
            os.chmod(path, os.stat(path).st_mode & 0o7777 | dir_mode)
        for name in files:
            path = os.path.join(d, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode & 0o7777 | file_mode)


def _publish(tmp, out, overwrite, hint):
    try:
        rename_noreplace(tmp, out)
        return
    except FileExistsError:
        pass
    if not overwrite:
        if not (os.path.isdir(out) and not os.path.islink(out) and not os.listdir(out)):
            raise OutputExistsError(
                f"{out} appeared or changed while this command was writing it; it was "
                f"left untouched and the new result discarded ({hint})")
        try:
            os.rename(tmp, out)  # replaces an empty directory only, atomically
        except OSError as e:
            if e.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise OutputExistsError(
                    f"{out} changed while this command was writing it; it was left "
                    f"untouched and the new result discarded ({hint})") from None
            raise
        return
    try:
        rename_exchange(tmp, out)  # `tmp` now holds the old content
        _remove(tmp)
    except NotImplementedError:
        aside = tempfile.mkdtemp(prefix=f"{staging_prefix(out, 'old')}{os.getpid()}-",
                                 dir=os.path.dirname(out))
        os.rename(out, os.path.join(aside, "old"))
        os.rename(tmp, out)
        _remove(aside)


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass
