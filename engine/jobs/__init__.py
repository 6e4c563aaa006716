"""Work nobody asked for in a request: the scheduler that fires timers, sends reminders and escalations and
keeps the tally and the hot tables in shape (``scheduler``), and notices with their e-mail (``notifications``)."""
