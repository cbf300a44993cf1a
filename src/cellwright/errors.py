"""Errors that describe a user's mistake: they name the field, the value and what is allowed."""

#: Longest value shown in an error message; longer ones are cut (an array of millions of
#: numbers under a wrong key must not become a 25 MB "one-line" error).
MAX_VALUE_CHARS = 120


class SpecError(ValueError):
    """A spec, data or argument value the user can fix.

    The message is one line: ``<field> = <value>: <what is allowed>``.
    The CLI prints it without a traceback and exits with code 2.
    """

    def __init__(self, field: str, value: object, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        shown = repr(value.item() if hasattr(value, "item") and getattr(value, "size", 0) == 1 else value)
        if len(shown) > MAX_VALUE_CHARS:
            shown = shown[: MAX_VALUE_CHARS - 3] + "..."
        super().__init__(f"{field} = {shown}: {allowed}")

    def __reduce__(self):
        # raised in a worker process, it arrives in the caller as the same error
        return (SpecError, (self.field, self.value, self.allowed))
