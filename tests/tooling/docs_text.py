"""The README and docs/*.md as the tests read them: the files, their fenced blocks, headings (with
the anchors GitHub gives them), links and code spans. The console and `cast` tests run blocks found
here verbatim; test_tooling_docs.py checks that every link, path and command they name exists."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tooling_env import ROOT

FENCE = re.compile(r"^( *)(`{3,})(\S*)\s*$")  # indented inside a list item too
HEADING = re.compile(r"^(#{1,6}) +(.+?) *$")
CODE_SPAN = re.compile(r"`[^`\n]+`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
IMG_SRC = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]+)\"")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, from 1
    language: str
    text: str


@dataclass(frozen=True)
class Parsed:
    blocks: tuple[Block, ...]
    prose: tuple[tuple[int, str], ...]  # (line number, line) outside fenced blocks
    unclosed: int | None  # the line of a fence that is never closed
    reopened: tuple[int, ...]  # lines that open a ```language block inside an open one: a missing close


def doc_files() -> list[Path]:
    """The README and every docs/*.md."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


@cache
def parse(path: Path) -> Parsed:
    blocks: list[Block] = []
    prose: list[tuple[int, str]] = []
    opened: tuple[int, str, str, int] | None = None  # (line, fence, language, indent)
    body: list[str] = []
    reopened: list[int] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = FENCE.match(line)
        if opened is None:
            if match:
                opened, body = (number, match.group(2), match.group(3), len(match.group(1))), []
            else:
                prose.append((number, line))
        elif match and match.group(2) == opened[1] and not match.group(3):
            blocks.append(Block(path, opened[0], opened[2], "".join(f"{b[opened[3] :]}\n" for b in body)))
            opened = None
        else:
            if match and match.group(3):
                reopened.append(number)
            body.append(line)
    return Parsed(tuple(blocks), tuple(prose), opened[0] if opened else None, tuple(reopened))


def slug(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = title.lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def headings(path: Path) -> list[str]:
    return [m.group(2) for _, line in parse(path).prose if (m := HEADING.match(line))]


def anchors(path: Path) -> set[str]:
    """Every heading's anchor, with GitHub's -1, -2 … for repeated titles."""
    seen: dict[str, int] = {}
    result = set()
    for title in headings(path):
        base = slug(title)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def section_block(heading: str, language: str) -> str:
    """The first ```language block after the one heading (in any of the doc files) whose title
    starts with `heading`, so a test runs exactly what the documentation shows."""
    found = []
    for path in doc_files():
        parsed = parse(path)
        for number, line in parsed.prose:
            match = HEADING.match(line)
            if match and match.group(2).startswith(heading):
                after = [b for b in parsed.blocks if b.line > number and b.language == language]
                found.append((path, number, after[0].text if after else None))
    assert len(found) == 1, f"{heading!r}: expected one heading in README.md or docs/, found {found}"
    path, number, text = found[0]
    assert text is not None, f"no ```{language} block after {name(path)}:{number}"
    return text


def links(path: Path) -> list[tuple[int, str]]:
    """(line, target) of every Markdown link and <img src> outside code."""
    found = []
    for number, line in parse(path).prose:
        line = CODE_SPAN.sub("code", line)
        found += [(number, m.group(1)) for m in LINK.finditer(line)]
        found += [(number, m.group(1)) for m in IMG_SRC.finditer(line)]
    return found


def code_spans(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every inline code span outside fenced blocks."""
    return [(n, m.group(0)[1:-1]) for n, line in parse(path).prose for m in CODE_SPAN.finditer(line)]


def shell_blocks() -> list[Block]:
    """Every ```bash block of the README and docs/*.md."""
    return [b for path in doc_files() for b in parse(path).blocks if b.language in ("bash", "sh", "shell")]
