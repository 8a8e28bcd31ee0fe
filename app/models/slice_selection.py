"""Which 2-D slice of an N-D array is shown: the two displayed axes and an index per other axis.

Plain evented state (like napari's ``Dims``): the dims sliders and the viewer subscribe to
``changed`` and write user input back through the methods here, which validate it.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.models.events import Event


class SliceSelection:
    """Displayed axes ``(y_axis, x_axis)`` plus the current index of every axis."""

    def __init__(
        self,
        shape: Sequence[int],
        axis_names: Sequence[str] | None = None,
        displayed: tuple[int, int] | None = None,
    ) -> None:
        self.shape = tuple(int(n) for n in shape)
        ndim = len(self.shape)
        if axis_names is None or len(axis_names) != ndim:
            axis_names = [f"dim_{i}" for i in range(ndim)]
        self.axis_names = tuple(str(n) for n in axis_names)
        # Sliced axes start in the middle (the middle plane of a stack is the usual first look).
        self._indices = [n // 2 if n > 0 else 0 for n in self.shape]
        if ndim >= 2:
            self._displayed = displayed or (ndim - 2, ndim - 1)
            self._check_displayed(self._displayed)
        else:
            self._displayed = (0, 0)
        #: emitted with no arguments after any change
        self.changed = Event()
        #: emitted with the axis whose index changed (for prefetch direction)
        self.index_changed = Event()

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def displayed(self) -> tuple[int, int]:
        return self._displayed

    @property
    def sliced_axes(self) -> tuple[int, ...]:
        """Axes that are not displayed (one slider each)."""
        if self.ndim < 2:
            return ()
        return tuple(a for a in range(self.ndim) if a not in self._displayed)

    def index(self, axis: int) -> int:
        return self._indices[axis]

    @property
    def indices(self) -> tuple[int, ...]:
        return tuple(self._indices)

    def set_index(self, axis: int, value: int) -> None:
        if not 0 <= axis < self.ndim:
            raise IndexError(f"axis {axis} out of range for {self.ndim}-D array")
        value = min(max(int(value), 0), max(self.shape[axis] - 1, 0))
        if self._indices[axis] == value:
            return
        self._indices[axis] = value
        self.index_changed.emit(axis)
        self.changed.emit()

    def set_displayed(self, y_axis: int, x_axis: int) -> None:
        displayed = (int(y_axis), int(x_axis))
        self._check_displayed(displayed)
        if displayed == self._displayed:
            return
        self._displayed = displayed
        self.changed.emit()

    def swap_axes(self) -> None:
        """Exchange the vertical and horizontal displayed axes (transposes the view)."""
        y_axis, x_axis = self._displayed
        self.set_displayed(x_axis, y_axis)

    def selection(
        self, y_range: tuple[int, int] | None = None, x_range: tuple[int, int] | None = None
    ) -> tuple[int | slice, ...]:
        """Selection tuple: index for sliced axes, a slice (whole axis or range) for displayed."""
        if self.ndim < 2:
            return (slice(0, self.shape[0]),) if self.ndim == 1 else ()
        y_axis, x_axis = self._displayed
        result: list[int | slice] = []
        for axis, size in enumerate(self.shape):
            if axis == y_axis:
                start, stop = y_range if y_range is not None else (0, size)
                result.append(slice(start, stop))
            elif axis == x_axis:
                start, stop = x_range if x_range is not None else (0, size)
                result.append(slice(start, stop))
            else:
                result.append(self._indices[axis])
        return tuple(result)

    def describe(self) -> str:
        """Human-readable position, e.g. ``c=1 z=12``."""
        return " ".join(f"{self.axis_names[a]}={self._indices[a]}" for a in self.sliced_axes)

    def _check_displayed(self, displayed: tuple[int, int]) -> None:
        y_axis, x_axis = displayed
        if y_axis == x_axis:
            raise ValueError("the two displayed axes must differ")
        for axis in displayed:
            if not 0 <= axis < self.ndim:
                raise ValueError(f"axis {axis} out of range for {self.ndim}-D array")
