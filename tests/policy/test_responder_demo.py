"""The self-correcting chapter of `pqzk demo` and the example scenario it shares its runner with."""
import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pqzk.cli.demo import CHAPTERS
from pqzk.cli.demo_respond import SCENARIO, chapter, check_scenario, load_scenario, run_scenario
from pqzk.cli.narrate import Narrator
import pqzk
from pqzk.errors import InvalidEncoding

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "self_correcting"
TITLE = "Self-correcting custody: detect, respond, recover"


def _story_holds(facts: dict) -> None:
    assert facts["culprits"] == [3]
    assert facts["quarantined"] == [3]                                   # the fake alarms changed nothing
    assert facts["alarms recorded (the rest over the rate limit)"] == 10
    assert facts["new holders"] == [1, 2, 4, 5]
    assert 3 not in facts["signing goes on: signers"] and len(facts["signing goes on: signers"]) == 3
    assert facts["replayed state matches"] is True


def test_chapter_tells_detect_respond_recover():
    assert "pqzk.cli.demo_respond" in [c.module for c in CHAPTERS]
    n = Narrator(json_mode=True)
    chapter(n)
    _story_holds(n.facts[TITLE])


def test_example_scenario_runs_the_same_story():
    scenario = load_scenario(EXAMPLE / "scenario.toml")
    n = Narrator(json_mode=True)
    n.chapter("example")
    run_scenario(n, scenario)
    _story_holds(n.facts["example"])


@pytest.mark.parametrize("change, where", [
    (lambda s: s["steps"].append({"do": "dance", "at": 1}), "steps[6].do"),
    (lambda s: s["steps"][0].pop("amount"), "steps[0].amount"),
    (lambda s: s["steps"][1].update(cheat="3"), "steps[1].cheat"),
    (lambda s: s["steps"][2].update(count=10**6), "steps[2].count"),
    (lambda s: s["steps"][3].update(approvers=[]), "steps[3].approvers"),
    (lambda s: s["steps"][0].update(colour="red"), "unknown field 'colour'"),
    (lambda s: s.update(threshold=1), "threshold"),
    (lambda s: s.update(extra=1), "unknown field 'extra'"),
    (lambda s: s.update(steps=[]), "steps"),
    (lambda s: s["steps"][0].update(at=-5), "steps[0].at"),
])
def test_bad_scenarios_are_refused_naming_the_field(change, where):
    s = copy.deepcopy(SCENARIO)
    change(s)
    with pytest.raises(InvalidEncoding) as e:
        check_scenario(s)
    assert where in str(e.value)


def test_bad_scenario_files(tmp_path):
    (tmp_path / "s.toml").write_text('policy = "nope.toml"\nthreshold = 3\n')
    with pytest.raises(Exception) as e:
        load_scenario(tmp_path / "s.toml")
    assert "nope.toml" in str(e.value) and type(e.value).__module__.startswith("pqzk")
    (tmp_path / "t.toml").write_text("threshold = 3\n")
    with pytest.raises(InvalidEncoding, match="policy"):
        load_scenario(tmp_path / "t.toml")
    s = copy.deepcopy(SCENARIO)
    s["parties"] = {"1": "Ada", "2": "Ben", "3": "Chen"}
    with pytest.raises(InvalidEncoding, match="not the policy's signers"):
        run_scenario(Narrator(json_mode=True), s)


def test_walkthrough_script_reports_a_bad_scenario_in_one_line(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text('policy = "policy.toml"\nthreshold = 1\n')
    (tmp_path / "policy.toml").write_text((EXAMPLE / "policy.toml").read_text())
    env = {**os.environ, "PYTHONPATH": str(Path(pqzk.__file__).resolve().parents[1])}
    for arg, why in ((str(bad), "threshold"), (str(tmp_path / "missing.toml"), "missing.toml")):
        out = subprocess.run([sys.executable, str(EXAMPLE / "walkthrough.py"), arg], capture_output=True,
                             text=True, env=env, timeout=120)
        assert out.returncode == 2 and out.stderr.startswith("error: ") and why in out.stderr
        assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1
