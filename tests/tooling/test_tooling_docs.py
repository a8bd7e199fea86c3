"""The README and docs/*.md name only what exists. Every fenced block is closed; every relative link
(and image) points at a file or folder of the project, and an anchor at a heading of its target;
every project path and `fairgift.` name in a code span exists; and every command of every shell
block names a real make target, make variable, script, subcommand and option, file or Silverback
runner. (The console and `cast` blocks are also run verbatim: test_tooling_cli_surface.py; the
commands themselves are run by the tests of each area.) No chain, no subprocess."""

import ast
import os
import re
import shlex
from functools import cache
from pathlib import Path

import click
import pytest
from docs_text import anchors, code_spans, doc_files, links, name, parse, shell_blocks
from silverback.settings import Settings as SilverbackSettings
from tooling_env import ROOT

from scripts import abi as abi_script
from scripts import bench as bench_script
from scripts import demo as demo_script
from scripts import deploy as deploy_script
from scripts import fairgift as fairgift_script

SCRIPTS = {
    "abi": abi_script.cli,
    "bench": bench_script.cli,
    "demo": demo_script.cli,
    "deploy": deploy_script.cli,
    "fairgift": fairgift_script.cli,
}
# Options Ape gives every `ape run` script besides those it declares.
APE_RUN_OPTIONS = {"--network", "-v", "--verbosity", "-h", "--help"}
# make variables whose value is a script's options.
ARGS_OF = {"BENCH_ARGS": ("bench",), "DEMO_ARGS": ("demo",), "SERVE_ARGS": ("fairgift", "serve")}
PROJECT_FOLDERS = ("contracts", "fairgift", "tests", "tools", "scripts", "bots", "docs")
PATH_SPAN = re.compile(rf"^(?:{'|'.join(PROJECT_FOLDERS)})/[\w./-]*$")
DOTTED_SPAN = re.compile(r"^fairgift(?:\.\w+)+(?::\w+)?")
BARE_MODULE_SPAN = re.compile(r"^[\w-]+\.py$")  # `ledger.py`, as the README's map names modules
ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)=(.*)$", re.S)
README_MAX_LINES = 200  # the promise: a README a newcomer reads in one sitting


@pytest.mark.parametrize("path", doc_files(), ids=name)
def test_fenced_blocks_are_closed(path):
    parsed = parse(path)
    assert parsed.unclosed is None, f"{name(path)}:{parsed.unclosed}: a fence is never closed"
    assert parsed.reopened == (), f"{name(path)}: a block opens inside another at lines {parsed.reopened}"


def test_readme_stays_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


def test_docs_exist_and_the_readme_links_each():
    docs = {p.name for p in (ROOT / "docs").glob("*.md")}
    expected = {
        "contracts.md",
        "using.md",
        "services.md",
        "page.md",
        "benchmark.md",
        "testing.md",
        "compiler.md",
    }
    assert expected <= docs
    linked = {Path(target.partition("#")[0]).name for _, target in links(ROOT / "README.md")}
    assert docs <= linked, f"docs not linked from the README: {sorted(docs - linked)}"


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    broken = []
    for line, target in links(path):
        if re.match(r"^[a-z][a-z+.-]*:", target):  # https:, mailto:: not a file of the project
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        where = f"{path.relative_to(root)}:{line}: {target}"
        if not resolved.is_relative_to(root) or not resolved.exists():
            broken.append(f"{where} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{where} (no heading with that anchor in {resolved.relative_to(root)})")
    return broken


@pytest.mark.parametrize("path", doc_files(), ids=name)
def test_relative_links_point_at_existing_files(path):
    assert links(path) or path.name == "compiler.md"  # the parser finds links at all
    assert broken_links(path) == []


def test_a_broken_link_is_found(tmp_path):
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "a.md").write_text("# A\n\n## Run it: `make` (twice)\n\n## A\n")
    (tmp_path / "outside.md").write_text("# Outside\n")
    (project / "README.md").write_text(
        "[ok](docs/a.md) [ok](docs/a.md#run-it-make-twice) [ok](docs/a.md#a) [ok](docs/a.md#a-1) [web](https://x.org/y)\n"
        '[gone](docs/b.md) [no anchor](docs/a.md#run) ![img](docs/shot.png) <img src="../outside.md">\n'
        "```\n[in a block](nowhere.md)\n```\n`[in code](nowhere.md)`\n"
    )
    found = [problem.split(": ", 1)[1] for problem in broken_links(project / "README.md", root=project)]
    assert found == [
        "docs/b.md (no such file)",
        "docs/a.md#run (no heading with that anchor in docs/a.md)",
        "docs/shot.png (no such file)",
        "../outside.md (no such file)",
    ]


