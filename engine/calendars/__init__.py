"""Working days and due dates: the calendar arithmetic (``calendar``), calendars per locality in the
database (``calendar_store``), a task's deadline rule (``deadlines``) and the hook that gives every new
task its due, reminder and escalation dates (``deadline_hook``)."""
