"""The one error a reader raises: a file that cannot be read, or may not be (a limit); the message is for
a person, in Vietnamese, and names the file and what to do."""


class ReadError(Exception):
    """A file that cannot be read at all (the message is for a person, in Vietnamese)."""
