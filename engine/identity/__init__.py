"""Who is who: localities and their hierarchy (``localities``), the parties of a project and the lanes
that name them (``roles``), the organizations behind them and their members (``organizations``, with the
统一社会信用代码 check in ``credit_code``), people, passwords, grants and API tokens (``users``), and who may
do what where (``access``) — the one place permission rules live."""
