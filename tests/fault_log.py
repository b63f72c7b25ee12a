"""What the fault tests tried and survived, for bench/fault_report.py.

A test calls ``record(name, **figures)``; when FAULT_REPORT_FILE is set (bench/fault_report.py
sets it) the figures are appended to that file as one JSON line, otherwise nothing happens.
"""

from __future__ import annotations

import json
import os


def record(name: str, **figures) -> None:
    path = os.environ.get("FAULT_REPORT_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"name": name, **figures}) + "\n")
