"""One root exception for everything servflow refuses or fails at.

Every error carries a short machine code, a message meant for a person, and optional details
(file, element id, field errors) so that the CLI, the API and the pages can each show it in their
own way without parsing the message.
"""

from __future__ import annotations

from typing import Any


class ServflowError(Exception):
    """Root of every error servflow raises on purpose."""

    code = "error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}

    def __str__(self) -> str:
        return self.message


class DefinitionError(ServflowError):
    """A BPMN/DMN/form file that cannot be deployed; names the file, element and reason."""

    code = "invalid_definition"

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        element_id: str | None = None,
        line: int | None = None,
        problems: list[dict[str, Any]] | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"line {line}" if line else "",
                f"element {element_id}" if element_id else "",
            )
            if part
        )
        super().__init__(
            f"{where}: {reason}" if where else reason,
            file=file,
            element_id=element_id,
            line=line,
            reason=reason,
            problems=problems,
        )
        self.file = file
        self.element_id = element_id
        self.reason = reason


class UnsafeInputError(DefinitionError):
    """Input refused before parsing: too large, entity declarations, a zip that escapes its folder."""

    code = "unsafe_input"


class InputTooLargeError(UnsafeInputError):
    """Input refused because of its size alone (a file, a bundle, an unpacked zip, too many files)."""

    code = "too_large"


class NotFoundError(ServflowError):
    code = "not_found"


class ConflictError(ServflowError):
    """Someone else changed the thing first (completed the task, claimed it, moved the instance)."""

    code = "conflict"


class PermissionDeniedError(ServflowError):
    code = "forbidden"


class InvalidDataError(ServflowError):
    """Submitted data breaks the form's rules; ``errors`` maps each field to its messages."""

    code = "invalid_data"

    def __init__(self, message: str, errors: dict[str, list[str]]) -> None:
        super().__init__(message, errors=errors)
        self.errors = errors


class FileTooLargeError(InvalidDataError):
    """An upload over its field's size limit (refused before or while it streams in; nothing is kept)."""

    code = "file_too_large"


class FileKindError(InvalidDataError):
    """An upload whose content is not a kind its field takes, whatever its name says."""

    code = "file_kind"


class InvalidStateError(ServflowError):
    """The command does not fit the instance's status (e.g. completing a task of a suspended project)."""

    code = "invalid_state"


class ExecutionError(ServflowError):
    """The process failed while running (script error, no gateway path); the instance kept its last wait state."""

    code = "execution_error"

    def __init__(self, reason: str, *, element_id: str | None = None, process: str | None = None) -> None:
        where = f"element {element_id}" if element_id else ""
        where += f" of {process}" if element_id and process else ""
        where += ": " if where else ""
        super().__init__(f"{where}{reason}", element_id=element_id, process=process, reason=reason)
        self.element_id = element_id
        self.reason = reason


class CalendarError(ServflowError):
    """A deadline needs a calendar year the locality has no data for; never guess."""

    code = "calendar_missing"
