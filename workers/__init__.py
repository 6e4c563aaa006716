"""servflow's side of the other systems: a reference worker for external tasks and a simulated finance service.

Workers talk to servflow over its HTTP API only (``client``), as a worker in another language would; they
import nothing of ``engine`` or ``web``. ``handlers`` holds the handler of each shipped topic, ``run`` the
fetch-handle-answer loop (``servflow worker``). ``finance_sim`` is the other end of those handlers — the
department budget system, the treasury and the procurement platform, simulated as one HTTP process
(``servflow finance-sim``) with its books in ``finance_ledger`` — kept beside them so the contract between
the handlers and the systems they call is written down in one place.
"""
