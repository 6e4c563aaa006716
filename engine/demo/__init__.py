"""Demo data and scripted runs: the calendars, users, guidance catalogue and projects ``servflow seed`` creates, and the
driver that answers a project's tasks through the Engine as a person would (tests and smoke runs)."""

from .catalogue import seed_catalogue
from .seed import DEMO_PASSWORD, demo_logins, seed_calendars, seed_projects, seed_users

__all__ = ["DEMO_PASSWORD", "demo_logins", "seed_calendars", "seed_catalogue", "seed_projects", "seed_users"]
