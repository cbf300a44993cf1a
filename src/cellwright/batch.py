"""Structure-of-arrays containers: every field an array over N items, N = 1 for one item."""

from __future__ import annotations

from dataclasses import Field, fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

import numpy as np

if TYPE_CHECKING:
    # A Batch field is an array once built, but its constructor also takes a scalar or a
    # sequence (converted and repeated to N in __post_init__); the type checker's dataclass
    # __init__ follows the annotation, so a field annotated ``Column`` takes either there.
    Column: TypeAlias = np.ndarray | Any
else:
    Column = np.ndarray


class Batch:
    """Base for dataclasses of arrays. Scalars and length-1 fields are repeated to length N.

    Subclasses list integer and boolean fields in ``INT_FIELDS`` and ``BOOL_FIELDS``; every other
    field is float64. Fields are annotated :data:`Column` (an array, built from a scalar or a
    sequence too).
    """

    # every subclass is a dataclass (this is what ``dataclasses.fields`` reads)
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    INT_FIELDS: ClassVar[tuple[str, ...]] = ()
    BOOL_FIELDS: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self):
        for f in fields(self):
            dtype = int if f.name in self.INT_FIELDS else bool if f.name in self.BOOL_FIELDS else float
            setattr(self, f.name, np.atleast_1d(np.asarray(getattr(self, f.name), dtype=dtype)))
        n = max(getattr(self, f.name).shape[0] for f in fields(self))
        for f in fields(self):
            arr = getattr(self, f.name)
            if arr.shape[0] != n:
                if arr.shape[0] != 1:
                    raise ValueError(f"{type(self).__name__}.{f.name} has length {arr.shape[0]}, others {n}")
                setattr(self, f.name, np.repeat(arr, n))
        self._n = n

    def __len__(self) -> int:
        return self._n

    def take(self, index):
        """The items at ``index`` (a boolean mask or integer indices)."""
        return type(self)(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def replace(self, **changes):
        """A copy with some fields replaced (scalars or arrays of length N)."""
        values = self.as_dict()
        values.update(changes)
        return type(self)(**values)

    def as_dict(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def concatenate(cls, items):
        return cls(**{f.name: np.concatenate([getattr(i, f.name) for i in items]) for f in fields(cls)})
