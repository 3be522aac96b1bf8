#!/usr/bin/python3
"""The validation cases are what the normalisers make of the raw measurements: tests/validation/calibration.csv
and extra.csv are regenerated from tests/validation/raw/ byte for byte, so no case is edited by hand."""
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def check(cond, msg):
    if not cond:
        raise SystemExit("FAIL: " + msg)


def test_each_case_file_is_its_normaliser_output():
    for tool, case in (("normalise_calibration.py", "calibration.csv"), ("normalise_extra.py", "extra.csv")):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", tool), "--output", "-"],
                             capture_output=True, text=True, check=True).stdout
        with open(os.path.join(ROOT, "tests", "validation", case), newline="") as f:
            want = f.read()
        check(out == want, f"tests/validation/{case} differs from what tools/{tool} writes: rerun it")


if __name__ == "__main__":
    for name, fn in sorted(globals().items()):
        if name.startswith("test_"):
            fn()
    print("ok")
