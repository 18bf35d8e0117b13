"""Secret redaction of everything a task writes, including subprocesses and split writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from brickyard.local.tasks.redact import REDACTED, Redactor


def test_redactor_replaces_every_value_longest_first() -> None:
    redactor = Redactor()
    redactor.add("abc")
    redactor.add("abcdef")
    redactor.add("")

    assert redactor.redact("x abcdef y abc") == f"x {REDACTED} y {REDACTED}"
    assert redactor.redact_json({"k": ["abc", 1, {"abc": "abcdef"}]}) == {
        "k": [REDACTED, 1, {REDACTED: REDACTED}]
    }


def test_a_tail_that_may_start_a_secret_is_held_back() -> None:
    redactor = Redactor()
    redactor.add(b"hunter2")

    assert redactor.pending_tail(b"password: hun") == 3
    assert redactor.pending_tail(b"password: hunter") == 6
    assert redactor.pending_tail(b"nothing here") == 0


SCRIPT = """
import os, subprocess, sys, time
from brickyard.local.tasks.redact import RedactedOutput, Redactor

redactor = Redactor()
with RedactedOutput(redactor, log_file=sys.argv[1] if len(sys.argv) > 1 else ""):
    redactor.add("hunter2")
    print("python says hunter2")
    sys.stdout.write("split hun"); sys.stdout.flush(); time.sleep(0.2)
    sys.stdout.write("ter2 across writes\\n")
    os.write(2, b"raw fd write hunter2\\n")
    subprocess.run(["sh", "-c", "echo child says hunter2; echo child err hunter2 >&2"], check=True)
    subprocess.Popen(["sleep", "30"])  # outlives the task and keeps the pipe open
print("after restore")
"""


def test_output_of_the_process_and_its_children_is_redacted() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=30)

    assert proc.returncode == 0, proc.stderr
    assert "hunter2" not in proc.stdout + proc.stderr
    assert "python says [REDACTED]" in proc.stdout
    assert "split [REDACTED] across writes" in proc.stdout
    assert "child says [REDACTED]" in proc.stdout
    assert "raw fd write [REDACTED]" in proc.stderr
    assert "child err [REDACTED]" in proc.stderr
    assert proc.stdout.endswith("after restore\n")


def test_output_goes_to_the_log_file_when_one_is_given(tmp_path: Path) -> None:
    log = tmp_path / "task.log"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(log)], capture_output=True, text=True, timeout=30
    )

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "after restore\n"
    text = log.read_text()
    assert "python says [REDACTED]" in text and "child err [REDACTED]" in text
    assert "hunter2" not in text


STARVED = """
import sys, time
from brickyard.local.tasks import redact

reader = redact._Pump.run
redact._Pump.run = lambda self: (time.sleep(0.5), reader(self))  # a busy machine runs the reader late
output = redact.RedactedOutput(redact.Redactor())
output.__enter__()
print("the task's last words", file=sys.stderr)
output.close(timeout=0.05)
"""


def test_a_reader_the_machine_runs_late_still_delivers_the_last_lines() -> None:
    proc = subprocess.run([sys.executable, "-c", STARVED], capture_output=True, text=True, timeout=30)

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "the task's last words\n"


STALE = """
import select, sys, time
from brickyard.local.tasks import redact

real, asked = select.select, set()


def late_answer(readers, *rest):
    if readers[0] not in asked:  # each reader's first "nothing to read" arrives after the task ended
        asked.add(readers[0])
        time.sleep(0.3)
        return [], [], []
    return real(readers, *rest)


select.select = late_answer
with redact.RedactedOutput(redact.Redactor()):
    time.sleep(0.1)
    print("failed at once", file=sys.stderr)
"""


def test_the_last_lines_of_a_task_that_ends_at_once_are_kept() -> None:
    proc = subprocess.run([sys.executable, "-c", STALE], capture_output=True, text=True, timeout=30)

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "failed at once\n"
