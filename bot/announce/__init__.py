"""Announcements: compose, choose the audience, deliver through the outbox, exactly once.

- :mod:`bot.announce.markdown`: the body's Markdown subset, as neutral Reply parts.
- :mod:`bot.announce.message`: what each recipient receives (chat and email).
- :mod:`bot.announce.audience`: channels and maintainers of tools (explicit,
  all, or chosen by a selector through the Toolforge API), into deliveries.
- :mod:`bot.announce.dispatcher`: drains the outbox in the running bot.
- :mod:`bot.announce.email`: mail through SMTP for people with no chat link.

The rows live in the store (:mod:`bot.store.announcement_methods`).
"""
