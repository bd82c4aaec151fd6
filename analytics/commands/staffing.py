"""``python -m analytics staffing``: Erlang C / Erlang A figures for one interval.

Examples::

    python -m analytics staffing --calls 100 --interval-min 30 --aht 180 \\
        --answer-within 20 --target-sl 0.8
    python -m analytics staffing --calls 100 --interval-min 30 --aht 180 \\
        --answer-within 20 --agents 14 --patience 300 --format text
"""

from __future__ import annotations

import json
import math
import sys

from analytics import staffing

# Numbers are read as text and converted in run(), so that every bad value ends in
# the same one-line error and exit code 2 instead of argparse's usage dump.
_NUMBER_OPTIONS = (
    # (option, dest, required, converter)
    ("--calls", "calls", True, float),
    ("--interval-min", "interval_min", True, float),
    ("--aht", "aht", True, float),
    ("--answer-within", "answer_within", True, float),
    ("--target-sl", "target_sl", False, float),
    ("--agents", "agents", False, int),
    ("--patience", "patience", False, float),
    ("--shrinkage", "shrinkage", False, float),
    ("--max-occupancy", "max_occupancy", False, float),
)

_HELP = {
    "calls": "calls offered in the interval",
    "interval_min": "interval length in minutes",
    "aht": "average handle time in seconds",
    "answer_within": "service-level threshold T in seconds",
    "target_sl": "target service level, e.g. 0.8: returns the minimum agents",
    "agents": "agents on the phones: returns the figures at that number",
    "patience": "mean caller patience in seconds: switches to Erlang A",
    "shrinkage": "share of paid time off the phones, in [0, 1) (default 0)",
    "max_occupancy": "occupancy cap in (0, 1]",
}


# The library names its Python arguments; the user typed options.
_OPTION_OF_ARGUMENT = {
    "calls": "--calls",
    "aht_s": "--aht",
    "answer_within_s": "--answer-within",
    "target_sl": "--target-sl",
    "agents": "--agents",
    "patience_s": "--patience",
    "shrinkage": "--shrinkage",
    "max_occupancy": "--max-occupancy",
}


class InputError(Exception):
    """A user mistake on the command line, reported in one line."""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "staffing",
        help="Erlang C / Erlang A staffing for one interval",
        description=__doc__.splitlines()[0],
    )
    for option, dest, _required, _convert in _NUMBER_OPTIONS:
        parser.add_argument(option, dest=dest, metavar=dest.upper(), help=_HELP[dest])
    parser.add_argument("--format", dest="format", default="json", help="json (default) or text")
    parser.set_defaults(func=run)


def _read_numbers(args) -> dict:
    values = {}
    for option, dest, required, convert in _NUMBER_OPTIONS:
        text = getattr(args, dest, None)
        if text is None:
            if required:
                raise InputError(f"{option} is required")
            values[dest] = None
            continue
        try:
            value = convert(text)
        except ValueError:
            kind = "a whole number" if convert is int else "a number"
            raise InputError(f"{option} must be {kind}, got {text!r}") from None
        if convert is float and not math.isfinite(value):
            raise InputError(f"{option} must be a finite number, got {text!r}")
        values[dest] = value
    return values


def compute(values: dict) -> dict:
    """The figures as a JSON-ready dict (infinite values become None)."""
    if values["target_sl"] is None and values["agents"] is None:
        raise InputError("give --target-sl (minimum agents) or --agents (figures at that number), or both")
    if values["interval_min"] <= 0:
        raise InputError(f"--interval-min must be > 0, got {values['interval_min']!r}")
    common = dict(
        calls=values["calls"],
        aht_s=values["aht"],
        interval_s=values["interval_min"] * 60.0,
        answer_within_s=values["answer_within"],
        shrinkage=values["shrinkage"] if values["shrinkage"] is not None else 0.0,
    )
    patience = values["patience"]
    target = values["target_sl"]
    if target is not None:
        # Validates the target (and the occupancy cap) even when --agents decides the N.
        needed = staffing.required_agents(
            **common, target_sl=target, max_occupancy=values["max_occupancy"], patience_s=patience
        )
    elif values["max_occupancy"] is not None and not 0 < values["max_occupancy"] <= 1:
        raise InputError(f"--max-occupancy must be in (0, 1], got {values['max_occupancy']!r}")
    if values["agents"] is None:
        result = needed
    elif patience is None:
        result = staffing.erlang_c(**common, agents=values["agents"])
    else:
        result = staffing.erlang_a(**common, agents=values["agents"], patience_s=patience)

    out = {
        "agents": result.agents,
        "traffic_erlangs": result.traffic_erlangs,
        "p_wait": result.p_wait,
        "service_level": result.service_level,
        "asa_s": result.asa_s,
        "occupancy": result.occupancy,
        "scheduled_agents": result.scheduled_agents,
    }
    if result.model == "erlang_a":
        out["p_abandon"] = result.p_abandon
        out["asa_answered_s"] = result.asa_answered_s
    out["model"] = result.model
    out["stable"] = result.stable
    if target is not None and values["agents"] is not None:
        # Compared with the minimum rather than the SL alone so the occupancy cap counts too.
        out["meets_target"] = bool(result.agents >= needed.agents)
    # JSON has no Infinity; ``stable: false`` tells the reader why a figure is null.
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in out.items()}


def _as_text(figures: dict) -> str:
    width = max(len(k) for k in figures)
    lines = []
    for key, value in figures.items():
        if isinstance(value, float):
            shown = f"{value:.6g}"
        elif value is None:
            shown = "n/a"
        else:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
        lines.append(f"{key.ljust(width)}  {shown}")
    return "\n".join(lines)


def run(args) -> int:
    try:
        fmt = getattr(args, "format", "json") or "json"
        if fmt not in ("json", "text"):
            raise InputError(f"--format must be json or text, got {fmt!r}")
        figures = compute(_read_numbers(args))
    except (InputError, ValueError) as exc:
        message = str(exc)
        argument, _, rest = message.partition(" ")
        if argument in _OPTION_OF_ARGUMENT:
            message = f"{_OPTION_OF_ARGUMENT[argument]} {rest}"
        print(f"staffing: error: {message}", file=sys.stderr)
        return 2
    print(json.dumps(figures) if fmt == "json" else _as_text(figures))
    return 0
