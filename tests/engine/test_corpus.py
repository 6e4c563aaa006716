"""Real BPMN files exported by other modelling tools: each deploys or is refused with a clear error.

Files come from the BPMN Model Interchange Working Group suite in ``shared/bpmn-corpus/miwg`` (Camunda,
bpmn.io, Signavio, Activiti, Bonita exports and the reference models). Most are descriptive, not
executable; what matters is that none crashes the engine, hangs, or gets a vague answer.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path

import pytest

from engine.errors import DefinitionError
from engine.service import Engine
from engine.store.models import Locality

CORPUS = Path(os.environ.get("SERVFLOW_BPMN_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "bpmn-corpus"))
FILES = sorted(CORPUS.rglob("*.bpmn")) if CORPUS.exists() else []


@pytest.mark.skipif(not FILES, reason=f"BPMN corpus not found at {CORPUS}")
def test_every_corpus_file_deploys_or_is_refused_clearly(engine: Engine) -> None:
    with engine.unit_of_work(write=True) as uow:
        for index in range(len(FILES)):
            uow.session.add(Locality(code=f"corpus{index}", name_zh=f"导入{index}", name_en=f"import {index}"))
        uow.commit()
    tally: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    for index, path in enumerate(FILES):
        name = str(path.relative_to(CORPUS))
        try:
            result = engine.deploy({path.name: path.read_bytes()}, f"corpus{index}")
        except DefinitionError as exc:
            tally["refused"] += 1
            assert exc.file, f"{name}: refusal does not name the file: {exc.message}"
            assert len(exc.reason) > 10, f"{name}: vague refusal {exc.message!r}"
            reasons[exc.reason.split(":")[0][:60]] += 1
            if exc.element_id is None:
                tally["refused without an element id"] += 1
        else:
            tally["deployed"] += 1
            assert result.created, name
    print(
        f"\nBPMN corpus: {len(FILES)} files, {tally['deployed']} deployed, {tally['refused']} refused "
        f"({tally['refused without an element id']} without an element id)"
    )
    for reason, count in reasons.most_common(8):
        print(f"  {count:4d} × {reason}")
    assert tally["deployed"] + tally["refused"] == len(FILES)
    assert tally["refused without an element id"] <= len(FILES) * 0.05, tally
