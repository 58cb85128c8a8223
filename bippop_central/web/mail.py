"""The volunteer sign-in e-mail, through the platform's SMTP server (config.Smtp).
Tests point it at a local aiosmtpd server; nothing here ever picks a server itself."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from bippop_central.web.config import Smtp


class MailFailed(Exception):
    pass


def send(smtp: Smtp, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, to, subject
    message.set_content(body)
    try:
        if smtp.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=20, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=20)
        with client:
            if smtp.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.user:
                client.login(smtp.user, smtp.password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(f"{type(error).__name__}: {str(error)[:200]}") from error
