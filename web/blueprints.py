"""The app's page blueprints, one per page area, registered by ``create_app`` in this order."""

from __future__ import annotations

from flask import Blueprint


def BLUEPRINTS() -> list[Blueprint]:
    from . import (
        auth,
        catalogue_page,
        dashboard,
        designer,
        designer_migrations,
        documents,
        home,
        inbox,
        notifications_page,
        oidc,
        operations_page,
        organizations_page,
        projects_page,
        providers_page,
        public,
        tasks_page,
        webhooks_page,
    )

    return [
        auth.bp,
        oidc.bp,
        home.bp,
        inbox.bp,
        tasks_page.bp,
        projects_page.bp,
        documents.bp,
        dashboard.bp,
        designer.bp,
        designer_migrations.bp,
        public.bp,
        notifications_page.bp,
        operations_page.bp,
        organizations_page.bp,
        providers_page.bp,
        catalogue_page.bp,
        webhooks_page.bp,
    ]
