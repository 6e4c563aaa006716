"""Notifications are e-mailed over SMTP to a real local server (aiosmtpd) and the messages are read back."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from clocks import Clock
from sqlalchemy import select, update

from engine.jobs.notifications import SmtpSettings
from engine.jobs.scheduler import Scheduler
from engine.service import Engine
from engine.store.models import Notification, User
from support import fixture_bytes


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_reminders_are_mailed_once_with_chinese_subjects(
    people: Engine, clock: Clock, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    settings = SmtpSettings.from_env(
        {
            "SERVFLOW_SMTP_HOST": "127.0.0.1",
            "SERVFLOW_SMTP_PORT": str(port),
            "SERVFLOW_SMTP_SENDER": "noreply@xj.test",
            "SERVFLOW_BASE_URL": "https://servflow.xj.test/",
        }
    )
    scheduler = Scheduler(people, smtp=settings)
    people.deploy(fixture_bytes("bpmn/deadlines.bpmn"), "650000")
    clock.at(2025, 9, 26)
    people.start("deadlines", locality="650000", business_key="M-1", title="社区养老服务项目")
    with people.unit_of_work(write=True) as uow:  # one reviewer has no e-mail address
        uow.session.execute(update(User).where(User.username == "finance_reviewer2_region").values(email=None))
        uow.commit()

    clock.at(2025, 9, 30, 9)
    report = scheduler.sweep()
    assert (report.emailed, report.email_failed) == (1, 1)
    assert scheduler.sweep().emailed == 0  # nothing is mailed twice

    ((recipients, message),) = inbox.messages
    assert recipients == ["finance_reviewer_region@example.test"]
    assert message["Subject"] == "【待办提醒】「财政审核」将于2025-10-10到期"
    assert message["From"].addresses[0].addr_spec == "noreply@xj.test"
    assert "社区养老服务项目（M-1）" in message.get_content()
    with people.unit_of_work() as uow:  # the mail links to the task and the project, to act at once
        task_id, instance_id = uow.session.execute(select(Notification.human_task_id, Notification.instance_id)).first()
    assert f"https://servflow.xj.test/tasks/{task_id}" in message.get_content()
    assert f"https://servflow.xj.test/projects/{instance_id}" in message.get_content()
    with people.unit_of_work() as uow:
        rows = {n.recipient: n for n in uow.session.scalars(select(Notification))}
    assert rows["finance_reviewer_region"].email_sent_at == clock.now
    assert rows["finance_reviewer2_region"].email_error == "no e-mail address for this user"


def test_an_unreachable_server_leaves_mail_queued_for_the_next_sweep(
    people: Engine, clock: Clock, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    people.deploy(fixture_bytes("bpmn/deadlines.bpmn"), "650000")
    clock.at(2025, 9, 26)
    people.start("deadlines", locality="650000", business_key="M-2")
    clock.at(2025, 9, 30, 9)
    down = Scheduler(people, smtp=SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2))
    report = down.sweep()
    assert (report.reminded, report.emailed, report.email_failed) == (1, 0, 0)

    report = Scheduler(people, smtp=SmtpSettings(host="127.0.0.1", port=port)).sweep()
    assert report.emailed == 2
    assert sorted(r for rcpts, _ in inbox.messages for r in rcpts) == [
        "finance_reviewer2_region@example.test",
        "finance_reviewer_region@example.test",
    ]


def test_no_smtp_host_means_no_email() -> None:
    assert SmtpSettings.from_env({}) is None
    settings = SmtpSettings.from_env({"SERVFLOW_SMTP_HOST": "mail.gov.test", "SERVFLOW_SMTP_STARTTLS": "true"})
    assert settings is not None and (settings.port, settings.starttls) == (25, True)
