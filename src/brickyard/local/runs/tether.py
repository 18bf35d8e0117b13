"""Start a worker module cold, tied to the server: `python -m brickyard.local.runs.tether PARENT MODULE ARGS…`.

A worker started without the fork server is the server's own child; this sets it to be killed when
the server dies (`procs.die_with_parent`), then runs `MODULE` as `python -m MODULE ARGS…` would. The
module's name stays on the command line, which is how a restarted server recognizes an orphan.
"""

from __future__ import annotations

import runpy
import sys

from brickyard.local.procs import die_with_parent


def main() -> None:
    parent, module, *args = sys.argv[1:]
    die_with_parent(int(parent))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
