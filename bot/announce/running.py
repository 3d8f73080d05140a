"""The dispatcher of a running bot: its adapters, SMTP when configured, pacing from config."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.announce.dispatcher import Dispatcher, Pacing

if TYPE_CHECKING:
    from bot.core import Bot


def dispatcher_for(bot: Bot) -> Dispatcher:
    """A dispatcher over the adapters attached to ``bot`` (and email), woken by ``announce``."""
    settings = bot.config.announce
    email = None
    if settings.smtp_host:
        from bot.announce.email import EmailSender  # smtplib: only when mail is configured

        email = EmailSender(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_sender,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout,
        )
    dispatcher = Dispatcher(
        bot.services.store,
        bot.adapters,
        email=email,
        pacing=Pacing.of(settings),
        clock=bot.services.clock,
        mail_domain=settings.mail_domain,
    )
    bot.services.outbox_wake = dispatcher.wake
    return dispatcher
