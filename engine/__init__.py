"""servflow's workflow library: no Flask, no HTTP.

Callers build one :class:`~engine.service.Engine` with :func:`engine.compose.build_engine` and use only
its methods; the folders below are its layers, lowest first (``tests/test_layering.py`` keeps them so):
``formats`` → ``store`` → ``identity`` → ``spiff`` → ``calendars`` → ``definitions`` → ``commands`` →
``queries`` → ``service`` → ``compose`` → ``jobs`` → ``demo``. See ``engine/README.md``.
"""
