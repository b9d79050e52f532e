"""The README and docs/ stay true: links and anchors resolve, shell examples run, and
the command reference's embedded `--help` is current (`cog --check`).

A shell example (a ```sh, ```bash or ```console block) is run here unless the HTML
comment right before it says why it cannot be: ``<!-- not-run: needs network -->``.
``<!-- run: slow -->`` runs it as a `slow` test. Examples run in a scratch project
(the seed article, a short text as ``seeds/x.txt``, a copy of the glossary, the
example files the chapters name) with the test model installed as the `de-en`
package, in a private environment, so nothing touches the repository or the home.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from conftest import REPO, private_env

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
COMMANDS_MD = REPO / "docs" / "commands.md"
TINY_MODEL = REPO / "tests" / "data" / "translate-de_en-tiny.argosmodel"
SHELL_LANGUAGES = {"sh", "bash", "console", "shell"}
# The programs an example may start with and still be run here.
RUNNABLE_PROGRAMS = {"transkit", ".venv/bin/transkit", "echo"}
# Files the chapters name as the user's own, provided in the scratch project.
EXAMPLE_FILES = {
    "job.sdlxliff": "tests/data/pretranslate/trados.sdlxliff",
    "export.mqxliff": "tests/data/pretranslate/memoq.mqxliff",
    "okapi.xlf": "tests/data/pretranslate/okapi.xlf",
    "old-project.tmx": "tests/data/formats/omegat_memory.tmx",
    "old-termbase.tbx": "tests/data/glossary_io/multiterm_v2.tbx",
}
WIDTH = "80"
# A client's memory, holding the sentences the memory chapter looks up and removes.
CLIENT_TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="docs" creationtoolversion="1" segtype="sentence"
 o-tmf="none" adminlang="en" srclang="de" datatype="plaintext"/><body>
<tu><tuv xml:lang="de"><seg>Der Preis stieg um 5 Prozent.</seg></tuv>
<tuv xml:lang="en"><seg>The price rose by 5 percent.</seg></tuv></tu>
<tu><tuv xml:lang="de"><seg>Ein falscher Satz.</seg></tuv>
<tuv xml:lang="en"><seg>A wrong sentence.</seg></tuv></tu>
</body></tmx>
"""

_MARKER = re.compile(r"^<!--\s*(not-run|run)\s*:\s*(.*?)\s*-->\s*$", re.S)


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _tokens(path: Path) -> list[Token]:
    return _parser().parse(path.read_text(encoding="utf-8"))


