"""Who is who: localities and their hierarchy (``localities``), the parties of a project and the lanes
that name them (``roles``), people, passwords, grants and API tokens (``users``), and who may do what
where (``access``) — the one place permission rules live."""