@cache
def module_names(path: Path) -> set[str]:
    """Names a module defines or imports at its top level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def module_file(parts: list[str]) -> Path | None:
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def missing_dotted(text: str) -> str | None:
    """Why `fairgift.a.b.Name…` names nothing, or None: the longest module prefix must exist and
    define (or import) the next name."""
    parts = text.replace(":", ".").split(".")
    for end in range(len(parts), 0, -1):
        path = module_file(parts[:end])
        if path is None:
            continue
        if end == len(parts) or parts[end] in module_names(path):
            return None
        return f"{'.'.join(parts[:end])} defines no {parts[end]}"
    return "no such module"


@cache
def python_file_names() -> set[str]:
    """The name of every Python file of the project (a bare `ledger.py` must be one of them)."""
    files = [*ROOT.glob("*.py")]
    for folder in PROJECT_FOLDERS:
        files += (ROOT / folder).rglob("*.py")
    return {f.name for f in files}


@pytest.mark.parametrize("path", doc_files(), ids=name)
def test_named_paths_and_modules_exist(path):
    wrong = []
    for line, span in code_spans(path):
        if PATH_SPAN.match(span) and not any(part.startswith(".") for part in span.split("/")):
            if not (ROOT / span).exists():
                wrong.append(f"{name(path)}:{line}: `{span}` does not exist")
        elif BARE_MODULE_SPAN.match(span):
            if span not in python_file_names():
                wrong.append(f"{name(path)}:{line}: no Python file of the project is named {span}")
        elif match := DOTTED_SPAN.match(span):
            if why := missing_dotted(match.group(0)):
                wrong.append(f"{name(path)}:{line}: `{span}`: {why}")
    assert wrong == []


def test_stale_names_are_found():
    assert missing_dotted("fairgift.events.ScanSource") is None
    assert missing_dotted("fairgift.index.follow:FollowRunner") is None
    assert missing_dotted("fairgift.events.NoSuchReader") == "fairgift.events defines no NoSuchReader"
    assert missing_dotted("fairgift.nowhere.thing") == "fairgift defines no nowhere"
    assert missing_dotted("fairgiftx.thing") == "no such module"
    assert {"ledger.py", "solc-shim.js"} & python_file_names() == {"ledger.py"}
    assert BARE_MODULE_SPAN.match("ledger.py") and not BARE_MODULE_SPAN.match("fairgift/ledger.py")


# ------------------------------------------------------------------------------ the shell blocks


def command_lines(text: str) -> list[list[str]]:
    """Each command of a block as words: continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    commands = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        current: list[str] = []
        for word in words:
            if word in ("&&", "||", ";", "|"):
                commands.append(current)
                current = []
            else:
                current.append(word)
        commands.append(current)
    return [c for c in commands if c]


@cache
def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", text, re.M))


@cache
def project_text() -> str:
    """The Makefile and the project's Python and tools, where a documented variable must be read."""
    files = [ROOT / "Makefile", *(ROOT / "tools").iterdir()]
    for folder in ("fairgift", "tests", "scripts", "bots"):
        files += (ROOT / folder).rglob("*.py")
    files.remove(Path(__file__).resolve())  # its own examples of stale names
    return "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in files if f.is_file())


def unknown_variable(variable: str) -> str | None:
    if variable.startswith("SILVERBACK_"):
        setting = variable.removeprefix("SILVERBACK_")
        return None if setting in SilverbackSettings.model_fields else f"Silverback has no setting {setting}"
    if re.search(rf"\b{variable}\b", project_text()):
        return None
    return f"{variable} is read by neither the Makefile nor the project's code"


