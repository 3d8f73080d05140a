"""Reply -> IRC lines: cleaning, styling, addressing, and keeping channels quiet."""

from __future__ import annotations

from adapters.irc.lines import payload_budget
from adapters.irc.render import Limits, Outgoing, plan_announcement, plan_reply, reply_lines
from bot.reply import Badge, Bullets, Code, Link, Reply, Strong, Table, Text, Tone

MASK = "forgebot!forgebot@127.0.0.1"


def budget(target: str) -> int:
    return payload_budget(MASK, "PRIVMSG", target)


def long_reply(n: int, private: bool = False) -> Reply:
    return Reply((Code("\n".join(f"line {i}" for i in range(n))),), private=private)


HOSTILE = "x\r\nQUIT :pwned\r\nPRIVMSG #c :hi\x00\x01"


def test_every_part_is_cleaned_of_line_breaks_and_controls() -> None:
    reply = Reply(
        (
            Text.of("tool ", Strong(HOSTILE), " ", Badge(HOSTILE, Tone.ERROR)),
            Code(HOSTILE),
            Table(("job", HOSTILE), ((HOSTILE, Link(HOSTILE, "http://x\r\ny")),)),
            Bullets(((HOSTILE,),)),
        )
    )
    out = plan_reply(reply, "alice", "#c", budget, Limits(max_channel_lines=50))
    for item in out:
        assert not set(item.text) & {"\r", "\n", "\x00", "\x01"}
    # Code keeps its own lines (each its own PRIVMSG); inline fields stay on one line.
    assert any(o.text == "QUIT :pwned" for o in out)  # a line *of text*, not a command
    assert any("x QUIT :pwned PRIVMSG #c :hi" in o.text for o in out)


def test_formatting_only_when_configured() -> None:
    reply = Reply.text(Badge("running", Tone.OK), " ", Strong("sample-web"))
    assert reply_lines(reply, formatting=False) == ["[running] sample-web"]
    styled = reply_lines(reply, formatting=True)[0]
    assert "\x0303running\x0f" in styled and "\x02sample-web\x02" in styled


def test_channel_reply_is_addressed_to_the_speaker() -> None:
    out = plan_reply(Reply.text("ok"), "alice", "#c", budget, Limits())
    assert out == [Outgoing("#c", "alice: ok")]


def test_private_message_reply_goes_to_the_speaker() -> None:
    out = plan_reply(Reply.text("ok"), "alice", None, budget, Limits())
    assert out == [Outgoing("alice", "ok")]


def test_private_reply_asked_in_a_channel_leaves_only_a_note_there() -> None:
    out = plan_reply(long_reply(3, private=True), "alice", "#c", budget, Limits())
    assert out[0].target == "#c" and "private message" in out[0].text
    assert [o.target for o in out[1:]] == ["alice"] * 3


def test_long_channel_reply_moves_to_private() -> None:
    out = plan_reply(long_reply(200), "alice", "#c", budget, Limits(max_private_lines=60))
    in_channel = [o for o in out if o.target == "#c"]
    private = [o for o in out if o.target == "alice"]
    assert len(in_channel) == 1 and "200 lines" in in_channel[0].text
    assert len(private) == 60
    assert private[-1].text == "… 141 more lines: ask with --lines"


def test_long_channel_reply_truncates_when_configured() -> None:
    limits = Limits(max_channel_lines=5, overflow="truncate")
    out = plan_reply(long_reply(200), "alice", "#c", budget, limits)
    assert [o.target for o in out] == ["#c"] * 5
    assert out[-1].text == "… 196 more lines: ask with --lines"


def test_long_lines_are_split_under_the_relayed_limit() -> None:
    text = "word " * 300
    out = plan_reply(Reply.text(text), "alice", "#wikimedia-cloud", budget, Limits())
    assert len(out) > 1
    for item in out:
        relayed = f":{MASK} PRIVMSG {item.target} :{item.text}\r\n"
        assert len(relayed.encode()) <= 512


def test_blank_lines_are_not_sent_empty() -> None:
    reply = Reply((Code("a\n\nb\n\n"),))
    out = plan_reply(reply, "alice", None, budget, Limits())
    assert [o.text for o in out] == ["a", " ", "b"]


def test_empty_reply_sends_nothing() -> None:
    assert plan_reply(Reply(()), "alice", "#c", budget, Limits()) == []


def test_announcement_is_capped_and_not_addressed() -> None:
    out = plan_announcement(long_reply(20), "#c", budget, Limits(max_channel_lines=5))
    assert len(out) == 5 and out[0].text == "line 0"
