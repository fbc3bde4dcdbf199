"""Screenshots of ivrsched in a real terminal, for the docs.

Runs a command in a detached tmux session of a fixed size, captures the screen with its colours
(``tmux capture-pane -p -e``) and draws the capture as a PNG in a monospace font with matplotlib.
Needs tmux and the ``plot`` extra. Run from the repository root, e.g.::

    python scripts/terminal_screenshot.py docs/images/plan-table.png -- \\
        ivrsched plan examples/campaign-25.json --now 2016-07-07T12:00:00Z --format table
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import time
import uuid
from pathlib import Path

from matplotlib.figure import Figure
from rich.style import Style
from rich.text import Text

BACKGROUND = "#1e1e1e"
FOREGROUND = "#d4d4d4"
FONT_POINTS = 10
#: DejaVu Sans Mono advances every character by 0.602 em.
ADVANCE_EMS = 0.602
LINE_EMS = 1.3
PADDING_POINTS = 12


def capture(command: list[str], columns: int, rows: int, settle_seconds: float) -> str:
    """The screen of a ``columns`` × ``rows`` terminal after typing ``command`` at a prompt."""
    name = f"shot-{uuid.uuid4().hex[:8]}"
    shell = "env PS1='$ ' bash --norc --noprofile -i"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", str(columns), "-y", str(rows),
                    shell], check=True)
    try:
        time.sleep(0.5)
        subprocess.run(["tmux", "send-keys", "-t", name, "clear", "Enter"], check=True)
        time.sleep(0.3)
        subprocess.run(["tmux", "send-keys", "-t", name, shlex.join(command), "Enter"], check=True)
        time.sleep(settle_seconds)
        done = subprocess.run(["tmux", "capture-pane", "-p", "-e", "-t", name], check=True,
                              capture_output=True, text=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], check=False)
    lines = done.stdout.rstrip("\n").splitlines()
    while lines and not Text.from_ansi(lines[-1]).plain.strip():
        lines.pop()
    if lines and Text.from_ansi(lines[-1]).plain.strip() == "$":
        lines.pop()  # the prompt waiting for the next command
    return "\n".join(lines)


def draw(screen: str, columns: int, path: Path) -> None:
    """``screen`` (text with ANSI colours) as a PNG, one monospace cell per character."""
    lines = [Text.from_ansi(line) for line in screen.splitlines()]
    advance = FONT_POINTS * ADVANCE_EMS
    height = FONT_POINTS * LINE_EMS
    width_points = columns * advance + 2 * PADDING_POINTS
    height_points = len(lines) * height + 2 * PADDING_POINTS
    figure = Figure(figsize=(width_points / 72, height_points / 72), dpi=100,
                    facecolor=BACKGROUND)
    for row, line in enumerate(lines):
        y = height_points - PADDING_POINTS - (row + 0.8) * height
        for span_text, style in _segments(line):
            column = span_text[0]
            colour = FOREGROUND
            weight = "normal"
            if style is not None:
                if style.color is not None and not style.color.is_default:
                    colour = style.color.get_truecolor().hex
                if style.bold:
                    weight = "bold"
            figure.text((PADDING_POINTS + column * advance) / width_points, y / height_points,
                        span_text[1], family="DejaVu Sans Mono", fontsize=FONT_POINTS,
                        color=colour, weight=weight)
    figure.savefig(path, format="png", facecolor=BACKGROUND, metadata={"Software": None})
    # A terminal has few colours: a 16-colour palette keeps the picture a few tens of KB.
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(16)
    small.save(path, optimize=True)


def _segments(line: Text) -> list[tuple[tuple[int, str], Style | None]]:
    """The line cut where its style changes, each piece with its starting column."""
    styles: list[Style | None] = [None] * len(line.plain)
    for span in line.spans:
        style = span.style if isinstance(span.style, Style) else Style.parse(str(span.style))
        for index in range(span.start, min(span.end, len(styles))):
            styles[index] = style
    pieces: list[tuple[tuple[int, str], Style | None]] = []
    start = 0
    for index in range(1, len(styles) + 1):
        if index == len(styles) or styles[index] != styles[start]:
            text = line.plain[start:index]
            if text.strip():
                pieces.append(((start, text), styles[start]))
            start = index
    return pieces


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the PNG to write")
    parser.add_argument("--columns", type=int, default=120)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--settle", type=float, default=4.0,
                        help="seconds to let the command finish before capturing")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    screen = capture(command, args.columns, args.rows, args.settle)
    draw(screen, args.columns, args.output)


if __name__ == "__main__":
    main()
