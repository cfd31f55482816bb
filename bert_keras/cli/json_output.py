"""JSON on stdout that is always valid JSON.

`json.dumps` writes NaN and Infinity as bare `NaN`/`Infinity`, which JSON
parsers reject. Commands print through `print_json`: a non-finite number
becomes `null`, and a note on stderr names where it was.

    >>> print_json({"accuracy": 0.5, "f1": float("nan")})
    {"accuracy": 0.5, "f1": null}
"""

import json
import math
import sys


def print_json(obj, **kwargs):
    replaced = []
    text = json.dumps(_finite(obj, "", replaced), allow_nan=False, **kwargs)
    for path in replaced:
        print(f"note: {path or 'the value'} is not a finite number (NaN/Inf); printed as null",
              file=sys.stderr)
    print(text)


def _finite(obj, path, replaced):
    if isinstance(obj, float) and not math.isfinite(obj):
        replaced.append(path)
        return None
    if isinstance(obj, dict):
        return {k: _finite(v, f"{path}.{k}" if path else str(k), replaced)
                for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v, f"{path}[{i}]", replaced) for i, v in enumerate(obj)]
    return obj
