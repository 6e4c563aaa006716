"""Incidents: what projects cannot get past without a person — list, retry (with corrected variables),
cancel the project. For administrators and the managers of a locality and the ones below."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response

from engine.queries import incidents
from engine.queries.incidents import IncidentFilter

from ..engine_ext import get_engine
from .common import blueprint, json_response, me
from .external_schemas import CancelSchema, IncidentQuery, IncidentSchema, RetrySchema
from .schemas import MAX_ID

bp = blueprint("incidents", "/incidents", "Incidents of projects: list, retry with corrected variables, cancel.")
INCIDENT_URL = f"/<int(max={MAX_ID}):incident_id>"
_INCIDENT = IncidentSchema()


def _one(incident_id: int) -> dict[str, Any]:
    found = get_engine().read(incidents.incident, me(), incident_id)
    return _INCIDENT.dump(asdict(found)) if found else {}


@bp.route("", methods=["GET"])
@bp.arguments(IncidentQuery, location="query")
@bp.response(200, IncidentSchema(many=True))
def list_incidents(args: dict[str, Any]) -> Response:
    """Incidents the caller handles, newest first; filter by state, locality, process, error text, project."""
    wanted = IncidentFilter(
        state=args["state"],
        locality=args.get("locality"),
        process=args.get("process"),
        error=args.get("error"),
        instance=args.get("instance"),
    )
    found = get_engine().read(incidents.incident_list, me(), wanted)
    return json_response([_INCIDENT.dump(asdict(row)) for row in found])


@bp.route(f"{INCIDENT_URL}/retry", methods=["POST"])
@bp.arguments(RetrySchema)
@bp.response(200, IncidentSchema)
def retry(args: dict[str, Any], incident_id: int) -> Response:
    """Offer the task again with ``retries`` attempts, after writing ``variables`` into what it reads."""
    get_engine().retry_incident(incident_id, retries=args["retries"], variables=args["variables"], actor=me())
    return json_response(_one(incident_id))


@bp.route(f"{INCIDENT_URL}/cancel", methods=["POST"])
@bp.arguments(CancelSchema)
@bp.response(200, IncidentSchema)
def cancel(args: dict[str, Any], incident_id: int) -> Response:
    """Give the project up: it is cancelled with the reason, and the incident with it."""
    get_engine().cancel_incident(incident_id, reason=args["reason"], actor=me())
    return json_response(_one(incident_id))
