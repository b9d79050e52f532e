"""Drive OmegaT (the open-source CAT tool) from tests, headless, in throwaway projects.

OmegaT has a console mode (``java -jar OmegaT.jar PROJECT --mode=console-translate``)
that loads a project folder exactly as the GUI does (source files through the
file filters, memories from ``tm/`` and ``tm/auto/``) and writes the target
files, ``omegat/project_stats.txt`` and ``PROJECT-omegat.tmx``.  It exits 0
even when a filter or a memory fails to load, so `OmegaTRun.errors` collects
the ``Error:`` lines and Java stack traces from its log instead.

Java is called directly, not through Debian's ``/usr/bin/omegat`` (which
passes ``$*`` unquoted and starts no headless JVM), with a private
``--config-dir`` and ``user.home`` so nothing touches the user's settings.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

__all__ = [
    "OmegaT",
    "OmegaTRun",
    "create_project",
    "find_omegat",
    "project_stats",
    "strip_omegat_tags",
]

#: Where distributions put the jar; ``OMEGAT_JAR`` overrides.
JAR_CANDIDATES = (
    "/usr/share/omegat/OmegaT.jar",
    "/usr/share/java/omegat.jar",
    "/opt/omegat/OmegaT.jar",
)
TIMEOUT_S = 120
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ERROR_LINE = re.compile(r"(?:^\d+: (?:Error|SEVERE):)|Exception\b|^\s+at [\w.$]+\(", re.M)
# OmegaT's tag shortcuts in segment text: <m0>, </m0>, <x1/>, <bpt0>...
_OMEGAT_TAG = re.compile(r"</?[a-zA-Z]+\d+/?>")


@dataclass(frozen=True)
class OmegaTRun:
    """What one console run did: exit status, the whole log, the error lines in it."""

    command: tuple[str, ...]
    returncode: int
    output: str

    @property
    def errors(self) -> list[str]:
        """Log lines that report an error or belong to a Java stack trace."""
        return [line for line in self.output.splitlines() if _ERROR_LINE.search(line)]


@dataclass(frozen=True)
class OmegaT:
    """An installed OmegaT: the Java to run and the jar."""

    java: str
    jar: Path
    version: tuple[int, ...]

    def run(self, project: Path, mode: str, *options: str) -> OmegaTRun:
        """Run OmegaT in console ``mode`` on ``project``, time-boxed, with private settings."""
        private = project.parent / f".{project.name}-omegat-home"
        private.mkdir(exist_ok=True)
        command = (
            self.java,
            "-Djava.awt.headless=true",
            f"-Duser.home={private}",
            "-jar",
            str(self.jar),
            str(project),
            f"--mode={mode}",
            f"--config-dir={private / 'config'}",
            "--disable-project-locking",
            "--no-team",
            *options,
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAVA_TOOL", "_JAVA"))}
        env["HOME"] = str(private)
        try:
            proc = subprocess.run(
                command,
                env=env,
                cwd=project.parent,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"OmegaT ran over {TIMEOUT_S} s: {' '.join(command)}") from exc
        return OmegaTRun(command, proc.returncode, proc.stdout + proc.stderr)

    def translate(self, project: Path) -> OmegaTRun:
        """Load the project, apply ``tm/auto`` matches, write ``target/`` and the stats."""
        return self.run(project, "console-translate")

    def segments(self, project: Path) -> tuple[list[str], OmegaTRun]:
        """OmegaT's own segmentation of the project's source files (in no set order).

        Uses ``console-createpseudotranslatetmx``, which writes every source
        segment, as OmegaT shows it to the translator, into a TMX.
        """
        out = project.parent / f"{project.name}-segments.tmx"
        run = self.run(
            project,
            "console-createpseudotranslatetmx",
            f"--pseudotranslatetmx={out}",
            "--pseudotranslatetype=equal",
        )
        if not out.exists():
            raise AssertionError(f"OmegaT wrote no {out.name}:\n{run.output[-3000:]}")
        root = etree.parse(str(out), etree.XMLParser(resolve_entities=False, no_network=True))
        srclang = (root.find("header").get("srclang") or "").lower()
        sources = []
        for tu in root.iter("tu"):
            for tuv in tu.iter("tuv"):
                lang = (tuv.get(XML_LANG) or tuv.get("lang") or "").lower()
                if lang == srclang:
                    sources.append("".join(tuv.find("seg").itertext()))
                    break
        return sources, run


def _jar_version(jar: Path) -> tuple[int, ...]:
    try:
        with zipfile.ZipFile(jar) as zf:
            manifest = zf.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ()
    match = re.search(r"^Implementation-Version:\s*([\d.]+)", manifest, re.M)
    return tuple(int(p) for p in match.group(1).split(".") if p) if match else ()


def find_omegat() -> tuple[OmegaT | None, str]:
    """The installed OmegaT, or None and why not (for ``pytest.skip``)."""
    java = shutil.which("java")
    if java is None:
        return None, "java is not installed (apt-get install omegat pulls it in)"
    candidates = [os.environ["OMEGAT_JAR"]] if os.environ.get("OMEGAT_JAR") else []
    jar = next((Path(c) for c in (*candidates, *JAR_CANDIDATES) if Path(c).is_file()), None)
    if jar is None:
        return None, "OmegaT is not installed (apt-get install omegat, or set OMEGAT_JAR)"
    return OmegaT(java, jar, _jar_version(jar)), ""


def create_project(
    root: Path,
    *,
    source_lang: str = "de",
    target_lang: str = "en",
    sentence_seg: bool = True,
    text_segment_on: str | None = None,
) -> Path:
    """An empty OmegaT project folder at ``root`` (created), default folder layout.

    ``text_segment_on`` sets the plain-text filter's paragraph rule in a
    project-specific ``omegat/filters.xml``: ``BREAKS`` (every line is a
    paragraph), ``EMPTYLINES`` (OmegaT's default: lines join until an empty
    line) or ``NEVER``; None keeps OmegaT's defaults.
    """
    for sub in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    omegat = etree.Element("omegat")
    project = etree.SubElement(omegat, "project", version="1.0")
    settings = {
        "source_dir": "__DEFAULT__",
        "target_dir": "__DEFAULT__",
        "tm_dir": "__DEFAULT__",
        "glossary_dir": "__DEFAULT__",
        "glossary_file": "__DEFAULT__",
        "dictionary_dir": "__DEFAULT__",
        "source_lang": source_lang,
        "target_lang": target_lang,
        "source_tok": "org.omegat.tokenizer.LuceneGermanTokenizer",
        "target_tok": "org.omegat.tokenizer.LuceneEnglishTokenizer",
        "sentence_seg": "true" if sentence_seg else "false",
        "support_default_translations": "true",
        "remove_tags": "false",
    }
    for name, value in settings.items():
        etree.SubElement(project, name).text = value
    etree.ElementTree(omegat).write(
        str(root / "omegat.project"), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    if text_segment_on is not None:
        filters = etree.Element(
            "filters",
            removeTags="false",
            removeSpacesNonseg="false",
            preserveSpaces="false",
            ignoreFileContext="false",
        )
        text = etree.SubElement(
            filters, "filter", className="org.omegat.filters2.text.TextFilter", enabled="true"
        )
        etree.SubElement(
            text,
            "files",
            sourceFilenameMask="*.txt",
            targetFilenamePattern="${filename}",
            sourceEncoding="UTF-8",
            targetEncoding="UTF-8",
        )
        etree.SubElement(text, "option", name="segmentOn", value=text_segment_on)
        etree.ElementTree(filters).write(
            str(root / "omegat" / "filters.xml"),
            xml_declaration=True,
            encoding="UTF-8",
            pretty_print=True,
        )
    return root


def project_stats(project: Path) -> dict[str, int]:
    """Segment counts from ``omegat/project_stats.txt``: ``Total``, ``Remaining``, ``Unique``..."""
    path = project / "omegat" / "project_stats.txt"
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) > 1 and cells[0].endswith(":") and cells[1].isdigit():
            counts.setdefault(cells[0][:-1], int(cells[1]))
        if line.startswith("Individual File Statistics"):
            break
    return counts


def strip_omegat_tags(text: str) -> str:
    """Segment text without OmegaT's tag shortcuts (``<m0>``, ``</m0>``, ``<x1/>``)."""
    return _OMEGAT_TAG.sub("", text)
