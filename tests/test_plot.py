"""The forecast picture: valid PNG/SVG files of the asked size, shading, the missing extra."""

from __future__ import annotations

import json
import struct
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ivrsched import Forecast, IvrschedError, forecast, plan
from ivrsched.forecasting.plot import MISSING_MATPLOTLIB, closed_periods, plot_forecast, title_of
from ivrsched.rules.instants import US_PER_HOUR, US_PER_MINUTE, to_us

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = json.loads((ROOT / "examples" / "campaign-25.json").read_text())
NOW = datetime(2016, 7, 7, 12, 0, tzinfo=timezone(timedelta(hours=1)))


def campaign(**kwargs: object) -> Forecast:
    return forecast(plan(CAMPAIGN, now=NOW), **kwargs)  # type: ignore[arg-type]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_is_written_with_figsize_times_dpi_pixels(tmp_path: Path) -> None:
    target = tmp_path / "forecast.png"
    plot_forecast(campaign(answer_rate="0.3"), target, width_inches=6, height_inches=3, dpi=80)
    # 6 in × 80 dpi = 480 px wide, 3 in × 80 dpi = 240 px high.
    assert png_size(target.read_bytes()) == (480, 240)


def test_default_png_is_1000_by_500(tmp_path: Path) -> None:
    target = tmp_path / "forecast.PNG"
    plot_forecast(campaign(), target)
    assert png_size(target.read_bytes()) == (1000, 500)  # 10 × 100, 5 × 100


def test_svg_is_valid_xml_of_figsize_in_points(tmp_path: Path) -> None:
    target = tmp_path / "forecast.svg"
    plot_forecast(campaign(), target, width_inches=6, height_inches=3)
    root = ElementTree.parse(target).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # SVG sizes are in points, 72 per inch: 6 × 72 = 432, 3 × 72 = 216.
    assert (root.get("width"), root.get("height")) == ("432pt", "216pt")
    # matplotlib draws text as paths and keeps each string in a comment beside it.
    assert "CAMPAIGN-25: 25 destinations, buckets of 1 h" in target.read_text()


def test_other_extensions_are_refused_before_drawing(tmp_path: Path) -> None:
    with pytest.raises(IvrschedError, match=r"\.png or \.svg"):
        plot_forecast(campaign(), tmp_path / "forecast.gif")
    assert not (tmp_path / "forecast.gif").exists()


def test_unwritable_target_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IvrschedError, match="cannot write"):
        plot_forecast(campaign(), tmp_path / "missing-dir" / "forecast.png")


def test_missing_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    # None in sys.modules makes any import of the name raise ImportError, as if not installed.
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(IvrschedError) as error:
        plot_forecast(campaign(), tmp_path / "forecast.png")
    assert str(error.value) == MISSING_MATPLOTLIB
    assert "pip install 'ivrsched[plot]'" in str(error.value)


def test_title_summarises_the_campaign() -> None:
    # 25 first attempts + 25 × 1.7731 expected retries (see test_forecast) = 25 + 44.3275.
    title = title_of(campaign(answer_rate="0.3"))
    assert title.splitlines() == [
        "CAMPAIGN-25: 25 destinations, buckets of 1 h",
        "answer rate 0.3: expected 69.328 attempts (25 first + 44.328 retries)",
        "first call 2016-07-07 17:00, last first attempt 19:24, last possible attempt 19:37 "
        "(UTC+01:00)",
    ]


def test_title_names_a_deadline() -> None:
    data = json.loads(json.dumps(CAMPAIGN))
    del data["messages"][0]["sendingSpeed"]  # validity 720 min now applies: 17:00 + 12 h
    title = title_of(forecast(plan(data, now=NOW)))
    assert "deadline 2016-07-08 05:00 (UTC+01:00)" in title


class EveningsClosed:
    """A calendar closed from 18:00 to 19:00 UTC each day (for shading)."""

    def next_open(self, at_us: int) -> int:
        into = at_us % (24 * US_PER_HOUR)
        return at_us - into + 19 * US_PER_HOUR if 18 * US_PER_HOUR <= into < 19 * US_PER_HOUR \
            else at_us

    def advance(self, start_us: int, open_us: int) -> int:  # pragma: no cover - not planned
        raise NotImplementedError

    def open_between(self, start_us: int, end_us: int) -> int:  # pragma: no cover
        raise NotImplementedError


