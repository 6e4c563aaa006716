"""Engine settings: where the database is.

One frozen object built in one place (``EngineConfig.from_env`` or by a test), so that the CLI, the web
app, the scheduler and the benchmarks all run the same code with different inputs. The limits that
protect the engine from hostile input are not settings: they live beside the code that enforces them
(``engine.formats.bundles``, ``xmlsafe`` and ``forms``), so a test of one limit tests the running value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SQLITE = "sqlite:///" + str(Path("instance") / "servflow.sqlite")


@dataclass(frozen=True)
class EngineConfig:
    database_url: str = DEFAULT_SQLITE

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> EngineConfig:
        env = os.environ if environ is None else environ
        return cls(database_url=env.get("SERVFLOW_DATABASE_URL", DEFAULT_SQLITE))
