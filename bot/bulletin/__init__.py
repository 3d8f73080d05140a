"""What the bot tells everyone about announcements once they are sent.

``news`` and the aside in ``status``/``diagnose`` (is it me or is it
Toolforge?), acknowledgements (``ack`` and reactions), reminders to those who
have not acknowledged, and the public record (an HTML page and an Atom feed).
All of it reads announcements through :class:`AnnouncementView`, a small
frozen read model, never the ORM rows.
"""

from bot.bulletin.view import AnnouncementView

__all__ = ["AnnouncementView"]
