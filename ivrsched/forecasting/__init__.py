"""Load per time bucket (the forecast), call capacity (S16) and the forecast's picture (needs
matplotlib, imported only when a picture is drawn).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.forecasting.capacity import Burst as Burst
    from ivrsched.forecasting.capacity import Peak as Peak
    from ivrsched.forecasting.capacity import bursts as bursts
    from ivrsched.forecasting.capacity import erlang_b as erlang_b
    from ivrsched.forecasting.capacity import peak_in_progress as peak_in_progress
    from ivrsched.forecasting.load import Forecast as Forecast
    from ivrsched.forecasting.load import ForecastRow as ForecastRow
    from ivrsched.forecasting.load import answer_rate_fraction as answer_rate_fraction
    from ivrsched.forecasting.load import forecast as forecast
    from ivrsched.forecasting.plot import PLOT_FORMATS as PLOT_FORMATS
    from ivrsched.forecasting.plot import plot_forecast as plot_forecast

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "Forecast": "ivrsched.forecasting.load",
    "ForecastRow": "ivrsched.forecasting.load",
    "answer_rate_fraction": "ivrsched.forecasting.load",
    "forecast": "ivrsched.forecasting.load",
    "Burst": "ivrsched.forecasting.capacity",
    "Peak": "ivrsched.forecasting.capacity",
    "bursts": "ivrsched.forecasting.capacity",
    "erlang_b": "ivrsched.forecasting.capacity",
    "peak_in_progress": "ivrsched.forecasting.capacity",
    "PLOT_FORMATS": "ivrsched.forecasting.plot",
    "plot_forecast": "ivrsched.forecasting.plot",
}

__all__ = [
    "PLOT_FORMATS",
    "Burst",
    "Forecast",
    "ForecastRow",
    "Peak",
    "answer_rate_fraction",
    "bursts",
    "erlang_b",
    "forecast",
    "peak_in_progress",
    "plot_forecast",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
