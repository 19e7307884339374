"""Words as data: a ``str`` (its English words, for the CLI and logs) that also carries its key in a
table of words and the values it was made with, so a front end can word it in its own language
from the key, without parsing the English back. :class:`~photoguard.progress.Stage` (what
:func:`photoguard.protect` is doing) and :class:`~photoguard.types.FaceReason` (why a face was left
as it was) are the two kinds.

Example:
    >>> class Greeting(Keyed):
    ...     WORDS = {"hello": "hello, {name}"}
    >>> g = Greeting("hello", name="Ada")
    >>> str(g), g.key, g.values
    ('hello, Ada', 'hello', {'name': 'Ada'})
"""

from __future__ import annotations

from typing import Any, ClassVar, Self


class Keyed(str):
    """``Kind(key, **values)``: the words of ``key`` in the class's :attr:`WORDS`, filled from ``values``.

    Attributes:
        WORDS: key -> English words with ``{placeholders}`` (set by each kind).
        key: the key it was made with.
        values: the values in its words.
    """

    WORDS: ClassVar[dict[str, str]] = {}
    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, **values: Any) -> Self:
        obj = super().__new__(cls, cls.WORDS[key].format(**values))
        obj.key = key
        obj.values = values
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as what it was made from (for worker processes)
        return (_rebuild, (type(self), self.key, self.values))


def _rebuild(kind: type[Keyed], key: str, values: dict[str, Any]) -> Keyed:
    return kind(key, **values)
