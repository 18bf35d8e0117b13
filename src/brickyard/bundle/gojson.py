"""JSON read as the Databricks CLI reads a variable-overrides file.

The CLI walks the file with Go's streaming decoder, one token at a time: only the first value
counts (anything after it is ignored), NaN and Infinity are not JSON, and a syntax error is
described in the decoder's words at the position the CLI reports: the byte where the decoder
stood (`<file>:<line>:<column>`), or `:0:0` when the very first token is already wrong. Scripts
match these messages, so they are reproduced here; the value itself is then read by `json`.
"""

from __future__ import annotations

import json
from typing import Any

_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = b'bfnrt\\/"'
_LITERALS = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}

# Where the decoder stands between tokens, and what each place calls a wrong character.
_CONTEXT = {
    "value": " looking for beginning of value",
    "array_comma": " after array element",
    "object_key": " looking for beginning of object key string",
    "object_colon": " after object key",
    "object_comma": " after object key:value pair",
    "object_start": "",
}


class GoJSONError(ValueError):
    """The CLI's `error decoding JSON at …` message."""


class _EndOfInput(Exception):
    """The input ended between tokens (`io.EOF`)."""


class _Syntax(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load(text: str, source: str) -> Any:
    """The first JSON value of `text`, or GoJSONError worded as the CLI words it."""
    data = text.encode("utf-8")
    reader = _Reader(data)
    try:
        start = reader.check_top()
    except (_Syntax, _EndOfInput) as err:
        where = ":0:0" if not reader.started else f"{source}:{_position(data, reader.pos)}"
        message = err.message if isinstance(err, _Syntax) else "unexpected end of JSON input"
        raise GoJSONError(f"error decoding JSON at {where}: {message}") from None
    value, _ = json.JSONDecoder().raw_decode(
        data.decode("utf-8", "replace"), len(data[:start].decode("utf-8"))
    )
    return value


def _position(data: bytes, offset: int) -> str:
    newline = b"\n"
    line = data.count(newline, 0, offset) + 1
    column = offset - (data.rfind(newline, 0, offset) + 1) + 1
    return f"{line}:{column}"


def _quote(byte: int) -> str:
    """A byte as Go's decoder quotes it in a message."""
    if byte == ord("'"):
        return "'\\''"
    if byte == ord('"'):
        return "'\"'"
    char = chr(byte)
    if char.isprintable():
        return f"'{char}'"
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
    if char in named:
        return f"'{named[char]}'"
    return f"'\\x{byte:02x}'" if byte < 0x80 else f"'\\u{byte:04x}'"


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.started = False  # the first token has been read

    def check_top(self) -> int:
        """Walks the first value token by token; returns where it starts."""
        start = self._peek()
        self._value("value")
        return start

    def _peek(self) -> int:
        index = self.pos
        while index < len(self.data) and self.data[index] in _SPACE:
            index += 1
        if index == len(self.data):
            raise _EndOfInput
        self.pos = index
        return index

    def _fail(self, state: str) -> None:
        raise _Syntax(f"invalid character {_quote(self.data[self.pos])}{_CONTEXT[state]}")

    def _value(self, state: str) -> None:
        self._peek()
        char = self.data[self.pos]
        if char in b"{[":
            self.pos += 1
            self.started = True
            self._container(char == ord("{"))
        elif char in b"]}:,":
            self._fail(state)
        else:
            self.pos = self._scalar(self.pos)
            self.started = True

    def _container(self, is_object: bool) -> None:
        state = "object_start" if is_object else "value"
        close = ord("}") if is_object else ord("]")
        first = True
        while True:
            self._peek()
            char = self.data[self.pos]
            if char == close:
                self.pos += 1
                return
            if not first:
                if char != ord(","):
                    self._fail("object_comma" if is_object else "array_comma")
                self.pos += 1
                state = "object_key" if is_object else "value"
                self._peek()
                if self.data[self.pos] == close:
                    self._fail(state)
            first = False
            if is_object:
                if self.data[self.pos] != ord('"'):
                    self._fail(state)
                self.pos = self._scalar(self.pos)
                self._peek()
                if self.data[self.pos] != ord(":"):
                    self._fail("object_colon")
                self.pos += 1
            self._value("value")

    def _scalar(self, start: int) -> int:
        """Where the string, number or literal at `start` ends, as Go's scanner reads it."""
        data = self.data
        char = data[start]
        if char == ord('"'):
            return self._string(start + 1)
        if char == ord("-") or char in _DIGITS:
            return self._number(start)
        if char in _LITERALS:
            word = _LITERALS[char]
            for index, expected in enumerate(word[1:], start + 1):
                if index >= len(data):
                    raise _Syntax("unexpected EOF")
                if data[index] != expected:
                    raise _Syntax(
                        f"invalid character {_quote(data[index])} in literal {word.decode()} "
                        f"(expecting {_quote(expected)})"
                    )
            return start + len(word)
        raise _Syntax(f"invalid character {_quote(char)} looking for beginning of value")

    def _string(self, index: int) -> int:
        data = self.data
        while index < len(data):
            char = data[index]
            if char == ord('"'):
                return index + 1
            if char < 0x20:
                raise _Syntax(f"invalid character {_quote(char)} in string literal")
            if char == ord("\\"):
                index += 1
                if index >= len(data):
                    break
                if data[index] == ord("u"):
                    for offset in range(1, 5):
                        if index + offset >= len(data):
                            raise _Syntax("unexpected EOF")
                        if data[index + offset] not in _HEX:
                            raise _Syntax(
                                f"invalid character {_quote(data[index + offset])} in \\u hexadecimal character escape"
                            )
                    index += 4
                elif data[index] not in _ESCAPES:
                    raise _Syntax(f"invalid character {_quote(data[index])} in string escape code")
            index += 1
        raise _Syntax("unexpected EOF")

    def _number(self, index: int) -> int:
        data = self.data

        def digits(at: int, context: str) -> int:
            if at >= len(data):
                raise _Syntax("unexpected EOF")
            if data[at] not in _DIGITS:
                raise _Syntax(f"invalid character {_quote(data[at])} {context}")
            while at < len(data) and data[at] in _DIGITS:
                at += 1
            return at

        if data[index] == ord("-"):
            index += 1
        if index < len(data) and data[index] == ord("0"):
            index += 1
        else:
            index = digits(index, "in numeric literal")
        if index < len(data) and data[index] == ord("."):
            index = digits(index + 1, "after decimal point in numeric literal")
        if index < len(data) and data[index] in b"eE":
            index += 1
            if index < len(data) and data[index] in b"+-":
                index += 1
            index = digits(index, "in exponent of numeric literal")
        return index
