"""Storage: the database and what it holds — typed models, migrations, the unit of work, the audit trail.

``db`` makes pools and sessions for SQLite and PostgreSQL, ``models`` the tables (SQLAlchemy 2 typed
models), ``unit_of_work`` one transaction per command with locks and conflicts reported, ``audit`` the
append-only history, ``open_tasks`` the query shapes that reach the open-task indexes, ``tally`` the
trigger-kept open-task counts, ``vacuum`` and ``migrate`` (Alembic, ``migrations/``) keep the schema and
the hot tables in shape. Nothing here knows BPMN.
"""
