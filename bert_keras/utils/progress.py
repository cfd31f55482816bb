"""Progress on stderr, the same way in every command.

* `Steps`: numbered lines for the phases of a long job ("[2] writing the
  encoder ..."), each with the seconds it took.
* `Progress`: a counter. A tqdm bar when stderr is a terminal; otherwise one
  plain line every `interval` seconds (logs and CI stay readable).

Both print nothing when quiet: `set_quiet(True)` (the CLI's `--quiet`), or
`BERT_KERAS_QUIET=1` in the environment, which child processes inherit.
stdout stays for results.

    >>> steps = Steps(verbose=False)
    >>> steps.step("reading model")
    >>> with Progress("examples", total=3, verbose=False) as bar:
    ...     bar.update(3)
    >>> bar.count
    3
"""

import os
import sys
import time

QUIET_ENV = "BERT_KERAS_QUIET"


def set_quiet(quiet=True):
    """Silences (or restores) progress output of this process and its children."""
    if quiet:
        os.environ[QUIET_ENV] = "1"
    else:
        os.environ.pop(QUIET_ENV, None)


def is_quiet():
    return os.environ.get(QUIET_ENV, "") not in ("", "0")


def status(message):
    """One line saying what is happening now (nothing when quiet)."""
    if not is_quiet():
        print(message, file=sys.stderr, flush=True)


def stderr_is_terminal():
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class Steps:
    """Numbered phase lines with their timing."""

    def __init__(self, verbose=True):
        self.verbose = verbose and not is_quiet()
        self.start = self.last = time.time()
        self.n = 0

    def step(self, message):
        self.n += 1
        self.last = time.time()
        if self.verbose:
            print(f"[{self.n}] {message} ...", file=sys.stderr, flush=True)

    def info(self, message):
        if self.verbose:
            print(f"    {message}", file=sys.stderr, flush=True)

    def done(self, message):
        if self.verbose:
            print(f"{message} in {time.time() - self.start:.1f}s", file=sys.stderr, flush=True)


class Progress:
    """A counter shown as a tqdm bar on a terminal, else as periodic lines.

    `update(n, **values)` adds `n` (and shows `values`, e.g. the loss);
    `set(count, total=None)` sets the absolute count (for callbacks that
    report "done so far"); `write(message)` prints a line that does not tear
    the bar. `initial` is where a resumed job starts counting."""

    def __init__(self, description, total=None, unit="it", interval=10.0, verbose=True,
                 initial=0):
        self.description, self.total, self.unit = description, total, unit
        self.interval = interval
        self.count = self._initial = int(initial)
        self.values = {}
        self.verbose = verbose and not is_quiet()
        self._bar = None
        self._last_print = self._start = time.time()
        self._printed = None  # the count last printed as a plain line
        if self.verbose and stderr_is_terminal():
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, initial=self.count, desc=description, unit=unit,
                                 file=sys.stderr, dynamic_ncols=True)

    def update(self, n=1, **values):
        self.values.update({k: v for k, v in values.items() if v is not None})
        self.set(self.count + n)

    def set(self, count, total=None):
        if total is not None and total != self.total:
            self.total = total
            if self._bar is not None:
                self._bar.total = total
        delta, self.count = count - self.count, count
        if not self.verbose:
            return
        if self._bar is not None:
            if self.values:
                self._bar.set_postfix({k: f"{v:.4g}" for k, v in self.values.items()},
                                      refresh=False)
            self._bar.update(delta)
        elif (time.time() - self._last_print >= self.interval
              or (self.total and self.count >= self.total)):
            self._print_line()

    def write(self, message):
        """A line of its own (a dev score, a notice), nothing when quiet."""
        if not self.verbose:
            return
        if self._bar is not None:
            self._bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr, flush=True)

    def _print_line(self):
        self._last_print = time.time()
        self._printed = self.count
        of = f"/{self.total}" if self.total else ""
        rate = (self.count - self._initial) / max(time.time() - self._start, 1e-9)
        shown = "".join(f" {k} {v:.4g}" for k, v in self.values.items())
        print(f"{self.description}: {self.count}{of} {self.unit}{shown} "
              f"({rate:.2f} {self.unit}/s)", file=sys.stderr, flush=True)

    def close(self):
        if not self.verbose:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._printed != self.count and (
                self._printed is not None or time.time() - self._start >= 2.0):
            self._print_line()  # the final count (short jobs stay silent)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
