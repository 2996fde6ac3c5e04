"""A paper set in Traditional characters (香港, 台灣, an overseas edition) is read by the same conventions.

The rules are written once, in Simplified (本报讯, 记者, 摄, 下转第N版). An importer reads a Traditional text
through :meth:`Script.simplified`, one character for one, so every position and length stays as printed, and
gives every string it writes back through :meth:`Script.restored`: the paper's own characters. A simplified form
that two printed characters share (髮 and 發 → 发), or that the text also prints as itself, is left as printed, so
that the way back is exact.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field


@functools.cache
def _t2s():
    import opencc  # the editions' converter (Apache-2.0); loaded only for a text that needs it

    return opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Script:
    to_simplified: dict[int, str] = field(default_factory=dict)  # str.translate tables
    to_printed: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> Script:
        """The script of ``text``: Simplified (nothing to do), or the character map of its Traditional ones."""
        converter = _t2s()
        if converter.convert(text) == text:
            return PLAIN
        present = set(text)
        shared = defaultdict(set)
        for ch in present:
            simple = converter.convert(ch)
            if simple != ch and len(simple) == 1:
                shared[simple].add(ch)
        pairs = {next(iter(printed)): simple for simple, printed in shared.items() if len(printed) == 1 and simple not in present}
        return cls({ord(a): b for a, b in pairs.items()}, {ord(b): a for a, b in pairs.items()})

    def simplified(self, text: str) -> str:
        return text.translate(self.to_simplified) if self.to_simplified else text

    def restored(self, text: str) -> str:
        return text.translate(self.to_printed) if self.to_printed else text

    def restored_all(self, value):
        """Every string inside ``value`` (dicts, lists, tuples) restored; anything else as it is."""
        if not self.to_printed:
            return value
        if isinstance(value, str):
            return self.restored(value)
        if isinstance(value, dict):
            return {k: self.restored_all(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.restored_all(v) for v in value)
        return value


PLAIN = Script()
