"""The conformance sweep over the corpus (tests/conformance.py): for every spec of
../shared/specs that generates (and the repo's seed with its overlay), the generated client calls
every operation against the generated mock over real HTTP, required arguments only and with the
optional ones, and schemathesis sends positive cases to the same mock. Nothing may crash, the
mock must accept what the client sends, and every mock answer must fit the spec's own schema.

Bounded: 3 schemathesis examples per operation; openai.yaml is left to bench/ (too big for every
run), as in test_corpus.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conformance import Sweep, run
from .conftest import ROOT, SHARED_SPECS
from .test_corpus import CORPUS, LENIENT_DIR, REFUSED, VALIDATE_ONLY

EXAMPLES = 3

# Specs that generate and have at least one operation; invalid ones with --lenient.
CASES = [
    pytest.param(rel, not valid or rel.startswith(LENIENT_DIR), id=rel)
    for rel, valid in CORPUS
    if rel not in REFUSED and Path(rel).name not in VALIDATE_ONLY
]


def _package(rel: str) -> str:
    return "swept_" + re.sub(r"\W", "_", rel.rsplit(".", 1)[0]).lower()


def _assert_clean(result: Sweep) -> None:
    assert result.calls or result.operations == 0
    problems = [f"{c.outcome} [{c.variant}] {c.python}: {c.detail}" for c in result.failures()]
    problems += [f"schemathesis: {line}" for line in result.schemathesis]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("rel", "lenient"), CASES)
def test_corpus_conforms(tmp_path: Path, rel: str, lenient: bool) -> None:
    # The corpus is one tree: the split petstore reaches ../common.
    result = run(
        SHARED_SPECS / rel, tmp_path, lenient=lenient, allow=(SHARED_SPECS,), package=_package(rel), examples=EXAMPLES
    )
    _assert_clean(result)


def test_seed_conforms(tmp_path: Path) -> None:
    spec = ROOT / "specs" / "agent-server.json"
    overlay = ROOT / "specs" / "agent-server.overlay.yaml"
    result = run(spec, tmp_path, lenient=False, overlay=overlay, package="swept_seed", examples=EXAMPLES)
    assert result.operations >= 57
    _assert_clean(result)
