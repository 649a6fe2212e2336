"""Turn pip's install log (stdin) into a few lines a first-time user can follow.

`pip install -qq` is silent for minutes, which looks hung; plain `pip install` prints hundreds
of lines. This prints how many packages pip has gathered as it goes, then one line when it
starts installing them, and passes warnings and errors through whole.
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    """Read pip's output line by line; write progress to stderr."""
    started = time.monotonic()
    collected = 0
    interactive = sys.stderr.isatty()
    for line in sys.stdin:
        text = line.rstrip()
        if text.startswith("Collecting ") or text.startswith("Obtaining "):
            collected += 1
            if interactive:
                sys.stderr.write(f"\r  finding packages: {collected}")
            elif collected % 25 == 0:
                sys.stderr.write(f"  finding packages: {collected}\n")
        elif text.startswith("Installing collected packages:"):
            count = len(text.split(":", 1)[1].split(","))
            sys.stderr.write(
                f"{chr(13) if interactive else ''}  installing {count} packages "
                f"(the long part, a few minutes the first time)...\n"
            )
        elif text.startswith("Successfully installed"):
            sys.stderr.write(f"  installed in {time.monotonic() - started:.0f} s\n")
        elif text.lstrip().lower().startswith("error"):
            sys.stderr.write(line)
        sys.stderr.flush()
    if collected and interactive:
        sys.stderr.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
