"""Outgoing PRIVMSG queue: flood-controlled, fair between targets, never silent on loss.

Channel lines wait here while the bot is disconnected and go out after it
has reconnected (private lines are dropped, see below); a line that waited
longer than ``max_age`` is dropped with a log entry naming the command it
answered, so nothing is lost silently.

A private reply is meant for a person, not for a nick: its batch names the
:class:`Recipient` (services account, or nick!user@host when not logged in),
and before each of its lines the ``guard`` (see :class:`~adapters.irc.
membership.Membership`) says whether the nick is still held by that person.
Server events drop what is left when the person goes (:meth:`Outbox.forget`),
changes account (:meth:`Outbox.account_changed`) or when the bot loses its
connection (:meth:`Outbox.drop_private`); a nick change is followed
(:meth:`Outbox.rename`). With ``echo-message``, a nick has one private line
in flight at a time (see ``_verdict``).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from adapters.irc.flood import TokenBucket
from adapters.irc.identity import irc_lower
from adapters.irc.render import Outgoing
from adapters.irc.unconfirmed import Unconfirmed
from bot.adapter import SendFailed

log = logging.getLogger(__name__)

#: How often held lines are looked at again when no event wakes the outbox.
RECHECK_INTERVAL = 1.0


class DeliveryFailed(SendFailed):
    """Lines of a reply could not be sent (too old, refused, or the adapter stopped)."""


class Hold(enum.Enum):
    """A guard's answer: not yet known whether the nick's holder is the recipient."""

    HOLD = "hold"


HOLD = Hold.HOLD


def is_channel(target: str) -> bool:
    return target.startswith(("#", "&", "+", "!"))


@dataclass(frozen=True)
class Recipient:
    """The person a private reply is for: who spoke, as the server showed them."""

    nick: str
    user: str
    host: str
    account: str | None

    def label(self, nick: str | None = None) -> str:
        """For logs: the nick the lines were queued for now, and who that was meant to be."""
        nick = nick or self.nick
        who = f"account {self.account}" if self.account is not None else "not logged in"
        if irc_lower(nick) != irc_lower(self.nick):
            who += f", asked as {self.nick}"
        if self.account is None:
            who = f"{self.user}@{self.host}, {who}"
        return f"{nick} ({who})"


#: (current nick, recipient, seconds since queued) -> None: send; HOLD: wait; str: drop, why.
Guard = Callable[[str, Recipient, float], "str | Hold | None"]


def _key(line: _Line) -> str:
    """The queue a line waits in: its target, and in a channel also whom it answers, so
    that the round robin is fair between people asking in one channel."""
    target = irc_lower(line.target)
    recipient = line.batch.recipient
    if recipient is not None and is_channel(line.target):
        return f"{target} {irc_lower(recipient.nick)}"
    return target


def _wire(line: _Line) -> str:
    return f"PRIVMSG {line.target} :{line.text}"


def _other_than(refused: Recipient | None) -> Callable[[Recipient | None], bool]:
    return lambda recipient: recipient != refused


@dataclass
class _Batch:
    """The lines of one reply; ``done`` resolves when the last one was written."""

    origin: str
    remaining: int
    created: float
    done: asyncio.Future[None] | None = None
    failed: bool = False
    recipient: Recipient | None = None


@dataclass
class _Line:
    target: str
    text: str
    batch: _Batch


@dataclass
class Outbox:
    bucket: TokenBucket
    max_age: float = 300.0
    clock: Callable[[], float] = time.monotonic
    guard: Guard | None = None
    on_idle: Callable[[str], None] | None = None  # a nick has no private line queued any more
    # The server echoes what it took (echo-message): a line counts once echoed.
    confirm_writes: bool = False
    _queues: OrderedDict[str, deque[_Line]] = field(default_factory=OrderedDict)
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    _unconfirmed: Unconfirmed[_Line] = field(default_factory=Unconfirmed)
    _in_burst: set[str] = field(default_factory=set)  # private targets of the burst being made

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def put(
        self,
        lines: Iterable[Outgoing],
        origin: str,
        track: bool = False,
        recipient: Recipient | None = None,
    ) -> _Batch:
        """Queue the lines of one reply; ``origin`` says what they answer (for logs).

        With a ``recipient``, the private lines are checked by the guard and
        dropped when that person leaves the nick.
        """
        items = list(lines)
        done = asyncio.get_running_loop().create_future() if track else None
        batch = _Batch(origin, len(items), self.clock(), done, recipient=recipient)
        for item in items:
            line = _Line(item.target, item.text, batch)
            self._queues.setdefault(_key(line), deque()).append(line)
        if not items and done is not None:
            done.set_result(None)
        self.wake()
        return batch

    def wake(self) -> None:
        """Something changed (an answer about a held nick): look at the queues again."""
        self._wakeup.set()

    def pending_for(self, nick: str) -> bool:
        return bool(self._queues.get(irc_lower(nick)))

    def rename(self, old: str, new: str) -> None:
        """A nick change: queued private lines follow the person."""
        old_key, new_key = irc_lower(old), irc_lower(new)
        if old_key not in self._queues or is_channel(old):
            return
        for line in self._queues[old_key]:
            line.target = new
        renamed: OrderedDict[str, deque[_Line]] = OrderedDict()
        for key, queue in self._queues.items():  # keep the queue's turn in the rotation
            key = new_key if key == old_key else key
            renamed.setdefault(key, deque()).extend(queue)
        self._queues = renamed

    def forget(
        self, nick: str, why: str, keep: Callable[[Recipient | None], bool] | None = None
    ) -> int:
        """Drop the lines queued for ``nick`` (those whose recipient ``keep`` spares stay)."""
        key = irc_lower(nick)
        queue = self._queues.get(key)
        if not queue or is_channel(nick):
            return 0
        kept = deque(line for line in queue if keep is not None and keep(line.batch.recipient))
        dropped = [line for line in queue if keep is None or not keep(line.batch.recipient)]
        if kept:
            self._queues[key] = kept
        else:
            del self._queues[key]
        self._discard(dropped, why)
        if not kept and self.on_idle is not None:
            self.on_idle(nick)
        return len(dropped)

    def account_changed(self, nick: str, account: str | None) -> int:
        """``nick`` logged out or in as someone else: its replies for an account go."""
        if account is None:
            why = f"{nick} logged out"
        else:
            why = f"{nick} is now logged in as {account}"

        def still_theirs(recipient: Recipient | None) -> bool:
            if recipient is None or recipient.account is None:
                return True
            return account is not None and irc_lower(recipient.account) == irc_lower(account)

        return self.forget(nick, why, keep=still_theirs)

    def confirmed(self, target: str, text: str) -> None:
        """The server echoed a line of ours: it was delivered."""
        line = self._unconfirmed.confirm(target, text)
        if line is not None:
            self._delivered(line)
            if not is_channel(line.target):
                self.wake()  # that nick's next private line may go now

    def refused(self, target: str, why: str) -> None:
        """The server refused a line to ``target`` (cannot send to channel, no such nick)."""
        line = self._unconfirmed.refused(target)
        if line is not None:
            self._fail(line, why)
            self.wake()

    def connection_lost(self, why: str) -> None:
        """The connection is gone: channel lines it never confirmed go out again on the
        next one; private lines (queued or unconfirmed) are dropped, see drop_private."""
        unconfirmed = self._unconfirmed.take_all()
        for line in reversed([ln for ln in unconfirmed if is_channel(ln.target)]):
            self._push_back(line)
        private = [ln for ln in unconfirmed if not is_channel(ln.target)]
        if private:
            self._discard(private, f"{why}, before the server confirmed them")
        self.drop_private(why)

    def drop_private(self, why: str) -> None:
        """The connection is gone: nobody queued a private line for is known any more."""
        for key in [k for k, q in self._queues.items() if q and not is_channel(q[0].target)]:
            nick = self._queues[key][0].target
            self._discard(list(self._queues.pop(key)), why)
            if self.on_idle is not None:
                self.on_idle(nick)

    def _discard(self, lines: list[_Line], why: str) -> None:
        batches: dict[int, tuple[_Batch, str, int]] = {}
        for line in lines:
            batch, target, count = batches.get(id(line.batch), (line.batch, line.target, 0))
            batches[id(batch)] = (batch, target, count + 1)
        for batch, target, count in batches.values():
            who = batch.recipient.label(target) if batch.recipient is not None else target
            log.warning(
                "irc: %d line%s for %s not delivered: %s (the reply to %s)",
                count,
                "" if count == 1 else "s",
                who,
                why,
                batch.origin,
            )
            batch.failed = True
            if batch.done is not None and not batch.done.done():
                batch.done.set_exception(DeliveryFailed(why))

    def _fail(self, line: _Line, why: str) -> None:
        batch = line.batch
        if not batch.failed:
            batch.failed = True
            log.warning(
                "irc: reply to %s could not be delivered to %s: %s", batch.origin, line.target, why
            )
            if batch.done is not None and not batch.done.done():
                batch.done.set_exception(DeliveryFailed(why))

    def expire(self) -> None:
        """Drop lines older than ``max_age``, logging the reply each belonged to."""
        now = self.clock()
        for key in list(self._queues):
            queue = self._queues[key]
            target = queue[0].target if queue else key
            while queue and now - queue[0].batch.created > self.max_age:
                self._fail(queue.popleft(), f"still undelivered after {self.max_age:.0f} s")
            if not queue:
                del self._queues[key]
                if self.on_idle is not None and not is_channel(target):
                    self.on_idle(target)

    def drop_all(self, why: str) -> None:
        for line in self._unconfirmed.take_all():
            self._fail(line, why)
        for queue in self._queues.values():
            for line in queue:
                self._fail(line, why)
        self._queues.clear()

    def _verdict(self, line: _Line) -> str | Hold | None:
        if is_channel(line.target):
            return None
        if self.confirm_writes and (
            irc_lower(line.target) in self._in_burst or self._unconfirmed.pending_to(line.target)
        ):
            # One private line in flight per nick: the next is written only after the
            # server echoed this one. A NICK or QUIT the server handled before it has
            # reached us by then, so the guard sees it before the next line goes; a
            # nick that changed hands mid-reply costs at most the one line in flight.
            return HOLD
        recipient = line.batch.recipient
        if self.guard is None or recipient is None:
            return None
        return self.guard(line.target, recipient, self.clock() - line.batch.created)

    def _select(self) -> str | None:
        """The key of the queue whose line goes next, dropping what the guard refuses."""
        self.expire()
        for key in list(self._queues):
            while queue := self._queues.get(key):
                verdict = self._verdict(queue[0])
                if verdict is None:
                    return key
                if verdict is HOLD:
                    break
                # Not that person any more: drop their lines, look at what else waits.
                self.forget(queue[0].target, verdict, keep=_other_than(queue[0].batch.recipient))
        return None

    def _pop(self) -> _Line | None:
        # Round robin: one line per target (per asker, in a channel) in turn, so one
        # long answer, or one person asking a lot, cannot hold back anyone else's. In a
        # channel a reply is finished before the turn passes: interleaved lines of two
        # answers would read as one.
        key = self._select()
        if key is None:
            return None
        queue = self._queues.pop(key)
        line = queue.popleft()
        if queue:
            self._queues[key] = queue
            if is_channel(line.target) and queue[0].batch is line.batch:
                self._queues.move_to_end(key, last=False)
        elif self.on_idle is not None and not is_channel(line.target):
            self.on_idle(line.target)
        return line

    def _push_back(self, line: _Line) -> None:
        key = _key(line)
        queue = self._queues.pop(key, deque())
        queue.appendleft(line)
        self._queues[key] = queue
        self._queues.move_to_end(key, last=False)

    async def _idle(self) -> None:
        self._wakeup.clear()
        if not self._queues:
            await self._wakeup.wait()
            return
        # Only held lines: an answer wakes us, but look again now and then (expiry).
        # asyncio.timeout, not wait_for: on 3.11 wait_for loses a cancellation that comes
        # as the event is set, and the outbox then never stopped (seen in a loaded run).
        try:
            async with asyncio.timeout(RECHECK_INTERVAL):
                await self._wakeup.wait()
        except TimeoutError:
            pass

    async def run(self, write: Callable[[Sequence[str]], None]) -> None:
        """Send lines through ``write`` at the bucket's pace until cancelled or it fails.

        The token is taken *before* the line is chosen, so the guard's check
        and the write happen together, however long the bucket made us wait.
        Every line that has a token at hand joins one call of ``write``: a
        reply's lines leave in one write, as one TCP segment, and the server
        relays them together rather than a round trip apart.
        """
        have_token = False
        while True:
            if self._select() is None:
                await self._idle()
                continue
            if not have_token:
                await self.bucket.take()
                have_token = True
            burst: list[_Line] = []
            while (line := self._pop()) is not None:  # None: dropped or held while we waited
                burst.append(line)
                if not is_channel(line.target):
                    self._in_burst.add(irc_lower(line.target))
                if self._select() is None or not self.bucket.try_take():
                    break
            self._in_burst.clear()
            if not burst:
                continue  # keep the token
            have_token = False
            if not self._write(write, burst):
                return

    def _write(self, write: Callable[[Sequence[str]], None], burst: list[_Line]) -> bool:
        """Write ``burst``; ``False`` when the connection went away (what is left waits)."""
        try:
            write([_wire(line) for line in burst])
            sent = burst
        except ValueError:  # an unsafe or oversized line: a bug, never retried; find it
            sent = []
            for index, line in enumerate(burst):
                try:
                    write([_wire(line)])
                except ValueError as exc:
                    self._fail(line, str(exc))
                    continue
                except Exception as exc:
                    self._connection_gone(burst[index:], exc)
                    self._written(sent)
                    return False
                sent.append(line)
        except Exception as exc:
            self._connection_gone(burst, exc)
            return False
        self._written(sent)
        return True

    def _connection_gone(self, unsent: list[_Line], why: Exception) -> None:
        for line in reversed(unsent):  # kept, in order, for the next connection
            self._push_back(line)
        log.info("irc: pausing the outbox: %s", why)

    def _written(self, lines: list[_Line]) -> None:
        for line in lines:
            if self.confirm_writes:
                self._unconfirmed.add(line)
            else:
                self._delivered(line)

    def _delivered(self, line: _Line) -> None:
        line.batch.remaining -= 1
        if line.batch.remaining == 0 and line.batch.done is not None:
            if not line.batch.done.done():
                line.batch.done.set_result(None)
