"""The benchmark's report: Markdown files that docs/performance.md includes, never rewrites.

``Report`` collects what one run measured (figures with their best and median pass, the targets'
verdicts, notes) and ``write`` renders it as one Markdown file headed by the date, the command
that produced it, the machine and its load (``uptime``) at the start and the end of the run.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from targets import Verdict


def uptime() -> str:
    """The machine's load as ``uptime`` prints it (the load averages, from os when it is missing)."""
    try:
        out = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    except OSError:
        out = ""
    if "load average" in out:
        return "load average" + out.split("load average", 1)[1].strip()
    one, five, fifteen = os.getloadavg()
    return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"


def machine() -> str:
    """Cores, CPU model, Python and the engines' versions."""
    model = platform.processor() or platform.machine()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    versions = []
    for package in ("cedarpy", "pycasbin", "spicedb-embedded"):
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, " + ", ".join(
        versions
    )


def fmt_ns(ns: float) -> str:
    """A duration in the unit that keeps it readable: 152 ns, 218 µs, 1.3 s."""
    if ns < 10_000:
        return f"{ns:,.0f} ns"
    if ns < 10_000_000:
        return f"{ns / 1e3:,.1f} µs"
    if ns < 10_000_000_000:
        return f"{ns / 1e6:,.1f} ms"
    return f"{ns / 1e9:,.2f} s"


def fmt_ratio(value: float) -> str:
    """A ratio with the digits that matter: 1,234; 12.35; 0.43; 1/30,282."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 0.01:
        return f"{value:,.2f}"
    return f"1/{1 / value:,.0f}" if value > 0 else "0"


@dataclass
class Figure:
    """One measured figure: best and median of its passes, in ``unit`` (ns: a duration)."""

    name: str
    best: float
    median: float
    unit: str = "ns"
    versus: str = ""  # a ratio to another figure, in words
    note: str = ""

    def cell(self, value: float) -> str:
        if self.unit == "ns":
            return fmt_ns(value)
        return f"{value:,.1f} {self.unit}" if value < 100 else f"{value:,.0f} {self.unit}"


@dataclass
class Report:
    """What one run measured, ready to be written."""

    title: str
    command: str
    started_load: str
    intro: str = ""
    figures: list[Figure] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: Figure) -> None:
        self.figures.append(figure)

    def values(self) -> dict[str, float]:
        """Each figure's best pass, by name: what the targets are judged on."""
        return {f.name: f.best for f in self.figures}

    def render(self, seconds: float, ended_load: str) -> str:
        lines = [
            f"### {self.title}",
            "",
            f"Measured on {datetime.date.today().isoformat()} by `{self.command}` in "
            f"{seconds:,.0f} s. Machine: {machine()}. Load (`uptime`) at the start: "
            f"{self.started_load}; at the end: {ended_load}.",
            "",
        ]
        if self.intro:
            lines += [self.intro, ""]
        if self.verdicts:
            lines += [*targets_table(self.verdicts), ""]
        lines += [
            "| figure | best | median | compared | note |",
            "| --- | ---: | ---: | --- | --- |",
        ]
        for f in self.figures:
            lines.append(
                f"| {f.name} | {f.cell(f.best)} | {f.cell(f.median)} | {f.versus} | {f.note} |"
            )
        lines.append("")
        lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines).rstrip() + "\n"

    def write(self, path: Path | None, seconds: float) -> str:
        """Render, print, and write to ``path`` when given; returns the text."""
        text = self.render(seconds, uptime())
        print(text, flush=True)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"written to {path}", flush=True)
        return text


def limit(value: float) -> str:
    return f"1/{1 / value:,.0f}" if 0 < value < 0.01 else f"{value:g}"


def unit(name: str) -> str:
    return name if name.startswith("×") and len(name) == 1 else f" {name}"


def targets_table(verdicts: Sequence[Verdict]) -> list[str]:
    """The targets as a Markdown table: each with what it asks, what was measured, met or not."""
    lines = [
        "| target | figure | against | asked | measured | met |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for v in verdicts:
        t = v.target
        against = t.against or t.what
        if t.limit is None:
            asked = "—"
        else:
            sign = "≤" if t.at_most else "≥"
            asked = f"{sign} {limit(t.limit)}{unit(t.unit)}"
        shown = "—" if v.measured is None else f"{fmt_ratio(v.measured)}{unit(t.unit)}"
        met = {True: "met", False: "**not met**", None: "reported"}[v.met]
        if t.kind == "faster":
            against = f"{t.against} (× faster)"
        lines.append(f"| {t.name} | {t.figure} | {against} | {asked} | {shown} | {met} |")
    judged = [v for v in verdicts if v.met is not None]
    lines += ["", f"{sum(bool(v.met) for v in judged)} of {len(judged)} targets met."]
    return lines
