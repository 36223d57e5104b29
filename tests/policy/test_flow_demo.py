"""The custody chapter of `pqzk demo` (the story's last chapter) in JSON mode."""
from pqzk.cli.demo import CHAPTERS
from pqzk.cli.demo_custody import chapter
from pqzk.cli.narrate import Narrator


def test_custody_chapter_is_last_and_tells_the_whole_story():
    assert CHAPTERS[-1].module == "pqzk.cli.demo_custody"
    n = Narrator(json_mode=True)
    chapter(n)
    facts = n.facts["Custody: policy, authorization, audit"]
    assert len(facts["group public key"]) == 32
    assert facts["refused by"] == "5 signers, rule blacklist"
    assert facts["silent party"] == [5] and 5 not in facts["signers"]
    assert facts["compliance proof size"] > 0
    assert facts["audit records"]["authorization"] == 3 and facts["audit records"]["request"] == 5
    assert facts["authorization size (FROST + ML-DSA quorum certificate)"] > 4 * 2420
