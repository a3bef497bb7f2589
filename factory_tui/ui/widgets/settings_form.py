"""The settings form: every setting of a run, validated as you type."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.message import Message
from textual.containers import Grid, Vertical
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, Static

from ...engine.config import SETTINGS, Config, Setting, SettingError, parse_value, validate

# Config field -> widget id (SPEC section 4 fixes #n #p #c #k #buffer #stop)
FIELD_IDS = {s.name: s.name.replace("_", "-") for s in SETTINGS}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class SettingValidator(Validator):
    """The engine's own rule for one setting, so the form and the command line agree."""

    def __init__(self, setting: Setting):
        super().__init__()
        self.setting = setting

    def validate(self, value: str) -> ValidationResult:
        _, error = parse_value(self.setting, value, self.setting.label)
        return self.failure(error.message) if error else self.success()


class SettingsForm(Vertical):
    DEFAULT_CSS = """
    SettingsForm { height: auto; border: round $panel-lighten-2; border-title-align: left; }
    SettingsForm Grid { grid-size: 2; grid-columns: 14 1fr; grid-rows: 1; height: auto; grid-gutter: 0 0; }
    SettingsForm Label { color: $text-muted; }
    SettingsForm Input { height: 1; }
    SettingsForm Input:focus { background: $accent 35%; }
    SettingsForm Select:focus-within { background: $accent 35%; }
    SettingsForm Input.-invalid { background: $error 40%; }
    SettingsForm #settings-errors { color: $error; height: auto; }
    """

    def __init__(self, config: Config, **kwargs):
        super().__init__(**kwargs)
        self.border_title = "settings"
        self._config = config

    def compose(self) -> ComposeResult:
        with Grid():
            for setting in SETTINGS:
                yield Label(setting.label)
                value = getattr(self._config, setting.name)
                if setting.choices:
                    yield Select([(c, c) for c in setting.choices], value=value, allow_blank=False,
                                 compact=True, id=FIELD_IDS[setting.name])
                else:
                    yield Input(_text(value), compact=True, id=FIELD_IDS[setting.name],
                                tooltip=f"{setting.flag}: {setting.allowed()}",
                                validators=[SettingValidator(setting)])
        yield Static("", id="settings-errors")

    def raw(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for setting in SETTINGS:
            widget = self.query_one(f"#{FIELD_IDS[setting.name]}")
            values[setting.name] = widget.value
        return values

    def read(self) -> tuple[Config | None, list[SettingError]]:
        """Validate the form; mark bad fields and show one line for each."""
        spelling = {s.name: s.label for s in SETTINGS}
        config, errors = validate(self.raw(), spelling)
        self.query_one("#settings-errors", Static).update("\n".join(e.message for e in errors))
        return config, errors

    @dataclass
    class Validated(Message):
        """The form changed and was checked: `config` is None while it is invalid."""

        config: Config | None

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()  # the form speaks for its fields: one check per keystroke
        self.post_message(self.Validated(self.read()[0]))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Validated(self.read()[0]))
