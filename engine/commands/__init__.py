"""The commands that change a project, each run inside one unit of work by the Engine: start, complete,
cancel, suspend, fire timers (``instances``), the human-task rows and their assignment (``tasks``), and a
message from another system delivered to the project waiting for it (``messages``)."""
