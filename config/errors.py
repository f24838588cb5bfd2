"""The one error type services raise."""


class ServiceError(Exception):
    """A refused change. `code` is stable (tests and the chat protocol use it); `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
