"""The user's settings: a small TOML file in the data folder, beside the default database;
for now the default agreement, which TRACKER_AGREEMENT overrides."""

from __future__ import annotations

import json
import os
from pathlib import Path

import msgspec

from tracker.errors import FileFormatError

ENV_VAR = "TRACKER_AGREEMENT"
KEY = "default_agreement"


class Default(msgspec.Struct, frozen=True):
    """The default agreement and where it was set (the variable, or the config file)."""

    agreement: str
    origin: str


def config_path() -> Path:
    """The config file: `config.toml` in the user's data folder."""
    from platformdirs import user_data_path

    return user_data_path("tracker") / "config.toml"


def default_agreement() -> Default | None:
    """The default agreement: TRACKER_AGREEMENT, then the config file; None when unset."""
    chosen = os.environ.get(ENV_VAR, "").strip()
    if chosen:
        return Default(chosen, ENV_VAR)
    path = config_path()
    value = _read(path).get(KEY)
    if isinstance(value, str) and value.strip():
        return Default(value.strip(), str(path))
    return None


def set_default_agreement(agreement: str | None) -> Path:
    """Write (or, with None, remove) the default agreement in the config file; its path."""
    path = config_path()
    settings = {k: v for k, v in _read(path).items() if k != KEY and isinstance(v, str)}
    if agreement is not None:
        settings[KEY] = agreement
    if not path.parent.is_dir():  # the user's data folder, theirs alone (as the database makes it)
        path.parent.mkdir(parents=True, mode=0o700)
    # A JSON string is a valid TOML basic string.
    lines = [
        f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in settings.items()
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _read(path: Path) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        raise FileFormatError(f"{path}: cannot read the config file: {e}") from e
    import tomllib  # read only when there is a file to read

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise FileFormatError(f"{path}: not a valid config file (TOML): {e}") from e