def _label(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else path.name


def github_slug(text: str) -> str:
    """GitHub's heading anchor: lowercase, punctuation dropped (not - or _), spaces to -."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def heading_anchors(path: Path) -> set[str]:
    """Every anchor GitHub makes for the headings of a Markdown file (duplicates get -1, -2)."""
    tokens = _tokens(path)
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type != "heading_open":
            continue
        text = "".join(
            child.content
            for child in inline.children or []
            if child.type in ("text", "code_inline")
        )
        slug = github_slug(text)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def links(path: Path) -> Iterator[tuple[int, str]]:
    """(line, target) of every link and image in a Markdown file."""
    for token in _tokens(path):
        if token.type != "inline":
            continue
        line = token.map[0] + 1 if token.map else 0
        for child in token.children or []:
            if child.type == "link_open":
                yield line, str(child.attrs.get("href", ""))
            elif child.type == "image":
                yield line, str(child.attrs.get("src", ""))


def _is_external(target: str) -> bool:
    return urlsplit(target).scheme in ("http", "https", "mailto")


def broken_links(path: Path) -> list[str]:
    """Each relative link or #anchor of ``path`` that does not resolve, as 'FILE:LINE: why'."""
    problems = []
    for line, target in links(path):
        if _is_external(target):
            continue
        where = f"{_label(path)}:{line}"
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            problems.append(f"{where}: {target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in heading_anchors(resolved):
            problems.append(f"{where}: {target}: no heading with anchor #{anchor}")
    return problems


@dataclass(frozen=True)
class ShellExample:
    """One shell block of a document, with the marker before it."""

    path: Path
    line: int
    commands: tuple[str, ...]
    marker: str  # "" (run), "slow" (run as a slow test) or "not-run"
    reason: str

    @property
    def id(self) -> str:
        return f"{_label(self.path)}:{self.line}"


def _commands(block: str, console: bool) -> tuple[str, ...]:
    """The command lines of a block: continuation lines joined, comments and blanks dropped."""
    commands: list[str] = []
    pending = ""
    for raw in block.splitlines():
        if console:
            if not raw.startswith("$ ") and not pending:
                continue  # output of the command above
            raw = raw[2:] if raw.startswith("$ ") else raw
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = (pending + raw).strip()
        pending = ""
        if line and not line.startswith("#"):
            commands.append(line)
    return tuple(commands)


def shell_examples(path: Path) -> list[ShellExample]:
    tokens = _tokens(path)
    examples = []
    for before, token in zip([None, *tokens], tokens, strict=False):
        if token.type != "fence" or token.info.strip().split(" ")[0] not in SHELL_LANGUAGES:
            continue
        marker, reason = "", ""
        if before is not None and before.type == "html_block":
            found = _MARKER.match(before.content.strip())
            if found:
                marker, reason = found.group(1), found.group(2)
                if marker == "run":
                    marker = reason
        line = token.map[0] + 1 if token.map else 0
        console = token.info.strip().startswith("console")
        examples.append(ShellExample(path, line, _commands(token.content, console), marker, reason))
    return examples


ALL_EXAMPLES = [example for path in DOCS for example in shell_examples(path)]
RUN_EXAMPLES = [example for example in ALL_EXAMPLES if example.marker != "not-run"]


def _unrunnable(command: str) -> str | None:
    """Why a command cannot be run here, or None."""
    for part in command.split("|"):
        words = shlex.split(part, comments=True)
        if not words or words[0] not in RUNNABLE_PROGRAMS:
            return f"{part.strip()!r} does not start with one of {sorted(RUNNABLE_PROGRAMS)}"
    return None


# -- links and anchors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Set-up", "set-up"),
        ("`transkit translate FILES…`", "transkit-translate-files"),
        ("Other tools' files", "other-tools-files"),
        ("Pre-translating XLIFF, OmegaT projects", "pre-translating-xliff-omegat-projects"),
        ("Before MT: match levels", "before-mt-match-levels"),
        ("snake_case and Größe", "snake_case-and-größe"),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert github_slug(heading.replace("`", "")) == slug


def test_duplicate_headings_get_numbered_anchors(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Notes\n\n## Notes\n\n### Notes\n\n## `code` here\n", encoding="utf-8")
    assert heading_anchors(page) == {"notes", "notes-1", "notes-2", "code-here"}


def test_a_broken_link_and_anchor_are_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Real heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Top\n\n[ok](other.md#real-heading) [self](#top) [gone](missing.md)\n"
        "[bad](other.md#nope) [bad self](#nope) [web](https://example.org/x)\n",
        encoding="utf-8",
    )
    problems = [p.split(": ", 1)[1] for p in broken_links(page)]
    assert problems == [
        "missing.md: no such file",
        "other.md#nope: no heading with anchor #nope",
        "#nope: no heading with anchor #nope",
    ]


@pytest.mark.parametrize("path", DOCS, ids=_label)
def test_links_and_anchors_resolve(path: Path) -> None:
    assert broken_links(path) == []


def test_docs_are_linked_from_the_index() -> None:
    index_targets = {target for _, target in links(REPO / "docs" / "README.md")}
    chapters = {p.name for p in DOCS if p.parent.name == "docs" and p.name != "README.md"}
    assert chapters - index_targets == set(), "chapters missing from docs/README.md"


def test_external_links_are_listed_not_fetched() -> None:
    """No network here: external links are only checked to be well-formed, and listed."""
    external = sorted(
        {f"{_label(p)}:{line}: {t}" for p in DOCS for line, t in links(p) if _is_external(t)}
    )
    print("external links (not fetched):", *external, sep="\n  ")
    assert external, "expected at least the Argos Translate link"
    for entry in external:
        url = entry.rsplit(": ", 1)[1]
        assert urlsplit(url).netloc, entry


def test_readme_is_a_short_tour() -> None:
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250


# -- the set-up commands --------------------------------------------------------------


def _after(lines: list[str], start: str) -> str:
    """The first non-empty line after the line that starts with ``start``."""
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(start))
    return next(line.strip() for line in lines[index + 1 :] if line.strip())


def test_readme_set_up_matches_ci() -> None:
    """`.ci/run` installs and tests exactly as the README's two set-up commands say."""
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    step1, step2 = _after(readme, "# 1. "), _after(readme, "# 2. ")
    ci_step1 = _after(ci, 'echo "== README set-up step 1').replace(" --quiet", "")
    ci_step2 = _after(ci, 'echo "== README set-up step 2').replace(" --quiet", "")
    assert ci_step2 == step2
    assert f" {ci_step1} " in f" {step1.replace('&&', ' && ')} "
    assert step2 == ".venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest"


# -- shell examples -------------------------------------------------------------------


def test_every_shell_example_runs_or_says_why_not() -> None:
    problems = []
    for example in ALL_EXAMPLES:
        if example.marker == "not-run":
            if not example.reason:
                problems.append(f"{example.id}: not-run without a reason")
            continue
        if not example.commands:
            problems.append(f"{example.id}: no command in the block")
        for command in example.commands:
            why = _unrunnable(command)
            if why:
                problems.append(f"{example.id}: cannot run here ({why}); mark it not-run")
    assert problems == []
    assert len(RUN_EXAMPLES) >= 10, "expected most examples to be runnable"


def test_examples_are_parsed_with_their_markers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- not-run: needs network -->\n```sh\ntranskit models install de en\n```\n\n"
        "<!-- run: slow -->\n```bash\n# a comment\ntranskit eval \\\n  t.tsv\n```\n\n"
        "```console\n$ transkit tm stats\nunits: 3\n```\n\n```python\nprint(1)\n```\n",
        encoding="utf-8",
    )
    examples = shell_examples(page)
    assert [(e.marker, e.reason, e.commands) for e in examples] == [
        ("not-run", "needs network", ("transkit models install de en",)),
        ("slow", "slow", ("transkit eval    t.tsv",)),
        ("", "", ("transkit tm stats",)),
    ]
    assert _unrunnable("python bench/tm.py") is not None
    assert _unrunnable('echo "Peking." | transkit translate -') is None


@pytest.fixture(scope="session")
def installed_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package directory holding the test model as the de-en package (installed once)."""
    base = tmp_path_factory.mktemp("docs-model")
    env = private_env(base)
    subprocess.run(
        [_transkit(), "models", "install", "--from", str(TINY_MODEL)],
        env=env,
        check=True,
        capture_output=True,
    )
    return Path(env["ARGOS_PACKAGES_DIR"])


def _pythonpath() -> list[str]:
    return os.environ.get("PYTHONPATH", "").split(os.pathsep)


def _transkit() -> str:
    return str(Path(sys.executable).parent / "transkit")


_scratches: dict[Path, tuple[Path, dict[str, str]]] = {}


def _scratch_project(
    doc: Path, tmp_path_factory: pytest.TempPathFactory, packages: Path
) -> tuple[Path, dict[str, str]]:
    """One scratch project per document, shared by its examples in order."""
    if doc in _scratches:
        return _scratches[doc]
    base = tmp_path_factory.mktemp("docs-" + doc.stem)
    project = base / "project"
    project.mkdir()
    shutil.copytree(REPO / "seeds", project / "seeds")
    shutil.copy(REPO / "tests/data/formats/sample.de.txt", project / "seeds" / "x.txt")
    shutil.copytree(REPO / "glossary", project / "glossary")
    (project / "tests").symlink_to(REPO / "tests", target_is_directory=True)
    (project / ".venv").symlink_to(Path(sys.executable).parent.parent, target_is_directory=True)
    for name, source in EXAMPLE_FILES.items():
        shutil.copy(REPO / source, project / name)
    heldout = (REPO / "tests/data/heldout.tsv").read_text(encoding="utf-8").splitlines()
    (project / "my-testset.tsv").write_text("\n".join(heldout[:6]) + "\n", encoding="utf-8")
    (project / "client.tmx").write_text(CLIENT_TMX, encoding="utf-8")
    (base / "client" / "tm").mkdir(parents=True)  # "../client/tm": another project's memory
    (base / "client" / "tm" / "client.tmx").write_text(CLIENT_TMX, encoding="utf-8")
    (project / "extra.tsv").write_text(
        "id\tde\ten\tstatus\nx1\tKirschbaum\tcherry tree\tpreferred\n", encoding="utf-8"
    )
    env = private_env(base)
    shutil.copytree(packages, env["ARGOS_PACKAGES_DIR"])
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        # This checkout's code, also when the suite runs with a relative PYTHONPATH=src.
        PYTHONPATH=os.pathsep.join(
            [str(REPO / "src"), *(str(Path(e).resolve()) for e in _pythonpath() if e)]
        ),
        COLUMNS=WIDTH,
        TRANSKIT_PROGRESS_SECONDS="3600",
    )
    text = doc.read_text(encoding="utf-8")
    if "out/x." in text or "job.xlf" in text or "qa.json" in text:
        # What earlier steps of a workflow would have left: a translated x.txt and its report.
        _run("transkit translate --report qa.json seeds/x.txt", project, env)
        xliff = (project / "out" / "x.de-en.xlf").read_text(encoding="utf-8")
        (project / "job.xlf").write_text(
            xliff.replace('target-language="en"', 'target-language="en-GB"'), encoding="utf-8"
        )
    _scratches[doc] = project, env
    return project, env


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, (
        f"{command!r} exited {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )
    return result


@pytest.mark.parametrize(
    "example",
    [
        pytest.param(e, marks=[pytest.mark.slow] if e.marker == "slow" else [], id=e.id)
        for e in RUN_EXAMPLES
    ],
)
def test_shell_example_runs(
    example: ShellExample, tmp_path_factory: pytest.TempPathFactory, installed_model: Path
) -> None:
    """Each command of the example exits 0 in the document's scratch project."""
    for command in example.commands:
        if _unrunnable(command):
            pytest.fail(f"{example.id}: {command!r} cannot run here; mark the block not-run")
    project, env = _scratch_project(example.path, tmp_path_factory, installed_model)
    for command in example.commands:
        _run(command, project, env)


# -- the command reference ------------------------------------------------------------


def test_command_reference_is_current() -> None:
    """`cog --check docs/commands.md`: the embedded --help is what the commands print."""
    from cogapp import Cog

    out, err = io.StringIO(), io.StringIO()
    cog = Cog()
    cog.set_output(stdout=out, stderr=err)
    status = cog.main(["cog", "--check", str(COMMANDS_MD)])
    assert status == 0, (
        f"docs/commands.md is out of date ({err.getvalue().strip()}); "
        "refresh it with: cog -r docs/commands.md"
    )


def test_command_reference_covers_every_command() -> None:
    """Every command and subcommand of the click group has its section."""
    import click

    from transkit.cli import main

    def names(command: click.Command, path: tuple[str, ...]) -> Iterator[str]:
        yield " ".join(("transkit", *path))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from names(sub, (*path, name))

    text = COMMANDS_MD.read_text(encoding="utf-8")
    missing = [
        name for name in names(main, ()) if f"`{name}`\n\n```text\nUsage: {name} " not in text
    ]
    assert missing == []
