"""Refusing weights that are NaN or infinite.

A single NaN weight turns every output into NaN: fine-tuning then reports
`loss: nan`, and predictions print as `NaN` (which is not even JSON). Such a
checkpoint is refused when it is read, naming the tensor.

    >>> import numpy as np
    >>> check_finite({"a": np.ones(3, "float32")}, "model")
    >>> check_finite({"b": np.array([1.0, np.nan], "float32")}, "model")
    Traceback (most recent call last):
    ...
    bert_keras.errors.InputError: model: weight 'b' has 1 NaN/Inf value(s) (first at index (1,)); the checkpoint is broken
"""

import numpy as np

from bert_keras.errors import InputError


def check_finite(weights, source):
    """Raises `InputError` naming the first tensor of `weights` (a dict of
    arrays) that holds a NaN or an infinity."""
    for name, value in weights.items():
        value = np.asarray(value)
        if value.dtype.kind not in "fc":
            continue
        finite = np.isfinite(value)
        if not finite.all():
            bad = int(finite.size - np.count_nonzero(finite))
            first = tuple(int(i) for i in np.argwhere(~finite)[0])
            raise InputError(f"{source}: weight {name!r} has {bad} NaN/Inf value(s) "
                             f"(first at index {first}); the checkpoint is broken")
