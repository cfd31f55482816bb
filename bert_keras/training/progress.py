"""One progress display for a whole training run, on stderr: a tqdm bar
when stderr is a terminal (and tqdm is installed), otherwise a plain line
every few percent or every 30 seconds, so logs stay readable.

Small and self-contained on purpose, so a shared helper can replace it.

    >>> import io
    >>> stream = io.StringIO()
    >>> bar = StepProgress(total=4, initial=0, stream=stream, every_seconds=0)
    >>> for _ in range(4):
    ...     bar.update(loss=0.5)
    >>> bar.close()
    >>> stream.getvalue().splitlines()[-1].startswith("step 4/4")
    True
"""

import os
import sys
import time


class StepProgress:
    """Steps done out of `total` (counting from `initial` when resumed)."""

    def __init__(self, total, initial=0, stream=None, desc="training", every_seconds=30.0,
                 enabled=True):
        # BERT_KERAS_QUIET: the CLI's --quiet, inherited by child processes.
        quiet = os.environ.get("BERT_KERAS_QUIET", "") not in ("", "0")
        self.total, self.step, self.enabled = int(total), int(initial), enabled and not quiet
        self.stream = stream or sys.stderr
        self.every_seconds = every_seconds
        self.started, self.start_step = time.time(), self.step
        self.last_print, self.last_printed_step = 0.0, self.step
        self.interval = max(1, self.total // 20)
        self.bar = None
        if enabled and _is_tty(self.stream):
            try:
                from tqdm import tqdm

                self.bar = tqdm(total=self.total, initial=self.step, desc=desc,
                                file=self.stream, unit="step", dynamic_ncols=True)
            except ImportError:
                pass

    def update(self, n=1, **values):
        self.step += n
        if not self.enabled:
            return
        shown = {k: f"{v:.4g}" for k, v in values.items() if v is not None}
        if self.bar is not None:
            self.bar.set_postfix(shown, refresh=False)
            self.bar.update(n)
            return
        now = time.time()
        due = (self.step - self.last_printed_step >= self.interval
               or now - self.last_print >= self.every_seconds or self.step >= self.total)
        if due:
            self.last_print, self.last_printed_step = now, self.step
            rate = (self.step - self.start_step) / max(now - self.started, 1e-9)
            eta = (self.total - self.step) / rate if rate > 0 else float("nan")
            text = " ".join(f"{k} {v}" for k, v in shown.items())
            print(f"step {self.step}/{self.total} ({100 * self.step / self.total:.0f}%) "
                  f"{text} {rate:.2f} steps/s eta {eta:.0f}s".replace("  ", " "),
                  file=self.stream, flush=True)

    def write(self, message):
        """A message that does not tear the bar."""
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _is_tty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
