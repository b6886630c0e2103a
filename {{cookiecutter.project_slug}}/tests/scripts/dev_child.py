"""A process for scripts/dev.py's tests: python dev_child.py MODE NAME [ARGS].

Writes its pid to NAME.pid and prints a line on stdout and one on stderr, then:
- serve: sleeps until stopped;
- spawn: also starts a grandchild (as Flask's reloader does), which writes NAME-child.pid and
  prints its pid, then sleeps;
- exit CODE: exits with CODE at once;
- exit-when FILE CODE: exits with CODE once FILE exists.
"""

import os
import subprocess
import sys
import time
from pathlib import Path


def announce(name):
    Path(f"{name}.pid").write_text(str(os.getpid()))
    print(f"{name} started pid={os.getpid()}")
    print(f"{name} says hello on stderr", file=sys.stderr)


def main():
    mode, name, *args = sys.argv[1:]
    announce(name)
    if mode == "spawn":
        subprocess.Popen([sys.executable, __file__, "serve", f"{name}-child"])
    if mode == "exit":
        return int(args[0])
    if mode == "exit-when":
        while not Path(args[0]).exists():
            time.sleep(0.02)
        return int(args[1])
    time.sleep(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
