"""The engine: settings, threads and the event stream. Imports no Textual."""

from .config import SETTINGS, STRATEGIES, UI_DEFAULTS, Config, SettingError, validate, warnings
from .events import EVENT_FIELDS, EVENT_TYPES, OUTCOMES, Event, Recorder
from .factory import Factory

__all__ = [
    "SETTINGS", "STRATEGIES", "UI_DEFAULTS", "Config", "SettingError", "validate", "warnings",
    "EVENT_FIELDS", "EVENT_TYPES", "OUTCOMES", "Event", "Recorder", "Factory",
]
