"""Self-correcting custody, detect -> respond -> recover, narrated step by step.

Run:  python examples/self_correcting/walkthrough.py [SCENARIO.toml]
      (default: scenario.toml beside this file; see README.md)
"""
from __future__ import annotations

import sys
from pathlib import Path

from pqzk.cli.demo_respond import load_scenario, run_scenario
from pqzk.cli.narrate import Narrator


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else Path(__file__).with_name("scenario.toml")
    scenario = load_scenario(path)
    n = Narrator()
    n.chapter(scenario.get("description", "self-correcting custody"))
    run_scenario(n, scenario)


if __name__ == "__main__":
    main(sys.argv[1:])
