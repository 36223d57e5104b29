"""LICENSE, CHANGELOG.md and SECURITY.md: present, consistent with pyproject, and true to the tree."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEEP_A_CHANGELOG_TYPES = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def _read(name: str) -> str:
    path = ROOT / name
    if not path.exists():
        pytest.skip(f"{name} not beside the tests (installed elsewhere)")
    return path.read_text()


def test_license_is_the_one_pyproject_declares():
    declared = tomllib.loads(_read("pyproject.toml"))["project"]["license"]
    assert declared == "Apache-2.0"
    text = _read("LICENSE")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    sections = re.findall(r"^\s+(\d)\. (\w[\w ]*)\.", text, re.M)
    assert [n for n, _ in sections] == [str(i) for i in range(1, 10)]      # all nine sections, in order
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX" in text


def test_changelog_is_keep_a_changelog_with_an_unreleased_section():
    text = _read("CHANGELOG.md")
    assert text.startswith("# Changelog\n") and "keepachangelog.com/en/1.1.0" in text
    versions = re.findall(r"^## (.+)$", text, re.M)
    assert versions and versions[0] == "[Unreleased]"
    for v in versions[1:]:        # released versions: "## [x.y.z] - YYYY-MM-DD"
        assert re.fullmatch(r"\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", v), v
    types = re.findall(r"^### (.+)$", text, re.M)
    assert types and set(types) <= KEEP_A_CHANGELOG_TYPES, types
    for issue in range(15, 21):
        assert f"Issue {issue}" in text, f"milestone of issue {issue} missing"


def test_security_policy_names_a_real_channel_and_true_paths():
    text = _read("SECURITY.md")
    assert "private vulnerability reporting" in text and "Report a vulnerability" in text
    for placeholder in ("TODO", "TBD", "example.com", "security@", "<email", "[email"):
        assert placeholder not in text, placeholder
    for heading in ("## Reporting a vulnerability", "## Threat model", "## Constant time: what Python cannot promise",
                    "## Which paths are constant time"):
        assert heading in text
    cited = set(re.findall(r"`((?:native|docs)/[\w./]+)`", text))
    assert {"native/proj_ct.inc", "native/mont.inc", "docs/runtime.md", "docs/network.md"} <= cited
    for path in cited:
        assert (ROOT / path).exists(), f"SECURITY.md cites {path}, which does not exist"
    header = (ROOT / "native" / "modinv.inc").read_text()[:400]
    assert "VARIABLE TIME" in header            # what SECURITY.md says of the safegcd inversion
    for ct in ("proj_ct.inc", "mont.inc", "p448.inc", "ntt.c", "ed448.c"):
        words = " ".join((ROOT / "native" / ct).read_text()[:1500].replace("*", " ").replace("-", " ").split()).lower()
        assert "constant time" in words or "no branches or memory accesses depend" in words, ct
