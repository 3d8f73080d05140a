"""products [answers...]: which Wikimedia Cloud Services product fits, in three questions.

Stateless: the answers so far are the arguments (``products code app``), so
every reply says exactly what to type next. Any answer word may also be
given on its own (``products notebook``) to jump straight to it, and free
words are read for the ones that mean an answer (``products python``,
``products I need a db``). The whole ladder of products is shown only when
asked (``products ladder``), not with every answer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot.commands import Arg, Invocation, command
from bot.context import Context
from bot.reply import Bullets, Inline, Link, Part, Reply, Strong, Text
from bot.text import quote_user


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    what: str
    links: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    text: str
    options: tuple[tuple[str, str, str], ...]  # (answer, description, next question or product)


PRODUCTS: dict[str, Product] = {
    "toolhub": Product("Toolhub", "find and use the tools others already run",
                       (("Toolhub", "https://toolhub.wikimedia.org/"),)),
    "quarry": Product("Quarry and Superset", "SQL queries on the wiki replicas in the browser; "
                      "Superset for charts and dashboards",
                      (("Quarry", "https://quarry.wmcloud.org/"),
                       ("Superset", "https://superset.wmcloud.org/"),
                       ("Quarry help", "https://meta.wikimedia.org/wiki/Research:Quarry"))),
    "paws": Product("PAWS", "Jupyter notebooks (Python, R) with the replicas and pywikibot "
                    "ready, nothing to install",
                    (("PAWS", "https://paws.wmcloud.org/"),
                     ("PAWS help", "https://wikitech.wikimedia.org/wiki/PAWS"))),
    "toolforge": Product("Toolforge with the build service", "your web tool, bot or scheduled "
                         "jobs from a git repository, built with buildpacks; no servers to run",
                         (("Toolforge quickstart",
                           "https://wikitech.wikimedia.org/wiki/Help:Toolforge/Quickstart"),
                          ("Build service",
                           "https://wikitech.wikimedia.org/wiki/Help:Toolforge/Build_Service"),
                          ("Jobs framework",
                           "https://wikitech.wikimedia.org/wiki/Help:Toolforge/Jobs_framework"))),
    "cloudvps": Product("Cloud VPS", "virtual machines with root: your own images, daemons, "
                        "databases and system setup; you maintain them",
                        (("Cloud VPS", "https://wikitech.wikimedia.org/wiki/Help:Cloud_VPS"),)),
    "mediawiki": Product("MediaWiki development setups", "MediaWiki-Docker on your computer, "
                         "Patch Demo to show a patch to others, the Beta Cluster to test with "
                         "production-like configuration",
                         (("MediaWiki-Docker", "https://www.mediawiki.org/wiki/MediaWiki-Docker"),
                          ("Patch Demo", "https://patchdemo.wmcloud.org/"),
                          ("Beta Cluster", "https://wikitech.wikimedia.org/wiki/Beta_Cluster"))),
}  # fmt: skip

# one rung per skill set, from "nothing to set up" to "your own machine"
LADDER = ("toolhub", "quarry", "paws", "toolforge", "cloudvps")

QUESTIONS: dict[str, Question] = {
    "start": Question("start", "Do you write code?", (
        ("code", "yes, I write code (or SQL)", "kind"),
        ("nocode", "no, I want to use what exists", "toolhub"),
    )),
    "kind": Question("kind", "What do you want to build?", (
        ("sql", "only SQL queries on wiki data", "quarry"),
        ("notebook", "analyses and experiments in notebooks", "paws"),
        ("app", "a web tool, a bot or scheduled jobs", "runtime"),
        ("mediawiki", "changes to MediaWiki or an extension", "mediawiki"),
    )),
    "runtime": Question("runtime", "What does it need to run?", (
        ("buildpack", "code in one language with its dependencies (Python, PHP, Node.js, ...)",
         "toolforge"),
        ("container", "my own Dockerfile, or several services together", "cloudvps"),
        ("vm", "a full machine with root", "cloudvps"),
    )),
}  # fmt: skip

SYNONYMS = {"yes": "code", "y": "code", "no": "nocode", "n": "nocode", "query": "sql",
            "quarry": "sql", "superset": "sql", "paws": "notebook", "jupyter": "notebook",
            "tool": "app", "bot": "app", "web": "app", "toolforge": "buildpack",
            "docker": "container", "root": "vm", "server": "vm", "mw": "mediawiki",
            "extension": "mediawiki"}  # fmt: skip
# Free words people use for an answer.
SYNONYMS.update({
    **dict.fromkeys(("python", "php", "node", "nodejs", "javascript", "js", "java", "ruby",
                     "perl", "rust", "flask", "django", "buildpacks"), "buildpack"),
    **dict.fromkeys(("website", "webapp", "webservice", "api", "cron", "job", "jobs",
                     "scheduled", "tool", "bots", "app"), "app"),
    **dict.fromkeys(("db", "database", "databases", "replica", "replicas", "mysql",
                     "mariadb", "queries", "select"), "sql"),
    **dict.fromkeys(("notebooks", "analysis", "pandas", "research"), "notebook"),
    **dict.fromkeys(("vps", "machine", "vms", "daemon"), "vm"),
    **dict.fromkeys(("dockerfile", "containers", "kubernetes", "k8s", "compose"), "container"),
    **dict.fromkeys(("nothing", "none", "use", "find"), "nocode"),
    "mediawiki-docker": "mediawiki", "write": "code", "coding": "code", "program": "code",
    "develop": "code",
})  # fmt: skip
# What a free word may have meant instead, said beside the product it led to.
NOTES = {
    "python": "Python for analyses rather than a tool? try products notebook.",
    "db": "Tables for your own tool rather than wiki data? Toolforge has ToolsDB (help storage).",
    "database": "Tables for your own tool rather than wiki data? Toolforge has ToolsDB "
                "(help storage).",
}  # fmt: skip
LADDER_WORDS = frozenset({"ladder", "all", "list", "options"})
_PUNCTUATION = ".,;:!?\"'()"


@dataclass(frozen=True, slots=True)
class Advice:
    """Either the next ``question`` or the recommended ``product``; ``path`` is the
    canonical answers so far, ``unknown`` an answer that was not understood."""

    path: tuple[str, ...]
    question: Question | None = None
    product: Product | None = None
    unknown: str | None = None
    note: str | None = None


def _answer(raw: str) -> str:
    word = raw.lower().strip(_PUNCTUATION)
    return SYNONYMS.get(word, word)


def _understood(raw: str) -> bool:
    word = _answer(raw)
    return any(word == a for q in QUESTIONS.values() for a, _, _ in q.options)


def advise(answers: list[str]) -> Advice:
    """Free words are read for the answers among them; the others are set aside (and
    named when no product is reached)."""
    if answers and not any(_understood(w) for w in answers):
        return Advice((), question=QUESTIONS["start"], unknown=" ".join(answers))
    ignored = [w for w in answers if not _understood(w)]
    advice = _walk([w for w in answers if _understood(w)])
    note = next((NOTES[k] for k in (w.lower().strip(_PUNCTUATION) for w in answers)
                 if k in NOTES), None)  # fmt: skip
    # Words set aside in a sentence are filler; beside an answer or two, a typo worth naming.
    if advice.product is None and ignored and advice.unknown is None and len(answers) <= 2:
        return dataclasses.replace(advice, unknown=" ".join(ignored))
    return dataclasses.replace(advice, note=note) if advice.product is not None else advice


def _walk(answers: list[str]) -> Advice:
    node = "start"
    path: list[str] = []
    for raw in answers:
        word = _answer(raw)
        question = QUESTIONS[node]
        target = next((nxt for answer, _, nxt in question.options if answer == word), None)
        if target is None:
            jump = _jump(word)
            if jump is None:
                return Advice(tuple(path), question=question, unknown=raw)
            path, target = jump
        else:
            path.append(word)
        if target in PRODUCTS:
            return Advice(tuple(path), product=PRODUCTS[target])
        node = target
    return Advice(tuple(path), question=QUESTIONS[node])


def _jump(word: str) -> tuple[list[str], str] | None:
    """The full answer path to ``word`` when it answers a later question."""
    trail: list[str] = []

    def walk(node: str) -> str | None:
        for answer, _, nxt in QUESTIONS[node].options:
            trail.append(answer)
            if answer == word:
                return nxt
            if nxt in QUESTIONS and (found := walk(nxt)):
                return found
            trail.pop()
        return None

    target = walk("start")
    return (trail, target) if target else None


async def _products(ctx: Context, inv: Invocation) -> Reply:
    words = (inv["answers"] or "").split()
    if len(words) == 1 and words[0].lower() in LADDER_WORDS:
        return Reply(_ladder(), summary="the Wikimedia Cloud Services products")
    advice = advise(words)
    so_far = " ".join(("products", *advice.path))
    if advice.product is not None:
        advised = _recommendation(advice.product)
        if advice.note:
            advised += (Text.of(advice.note),)
        advised += (Text.of("All the options, from nothing to set up to your own machine: ",
                            Strong(ctx.hint("products ladder")), "."),)  # fmt: skip
        return Reply(advised, summary=f"try {advice.product.name}")
    question = advice.question or QUESTIONS["start"]
    parts: list[Part] = []
    if advice.unknown:
        parts.append(Text.of(f"I did not understand {quote_user(advice.unknown)}."))
    parts.append(Text.of(Strong(question.text)))
    parts.append(Bullets(tuple((Strong(a), f": {d}") for a, d, _ in question.options)))
    parts.append(Text.of("Answer with ", Strong(ctx.hint(f"{so_far} <answer>")), "."))
    return Reply(tuple(parts), summary=question.text)


def _recommendation(product: Product) -> tuple[Part, ...]:
    links: list[Inline] = []
    for label, url in product.links:
        links += [Link(label, url), " "]
    return (
        Text.of("Try ", Strong(product.name), f": {product.what}."),
        Text(tuple(links[:-1])),
    )


def _ladder() -> tuple[Part, ...]:
    rungs = tuple((Strong(PRODUCTS[key].name), f": {PRODUCTS[key].what}") for key in LADDER)
    return (Text.of("The ladder, from nothing to set up to your own machine:"), Bullets(rungs))


COMMAND = command(
    "products",
    summary="which Wikimedia Cloud Services product fits what you want to do",
    args=(Arg("answers", help="your answers so far, e.g. 'code app'", required=False, rest=True),),
    details="Three questions at most: do you write code, what do you build, what does it need. "
    "Free words work too (products python, products db); products ladder lists them all.",
)(_products)
