"""Text a person types into the store (names, notes, decisions) and the characters it may not hold.

A name or note is shown to other people: on screen, in the audit log, in ``svw`` output and in reports.
Control characters (NUL, escape, backspace, …) and the invisible bidirectional controls (U+202A–U+202E,
U+2066–U+2069, U+200E, U+200F, U+061C; the "Trojan Source" characters, CVE-2021-42574) could make it
read differently from what was saved, so they are refused, saying which character and where. A note may
hold line breaks and tabs; a name may not.

Examples
--------
>>> first_forbidden("Round 3") is None
True
>>> first_forbidden("Round\\u202e3")
'a right-to-left override (U+202E) at character 6'
>>> first_forbidden("line one\\nline two", multiline=True) is None
True
>>> first_forbidden("line one\\nline two")
'a line break (U+000A) at character 9'
"""

from __future__ import annotations

import unicodedata

#: The bidirectional controls, by code point, with their names in plain English.
BIDI_CONTROLS = {
    0x061C: "an Arabic letter mark",
    0x200E: "a left-to-right mark",
    0x200F: "a right-to-left mark",
    0x202A: "a left-to-right embedding",
    0x202B: "a right-to-left embedding",
    0x202C: "a pop directional formatting",
    0x202D: "a left-to-right override",
    0x202E: "a right-to-left override",
    0x2066: "a left-to-right isolate",
    0x2067: "a right-to-left isolate",
    0x2068: "a first strong isolate",
    0x2069: "a pop directional isolate",
}
_NAMED = {0x00: "a NUL character", 0x0A: "a line break", 0x0D: "a carriage return", 0x09: "a tab", 0x1B: "an escape"}
_MULTILINE_ALLOWED = {0x09, 0x0A, 0x0D}


def first_forbidden(text: str, *, multiline: bool = False) -> str | None:
    """The first character ``text`` may not hold, described with its position (from 1), or ``None``."""
    for position, char in enumerate(text, start=1):
        point = ord(char)
        if multiline and point in _MULTILINE_ALLOWED:
            continue
        category = unicodedata.category(char)
        if point in BIDI_CONTROLS:
            what = BIDI_CONTROLS[point]
        elif category == "Cc" or point in (0x2028, 0x2029):
            what = _NAMED.get(point, "a control character")
        else:
            continue
        return f"{what} (U+{point:04X}) at character {position}"
    return None
