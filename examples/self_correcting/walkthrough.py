"""Self-correcting custody, detect -> respond -> recover, narrated step by step.

Run:  python examples/self_correcting/walkthrough.py [SCENARIO.toml]
      (default: scenario.toml beside this file; see README.md)
"""
from __future__ import annotations

import sys
from pathlib import Path

from pqzk.cli.demo_respond import load_scenario, run_scenario
from pqzk.cli.narrate import Narrator
from pqzk.errors import PqzkError


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).with_name("scenario.toml")
    try:
        scenario = load_scenario(path)
    except PqzkError as exc:               # a scenario that cannot be read or is wrong: say which field
        print(f"error: {exc}", file=sys.stderr)
        return 2
    n = Narrator()
    n.chapter(scenario.get("description", "self-correcting custody"))
    run_scenario(n, scenario)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