def options_of(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


def script_problems(words: list[str]) -> list[str]:
    """`ape run SCRIPT [SUBCOMMAND …] [ARGS]`: the script, its subcommands and every option."""
    if not words:
        return ["`ape run` without a script"]
    script, rest = words[0], words[1:]
    if script not in SCRIPTS:
        return [f"scripts/{script}.py is not a known script"]
    command, called = SCRIPTS[script], f"ape run {script}"
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        if sub is None:
            return [f"`{called}` has no subcommand {rest[0]!r}"]
        command, called, rest = sub, f"{called} {rest[0]}", rest[1:]
    known = options_of(command) | APE_RUN_OPTIONS
    flags = [re.match(r"^\[?(--?[A-Za-z][\w-]*)", w) for w in rest]
    return [f"`{called}` has no option {m.group(1)}" for m in flags if m and m.group(1) not in known]


def existing_paths(words: list[str]) -> list[str]:
    """Words that name project paths (tests/…, tools/…) must exist."""
    paths = [w.split("::")[0] for w in words if not w.startswith("-") and w.startswith(PROJECT_FOLDERS)]
    return [f"no such path {p}" for p in paths if not (ROOT / p).exists()]


def make_problems(words: list[str]) -> list[str]:
    problems = []
    for word in words:
        if word.startswith("-"):
            continue
        if match := ASSIGNMENT.match(word):
            variable, value = match.groups()
            if why := unknown_variable(variable):
                problems.append(why)
            if variable in ARGS_OF:
                script, *sub = ARGS_OF[variable]
                problems += script_problems([script, *sub, *shlex.split(value)])
            if variable == "APE_TEST_ARGS":
                problems += existing_paths(shlex.split(value))
        elif word not in make_targets():
            problems.append(f"make has no target {word!r}")
    return problems


def silverback_problems(words: list[str]) -> list[str]:
    problems = []
    if words[:1] not in (["run"], ["worker"]):
        problems.append(f"silverback {words[:1]}: run or worker expected")
    if "--runner" in words:
        runner = words[words.index("--runner") + 1]
        if why := missing_dotted(runner):
            problems.append(f"--runner {runner}: {why}")
    if not (ROOT / "bots" / f"{words[-1]}.py").is_file():
        problems.append(f"no bot bots/{words[-1]}.py")
    return problems


def command_problems(words: list[str], block_text: str) -> list[str]:
    """What is wrong with one documented command (nothing: [])."""
    problems = []
    while words and (match := ASSIGNMENT.match(words[0])):  # VAR=value before a command
        variable, value = match.groups()
        words = words[1:]
        used_later = re.search(rf"\$\{{?{variable}\b", block_text)
        if (words or not used_later) and (why := unknown_variable(variable)):
            problems.append(why)
    if not words:
        return problems
    program, args = words[0], words[1:]
    if program == "export":
        return problems + [
            why for a in args if (m := ASSIGNMENT.match(a)) and (why := unknown_variable(m[1]))
        ]
    if program == "eval":
        inner = re.fullmatch(r"\$\((.*)\)", " ".join(args))
        return problems + (
            command_problems(shlex.split(inner[1]), block_text) if inner else ["eval of what?"]
        )
    if program == "make":
        return problems + make_problems(args)
    if program == "ape":
        if args[:1] == ["run"]:
            return problems + script_problems(args[1:])
        if args[:1] in (["test"], ["console"], ["compile"]):
            return problems + existing_paths(args[1:])
        return problems + [f"ape {args[:1]}: run, test, console or compile expected"]
    if program == "silverback":
        return problems + silverback_problems(args)
    if program == "cast":  # the block runs verbatim in test_tooling_cli_surface.py
        return problems + ([] if (ROOT / "node_modules/.bin/cast").exists() else ["cast is not installed"])
    if "/" in program:  # tools/compile-contracts, .venv/bin/python
        return problems + ([] if os.access(ROOT / program, os.X_OK) else [f"{program} is not an executable"])
    return problems + [f"{program}: a program this test does not know (teach command_problems)"]


def test_every_documented_command_names_what_exists():
    blocks = shell_blocks()
    commands = [words for block in blocks for words in command_lines(block.text)]
    assert len(blocks) >= 12 and len(commands) >= 80  # the parser finds them at all
    problems = [
        f"{name(block.path)}:{block.line}: {' '.join(words)}: {problem}"
        for block in blocks
        for words in command_lines(block.text)
        for problem in command_problems(words, block.text)
    ]
    assert problems == []


@pytest.mark.parametrize(
    "line, problem",
    [
        ("make tset", "make has no target 'tset'"),
        ("make bench BENCH_ARGS='--tipz 3'", "`ape run bench` has no option --tipz"),
        ("ape run fairgift tipp x 1", "`ape run fairgift` has no subcommand 'tipp'"),
        ("ape run fairgift quote tip 5 --slipage 1%", "`ape run fairgift quote tip` has no option --slipage"),
        ("make test APE_TEST_ARGS=tests/nowhere", "no such path tests/nowhere"),
        (
            "FAIRGIFT_NO_SUCH=1 make test",
            "FAIRGIFT_NO_SUCH is read by neither the Makefile nor the project's code",
        ),
        ("ape run nothing", "scripts/nothing.py is not a known script"),
        ("frobnicate", "frobnicate: a program this test does not know (teach command_problems)"),
    ],
)
def test_a_stale_command_is_found(line, problem):
    assert problem in command_problems(command_lines(line)[0], line)
