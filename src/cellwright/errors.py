"""Errors that describe a user's mistake: they name the field, the value and what is allowed."""


class SpecError(ValueError):
    """A spec, data or argument value the user can fix.

    The message is one line: ``<field> = <value>: <what is allowed>``.
    The CLI prints it without a traceback and exits with code 2.
    """

    def __init__(self, field: str, value: object, allowed: str):
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field} = {value!r}: {allowed}")