def test_closed_periods_come_from_the_calendar_clipped_to_the_picture(
        tmp_path: Path) -> None:
    # The time line asks its calendar for the closed periods; the picture clips them.
    result = campaign()
    the_plan = result.plan
    windowed = replace(the_plan.messages[0],
                       timeline=replace(the_plan.messages[0].timeline, calendar=EveningsClosed()))
    result = replace(result, plan=replace(the_plan, messages=(windowed,)))
    seen: list[tuple[object, int, int]] = []

    def fake_closed_periods(calendar: object, start_us: int,
                            end_us: int) -> Iterator[tuple[int, int]]:
        seen.append((calendar, start_us, end_us))
        yield start_us - US_PER_HOUR, start_us + 10 * US_PER_MINUTE  # starts before the picture
        yield end_us - US_PER_MINUTE, end_us + US_PER_HOUR  # ends after it

    calendar = windowed.timeline.calendar
    object.__setattr__(calendar, "closed_periods",
                       lambda start_us, end_us: fake_closed_periods(calendar, start_us, end_us))
    start = to_us(datetime(2016, 7, 7, 16, 0, tzinfo=timezone.utc))  # 17:00 +01:00
    end = start + 3 * US_PER_HOUR
    assert closed_periods(result, start, end) == [
        (start, start + 10 * US_PER_MINUTE), (end - US_PER_MINUTE, end)]
    assert isinstance(seen[0][0], EveningsClosed)
    plot_forecast(result, tmp_path / "shaded.svg")
    assert "delivery window closed" in (tmp_path / "shaded.svg").read_text()


def test_always_open_messages_shade_nothing() -> None:
    result = campaign()
    start = result.rows.first_start_us
    assert closed_periods(result, start, start + 3 * US_PER_HOUR) == []


def test_a_real_delivery_window_is_shaded(tmp_path: Path) -> None:
    # Mon–Fri 09:00–17:00 UTC from Friday 2030-01-04 16:00: closed from Friday 17:00 to
    # Monday 09:00 (64 h), which lies inside the pictured buckets.
    request = {"messages": [{
        "scenarioId": "S", "destinations": [{"to": f"41793026{i:03d}"} for i in range(20)],
        "sendingSpeed": {"speed": 10, "timeUnit": "hour"}, "sendAt": "2030-01-04T16:00:00Z",
        "deliveryTimeWindow": {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                               "from": {"hour": 9, "minute": 0}, "to": {"hour": 17, "minute": 0}},
    }]}
    result = forecast(plan(request, now=datetime(2030, 1, 1, tzinfo=timezone.utc)))
    friday = to_us(datetime(2030, 1, 4, 17, tzinfo=timezone.utc))
    monday = to_us(datetime(2030, 1, 7, 9, tzinfo=timezone.utc))
    start = result.rows.first_start_us
    end = start + len(result.rows) * US_PER_HOUR
    assert (friday, monday) in closed_periods(result, start, end)
    plot_forecast(result, tmp_path / "window.png")
    assert png_size((tmp_path / "window.png").read_bytes()) == (1000, 500)


def long_title_forecast() -> Forecast:
    """Three messages in a Berlin window with a deadline two days on: the longest title lines."""
    message = {key: value for key, value in CAMPAIGN["messages"][0].items()
               if key != "sendingSpeed"}  # without a speed the validity period is a deadline
    messages = []
    for index in range(3):
        messages.append({**message,
                         "destinations": [{"to": f"49151123{index}{n:03d}"} for n in range(40)],
                         "deliveryTimeWindow": {
                             "days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                             "from": {"hour": 9, "minute": 0}, "to": {"hour": 17, "minute": 0},
                             "timeZone": "Europe/Berlin"},
                         "validityPeriod": 4000 + 100 * index,
                         "sendAt": "2016-07-08T16:30:00.000+02:00"})
    data = {"bulkId": "SUMMER-REMINDERS-BERLIN-2016-WEEK-27", "messages": messages}
    return forecast(plan(data, now=NOW), answer_rate="0.3")


@pytest.mark.parametrize("width_inches", [5.0, 6.0, 10.0])
def test_every_title_line_fits_inside_the_picture(width_inches: float) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from ivrsched.forecasting.plot import draw_forecast

    result = long_title_forecast()
    figure = draw_forecast(result, width_inches=width_inches, height_inches=5.0, dpi=100)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)  # runs the constrained layout, as saving does
    # Every piece of text drawn (title, labels, ticks, legend) lies inside the picture.
    texts = [text for text in figure.findobj(Text) if text.get_visible() and text.get_text()]
    for text in texts:
        box = text.get_window_extent(renderer)
        assert 0 <= box.x0 <= box.x1 <= figure.bbox.width, (text.get_text(), box)
        assert 0 <= box.y0 <= box.y1 <= figure.bbox.height, (text.get_text(), box)
    # Wrapping only moves line breaks: every word of the summary is still there, in order.
    titles = [text for text in texts if text.get_text().startswith("SUMMER-REMINDERS")]
    assert len(titles) == 1
    drawn = titles[0].get_text()
    assert drawn.split() == title_of(result).split()
    assert "deadline 2016-07-10 16:30" in " ".join(drawn.split())
