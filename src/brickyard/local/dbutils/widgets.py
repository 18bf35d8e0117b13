"""`dbutils.widgets`: a notebook's input parameters.

In a job run, the task's `base_parameters` and the job's parameters are the widget values; a widget
the notebook declares only supplies the default for a name the run did not bind. `get` of a name
neither bound nor declared fails the way Databricks does (`InputWidgetNotDefined`), because a
silently empty parameter is how a job writes to the wrong table.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass


class InputWidgetNotDefined(Exception):
    """Raised by `get` for a widget that was neither passed to the run nor declared."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"No input widget named {name} is defined")


@dataclass(frozen=True)
class Widget:
    kind: str
    default: str
    choices: tuple[str, ...] = ()
    label: str | None = None


class Widgets:
    def __init__(self, bound: Mapping[str, str] | None = None) -> None:
        self._bound: dict[str, str] = {str(k): _text(v) for k, v in (bound or {}).items()}
        self._declared: dict[str, Widget] = {}

    def text(self, name: str, defaultValue: str, label: str | None = None) -> None:
        self._declare(name, Widget("text", _text(defaultValue), label=label))

    def dropdown(self, name: str, defaultValue: str, choices: list[str], label: str | None = None) -> None:
        self._declare(name, self._choice("dropdown", name, defaultValue, choices, label))

    def combobox(self, name: str, defaultValue: str, choices: list[str], label: str | None = None) -> None:
        self._declare(name, Widget("combobox", _text(defaultValue), tuple(map(_text, choices)), label))

    def multiselect(self, name: str, defaultValue: str, choices: list[str], label: str | None = None) -> None:
        self._declare(name, self._choice("multiselect", name, defaultValue, choices, label))

    def get(self, name: str) -> str:
        if name in self._bound:
            return self._bound[name]
        if name in self._declared:
            return self._declared[name].default
        raise InputWidgetNotDefined(name)

    def getArgument(self, name: str, optional: str | None = None) -> str | None:
        """Deprecated Databricks spelling of `get` that returns `optional` instead of failing."""
        try:
            return self.get(name)
        except InputWidgetNotDefined:
            return optional

    def getAll(self) -> dict[str, str]:
        values = {name: widget.default for name, widget in self._declared.items()}
        values.update(self._bound)
        return values

    def remove(self, name: str) -> None:
        if name not in self._declared:
            raise InputWidgetNotDefined(name)
        del self._declared[name]

    def removeAll(self) -> None:
        self._declared.clear()

    def help(self, method: str = "") -> None:
        print("dbutils.widgets: text, dropdown, combobox, multiselect, get, getAll, remove, removeAll")

    @contextmanager
    def bound(self, values: Mapping[str, str]) -> Iterator[None]:
        """Values `%run ./x $a=1` passes to the notebook it includes, for the duration of that notebook."""
        saved = dict(self._bound)
        self._bound.update({str(k): _text(v) for k, v in values.items()})
        try:
            yield
        finally:
            self._bound = saved

    def _declare(self, name: str, widget: Widget) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError("a widget needs a non-empty name")
        self._declared[name] = widget

    @staticmethod
    def _choice(kind: str, name: str, default: str, choices: list[str], label: str | None) -> Widget:
        options = tuple(map(_text, choices))
        picked = [part for part in _text(default).split(",") if part] if kind == "multiselect" else [default]
        missing = [value for value in picked if _text(value) not in options]
        if missing:
            raise ValueError(f"Default value {missing[0]} for widget {name} is not in the list of choices")
        return Widget(kind, _text(default), options, label)


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)
