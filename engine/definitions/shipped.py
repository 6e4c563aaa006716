"""The processes, forms and scenario checks servflow ships, as the one bundle every caller deploys.

``servflow deploy`` (no path), the demo seeder and the tests must deploy exactly the same files under
exactly the same names: a name is how a later deploy replaces a file and how the designer finds a
process's scenarios (``scenarios/<process>.scenarios.json``, at the top of the bundle). Scenario files
live in ``processes/scenarios/`` in the repository and keep their ``scenarios/...`` name in the bundle.
"""

from __future__ import annotations

from pathlib import Path

from ..formats.bundles import read_path
from ..spiff.parsing import scenario_process_key
from ..spiff.scenarios import scenario_file_name

SHIPPED_ROOT = Path(__file__).resolve().parents[2]


def shipped_bundle(root: Path = SHIPPED_ROOT) -> dict[str, bytes]:
    """processes/ and forms/ as one bundle; ``processes/scenarios/x.scenarios.json`` → ``scenarios/x...``."""
    files: dict[str, bytes] = {}
    for name, data in read_path(root / "processes").items():
        key = scenario_process_key(name)
        files[scenario_file_name(key) if key else f"processes/{name}"] = data
    return files | {f"forms/{name}": data for name, data in read_path(root / "forms").items()}
