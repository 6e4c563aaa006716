"""Engine settings: where the database is, and the limits that protect it.

One frozen object built in one place (``EngineConfig.from_env`` or by a test), so that the CLI, the web
app, the scheduler and the benchmarks all run the same code with different inputs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE = "sqlite:///" + str(Path("instance") / "servflow.sqlite")


@dataclass(frozen=True)
class EngineConfig:
    database_url: str = DEFAULT_SQLITE
    max_upload_bytes: int = 5 * 1024 * 1024
    max_bundle_files: int = 200
    max_zip_ratio: int = 100
    script_step_limit: int = 100_000
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> EngineConfig:
        env = os.environ if environ is None else environ
        return cls(database_url=env.get("SERVFLOW_DATABASE_URL", DEFAULT_SQLITE))
