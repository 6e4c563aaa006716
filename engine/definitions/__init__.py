"""Process definitions: what a locality has deployed, and the designer's checks before it deploys.

The public API is the version store (re-exported from ``versions``): ``deploy``, ``current_version``,
``current_version_calls``, ``list_versions``, ``source_of``, ``effective_files`` and ``DeployResult``.
Beside it: ``validation`` (every problem of a bundle), ``workspace`` (checked deploys and roll back),
``diff`` (what changed between two versions) and ``shipped`` (the bundle servflow ships).
"""

from .versions import (
    DeployResult,
    current_version,
    current_version_calls,
    deploy,
    effective_files,
    list_versions,
    source_of,
)

__all__ = [
    "DeployResult",
    "current_version",
    "current_version_calls",
    "deploy",
    "effective_files",
    "list_versions",
    "source_of",
]
