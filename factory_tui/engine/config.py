"""Settings of a run and their validation.

Validation never raises on user input: it returns messages a person can read,
each naming the setting, the value given and what is allowed. The command line
prints them; the UI shows them inline beside the field.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

STRATEGIES = ("drain", "strict", "abort")

MAX_N = 1_000_000_000
MAX_WORKERS = 512
_WHOLE = re.compile(r"[+-]?[0-9]{1,1000}")  # k may be any integer; 1000 digits is far past any use


@dataclass(frozen=True)
class Setting:
    name: str  # field of Config
    flag: str  # how the command line spells it
    label: str  # how the UI labels it
    kind: type  # int, float or str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False  # an empty value means "none" (seed)

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        kind = "a whole number" if self.kind is int else "a number"
        if self.low is not None and self.high is not None:
            return f"{kind} from {_num(self.low)} to {_num(self.high)}"
        if self.low is not None:
            return f"{kind} >= {_num(self.low)}"
        return kind + (" (or empty for none)" if self.optional else "")


def _num(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return str(value)


SETTINGS: tuple[Setting, ...] = (
    Setting("n", "-n", "widgets (n)", int, 0, MAX_N),
    Setting("p", "-p", "producers (p)", int, 1, MAX_WORKERS),
    Setting("c", "-c", "consumers (c)", int, 1, MAX_WORKERS),
    Setting("k", "-k", "broken (k)", int),
    Setting("buffer", "--buffer", "buffer (B)", int, 1, None),
    Setting("id_buffer", "--id-buffer", "ID buffer (I)", int, 0, None),
    Setting("stop", "--stop", "shutdown", str, choices=STRATEGIES),
    Setting("produce_ms", "--produce-ms", "produce ms", float, 0, None),
    Setting("consume_ms", "--consume-ms", "consume ms", float, 0, None),
    Setting("jitter", "--jitter", "jitter", float, 0, 1),
    Setting("seed", "--seed", "seed", int, optional=True),
)
SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    n: int = 10
    p: int = 1
    c: int = 1
    k: int = -1
    buffer: int = 10
    id_buffer: int = 0
    stop: str = "drain"
    produce_ms: float = 0.0
    consume_ms: float = 0.0
    jitter: float = 0.0
    seed: int | None = None

    @property
    def has_broken(self) -> bool:
        return 1 <= self.k <= self.n

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "Config":
        """From a trace's run_started config (fields it does not know are ignored)."""
        return cls(**{name: values[name] for name in CONFIG_FIELDS if name in values})

    def replace(self, **changes: Any) -> "Config":
        values = self.to_dict()
        values.update(changes)
        return Config(**values)


# The UI's defaults: the default run (n=10) plays in a few seconds.
UI_DEFAULTS = Config(produce_ms=250.0, consume_ms=350.0, jitter=0.3)


@dataclass(frozen=True)
class SettingError:
    setting: str  # Config field name
    message: str  # one line, names the flag, the value and what is allowed

    def __str__(self) -> str:
        return self.message


def parse_value(setting: Setting, raw: Any, spelled: str | None = None) -> tuple[Any, SettingError | None]:
    """Turn one raw value (text from a form or the command line, or a number)
    into the setting's type, checking its range. Never raises."""
    name = spelled or setting.flag
    text = raw.strip() if isinstance(raw, str) else raw
    shown = repr(raw) if isinstance(raw, str) else str(raw)
    if len(shown) > 40:
        shown = shown[:37] + "..."

    def fail(why: str) -> tuple[Any, SettingError]:
        return None, SettingError(setting.name, f"{name}: {shown} {why}; allowed: {setting.allowed()}")

    if setting.optional and (text is None or text == ""):
        return None, None
    if setting.choices:
        if text in setting.choices:
            return text, None
        return fail("is not a known choice")
    if text is None or text == "":
        return fail("is empty")
    if setting.kind is int:
        if isinstance(text, bool):
            return fail("is not a whole number")
        if isinstance(text, int):
            value = text
        elif isinstance(text, float) and text.is_integer():
            value = int(text)
        elif isinstance(text, str):
            if not _WHOLE.fullmatch(text):
                return fail("is not a whole number")
            value = int(text)
        else:
            return fail("is not a whole number")
    else:
        try:
            value = float(text)
        except (TypeError, ValueError, OverflowError):
            return fail("is not a number")
        if not math.isfinite(value):
            return fail("is not a finite number")
    if setting.low is not None and value < setting.low:
        return fail("is too small")
    if setting.high is not None and value > setting.high:
        return fail("is too large")
    return value, None


def validate(raw: Mapping[str, Any], spelling: Mapping[str, str] | None = None) -> tuple[Config | None, list[SettingError]]:
    """Check every setting in `raw` (missing ones take Config's defaults).

    Returns the Config and no errors, or None and one error per bad setting.
    `spelling` maps a setting to the name the person typed it under (a flag or
    a form label), so the message speaks their language.
    """
    values: dict[str, Any] = {}
    errors: list[SettingError] = []
    for setting in SETTINGS:
        if setting.name not in raw:
            continue
        value, error = parse_value(setting, raw[setting.name], (spelling or {}).get(setting.name))
        if error:
            errors.append(error)
        else:
            values[setting.name] = value
    unknown = sorted(set(raw) - set(SETTINGS_BY_NAME))
    for name in unknown:
        errors.append(SettingError(name, f"{name}: unknown setting; allowed: {', '.join(SETTINGS_BY_NAME)}"))
    if errors:
        return None, errors
    return Config(**values), []


def warnings(config: Config) -> list[str]:
    """Things that are allowed but probably not what the person meant."""
    out = []
    if config.k > config.n:
        out.append(f"warning: -k {config.k} is above -n {config.n}: no widget will be broken")
    if config.has_broken and config.id_buffer >= config.n > 0:
        out.append(
            f"warning: --id-buffer {config.id_buffer} >= -n {config.n}: the ID channel is pre-filled, "
            "so the stop signal will not stop production"
        )
    return out


CONFIG_FIELDS = tuple(f.name for f in fields(Config))
