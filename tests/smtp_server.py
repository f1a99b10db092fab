"""A real SMTP server on loopback (aiosmtpd, from requirements-test.txt) for the tests.

The `smtp_server` fixture (tests/conftest.py) starts one on a free port of 127.0.0.1 and
points Django's SMTP backend at it: e-mails go through smtplib, the SMTP dialogue and a
server that parses nothing for us, as in production. Tests read what arrived as parsed
messages (`email` package) with their envelopes.
"""

import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One message as the server accepted it."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class Mailbox:
    """What the handler does with a message: keeps it, then calls `on_data` (a test's hook,
    e.g. one that kills the sending process once the server has the message) and accepts."""

    received: list[Received] = field(default_factory=list)
    on_data: object = None
    # Addresses refused at RCPT TO, as a server does for a mailbox that no longer exists.
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        if self.on_data is not None:
            self.on_data(self.received[-1])
        return "250 Message accepted for delivery"


class LoopbackSMTPServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = None
        self._controller = None

    @property
    def received(self) -> list[Received]:
        with self.mailbox.lock:
            return list(self.mailbox.received)

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.recipients]

    def wait_for(self, count: int, *, seconds: float = 10) -> list[Received]:
        """The first `count` messages, waiting for them to arrive."""
        deadline = time.monotonic() + seconds
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} e-mails arrived, not {count}")
            time.sleep(0.02)
        return self.received[:count]

    def start(self) -> "LoopbackSMTPServer":
        # aiosmtpd checks that it is up by connecting to its port, so it needs a number:
        # one the system just gave out, tried again in the rare case another took it.
        for _attempt in range(5):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            controller = Controller(self.mailbox, hostname="127.0.0.1", port=port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue
            self.port, self._controller = port, controller
            return self
        raise RuntimeError("No free loopback port for the SMTP server")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
