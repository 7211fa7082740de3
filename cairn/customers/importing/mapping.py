"""The Cairn fields each kind of import fills, and the proposed mapping from file columns.

A proposal matches a normalized header (case, accents, spaces and punctuation ignored)
against the field's name, its label and the headers CRMs such as Salesforce and HubSpot use
in their exports. The user confirms or changes it; nothing is imported by guesswork alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from cairn.customers.importing.values import squash


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


ACCOUNT_REFERENCE = (
    "account", "account name", "company", "company name", "organization", "organisation",
    "customer", "customer name", "account id", "company id", "associated company",
)

ACCOUNTS = Kind(
    "accounts",
    "Accounts",
    (
        Field("name", "Account name", True,
              ("account name", "company name", "company", "organization", "organisation",
               "customer", "customer name", "name")),
        Field("external_id", "External id",
              synonyms=("account id", "record id", "company id", "crm id", "salesforce id",
                        "hubspot id", "id", "external id", "account number"),
              help="The account's id in the CRM; re-imports match on it first, then on name."),
        Field("industry", "Industry", synonyms=("industry", "sector", "vertical")),
        Field("region", "Region",
              synonyms=("region", "billing country", "country", "country region",
                        "shipping country", "territory", "geo")),
        Field("employees", "Employees",
              synonyms=("employees", "number of employees", "company size", "size",
                        "headcount", "employee count")),
        Field("website", "Website",
              synonyms=("website", "website url", "web site", "company domain name", "domain",
                        "url")),
        Field("segment", "Segment",
              synonyms=("segment", "customer segment", "tier", "customer tier"),
              help="Strategic, Enterprise, Mid-market, SMB or Tech touch."),
        Field("owner", "Owner (CSM)",
              synonyms=("account owner", "company owner", "owner", "csm",
                        "customer success manager", "owner email", "account owner email"),
              help="A Cairn user's e-mail or username."),
        Field("parent", "Parent account",
              synonyms=("parent account", "parent company", "parent", "parent account name"),
              help="The name of an account in this file or already in Cairn."),
    ),
)

CONTACTS = Kind(
    "contacts",
    "Contacts",
    (
        Field("account", "Account", True, ACCOUNT_REFERENCE,
              help="The account's name or external id; the account must exist in Cairn."),
        Field("first_name", "First name", True, ("first name", "firstname", "given name")),
        Field("last_name", "Last name", synonyms=("last name", "lastname", "surname",
                                                   "family name")),
        Field("title", "Title", synonyms=("title", "job title", "position", "role")),
        Field("department", "Department", synonyms=("department", "team", "business unit")),
        Field("email", "E-mail",
              synonyms=("email", "e mail", "email address", "work email", "business email"),
              help="Re-imports match contacts on account and e-mail (else on the name)."),
        Field("phone", "Phone",
              synonyms=("phone", "phone number", "business phone", "work phone", "mobile",
                        "mobile phone", "mobile phone number")),
        Field("reports_to", "Reports to",
              synonyms=("reports to", "reports to email", "manager", "manager email"),
              help="The manager's e-mail: a contact of the same account, in this file or in "
                   "Cairn."),
    ),
)

SUBSCRIPTIONS = Kind(
    "subscriptions",
    "Subscriptions",
    (
        Field("account", "Account", True, ACCOUNT_REFERENCE,
              help="The account's name or external id; the account must exist in Cairn."),
        Field("product", "Product", True,
              ("product", "product name", "plan", "product plan", "item", "line item"),
              help="A product that is not in Cairn yet is created."),
        Field("quantity", "Quantity",
              synonyms=("quantity", "qty", "seats", "licenses", "licences", "units")),
        Field("arr", "ARR",
              synonyms=("arr", "annual recurring revenue", "annual value", "amount",
                        "annual contract value", "acv", "total price")),
        Field("start_date", "Start date", True,
              ("start date", "start", "subscription start date", "subscription start",
               "contract start date", "contract start", "service start date")),
        Field("end_date", "End / renewal date", True,
              ("end date", "end", "renewal date", "subscription end date", "subscription end",
               "contract end date", "contract end", "service end date", "expiration date")),
        Field("status", "Status",
              synonyms=("status", "subscription status", "contract status"),
              help="Active, Trial, Renewed, Churned or Expired; Active when blank."),
    ),
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in (ACCOUNTS, CONTACTS, SUBSCRIPTIONS)}
KIND_CHOICES = [(kind.name, kind.label) for kind in KINDS.values()]


def propose(kind: Kind, headers: list[str]) -> dict[str, str]:
    """Cairn field name -> file header, for the fields a header was found for.

    Each header is used once. Exact names and labels win over synonyms, and earlier synonyms
    (the more specific ones) over later ones, so "Account Name" goes to the name even when
    the file also has a column called "Name".
    """
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(squash(header), header)
    proposal: dict[str, str] = {}
    used: set[str] = set()
    for field in kind.fields:
        for candidate in (field.label, *field.synonyms, field.name):
            found = by_key.get(squash(candidate))
            if found is not None and found not in used:
                proposal[field.name] = found
                used.add(found)
                break
    return proposal


def resolve_field(kind: Kind, given: str) -> Field | None:
    """A field named by the user (CLI): its name or its label, in any case."""
    key = squash(given)
    for field in kind.fields:
        if key in (squash(field.name), squash(field.label)):
            return field
    return None


def missing_required(kind: Kind, mapping: dict[str, str]) -> list[Field]:
    return [field for field in kind.fields if field.required and not mapping.get(field.name)]
