"""Runs the reliability suite (issue 11) and prints passed/failed counts per
class: data_loss, silently_wrong, traceback.

    python scripts/reliability_report.py            # tests/reliability
    python scripts/reliability_report.py -k writers # extra arguments go to pytest
    python scripts/reliability_report.py --json     # the table as one JSON object

Every test in tests/reliability carries exactly one class marker (see
tests/reliability/conftest.py); a test without one is counted as
"unmarked", so nothing is silently left out of the table. Exit status 0
when every test passed.
"""

import json
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASSES = ("data_loss", "silently_wrong", "traceback")


class Tally:
    """pytest plugin: the outcome of each test, by its class marker."""

    def __init__(self):
        self.classes = {}
        self.outcomes = {}

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marks = [c for c in CLASSES if item.get_closest_marker(c)]
            self.classes[item.nodeid] = marks[0] if len(marks) == 1 else (
                "unmarked" if not marks else "several markers")

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            previous = self.outcomes.get(report.nodeid)
            if previous in (None, "passed"):
                self.outcomes[report.nodeid] = report.outcome

    def table(self):
        rows = {}
        for nodeid, cls in self.classes.items():
            row = rows.setdefault(cls, {"passed": 0, "failed": 0, "skipped": 0})
            outcome = self.outcomes.get(nodeid, "failed")
            row[outcome if outcome in row else "failed"] += 1
        return rows


def main(argv):
    as_json = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    os.chdir(REPO)
    sys.path.insert(0, REPO)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    tally = Tally()
    code = pytest.main(["-q", "-p", "no:cacheprovider", "tests/reliability", *argv],
                       plugins=[tally])
    rows = tally.table()
    if as_json:
        print(json.dumps(rows))
    else:
        print()
        print(f"{'class':<16} {'passed':>7} {'failed':>7} {'skipped':>8}")
        for cls in [*CLASSES, *sorted(set(rows) - set(CLASSES))]:
            row = rows.get(cls, {"passed": 0, "failed": 0, "skipped": 0})
            print(f"{cls:<16} {row['passed']:>7} {row['failed']:>7} {row['skipped']:>8}")
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
