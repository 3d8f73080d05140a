"""products: three questions at most, then a product with links and the ladder."""

from __future__ import annotations

import pytest

from bot.core import Bot
from bot.message import ChatIdentity, Message
from bot.reply import Link, Reply, plain_text
from commands.products import LADDER, PRODUCTS, advise
from tests.conftest import MakeBot


@pytest.mark.parametrize(
    ("answers", "product"),
    [
        ("no", "Toolhub"),
        ("code sql", "Quarry and Superset"),
        ("yes notebook", "PAWS"),
        ("code app buildpack", "Toolforge with the build service"),
        ("code app container", "Cloud VPS"),
        ("code app vm", "Cloud VPS"),
        ("code mediawiki", "MediaWiki development setups"),
        ("sql", "Quarry and Superset"),  # a later answer on its own jumps ahead
        ("docker", "Cloud VPS"),
        ("PAWS", "PAWS"),
    ],
)
def test_answers_lead_to_a_product(answers: str, product: str) -> None:
    advice = advise(answers.split())
    assert advice.product is not None and advice.product.name == product


def test_jumping_ahead_fills_in_the_path() -> None:
    assert advise(["buildpack"]).path == ("code", "app", "buildpack")


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ("", "Do you write code?"),
        ("code", "What do you want to build?"),
        ("code bot", "What does it need to run?"),
        ("code banana", "What do you want to build?"),
    ],
)
def test_questions(answers: str, question: str) -> None:
    advice = advise(answers.split())
    assert advice.product is None and advice.question is not None
    assert advice.question.text == question


async def _ask(bot: Bot, line: str, *, room: str | None = None) -> Reply:
    sender = ChatIdentity("console", "bob", "bob")
    text = f"!tf {line}" if room else line
    reply = await bot.handle(Message("console", sender, text, room=room, direct=room is None))
    assert reply is not None
    return reply


@pytest.fixture
async def bot(make_bot: MakeBot) -> Bot:
    bot = await make_bot()
    return bot


async def test_question_reply_says_what_to_type_next(bot: Bot) -> None:
    text = plain_text(await _ask(bot, "products code frob", room="#wikimedia-cloud"))
    assert "I did not understand 'frob'." in text
    assert "What do you want to build?" in text
    assert "- sql: only SQL queries on wiki data" in text
    assert "Answer with !tf products code <answer>." in text


async def test_recommendation_reply_has_links_and_the_ladder(bot: Bot) -> None:
    assert "What does it need to run?" in plain_text(await _ask(bot, "products code app"))
    reply = await _ask(bot, "products yes app buildpack")
    text = plain_text(reply)
    assert text.startswith("Try Toolforge with the build service: ")
    links = [s for part in reply.parts for s in getattr(part, "spans", ()) if isinstance(s, Link)]
    assert [link.url for link in links] == [url for _, url in PRODUCTS["toolforge"].links]
    # The ladder is not repeated with every recommendation: one line says how to ask for it.
    assert not [line for line in text.splitlines() if line.startswith("- ")]
    assert text.endswith("from nothing to set up to your own machine: products ladder.")
    ladder = plain_text(await _ask(bot, "products ladder"))
    rungs = [line[2:].split(":")[0] for line in ladder.splitlines() if line.startswith("- ")]
    assert rungs == [PRODUCTS[key].name for key in LADDER]


@pytest.mark.parametrize(
    ("words", "product", "note"),
    [
        ("python", "Toolforge with the build service", "try products notebook"),
        ("db", "Quarry and Superset", "ToolsDB"),
        ("I want to write a python bot", "Toolforge with the build service", "notebook"),
        ("we need a Dockerfile", "Cloud VPS", None),
    ],
)
async def test_free_words_are_read_for_an_answer(
    bot: Bot, words: str, product: str, note: str | None
) -> None:
    text = plain_text(await _ask(bot, f"products {words}"))
    assert text.startswith(f"Try {product}: "), text
    assert "did not understand" not in text
    if note:
        assert note in text
