"""How a person appears in API responses: enough to show and to link, nothing private."""

from __future__ import annotations

from ninja import Schema

from cairn.people.models import User


class UserRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(user: User) -> str:
        return str(user)
