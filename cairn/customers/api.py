"""REST endpoints for accounts, contacts, subscriptions and products.

Reads are open to everyone signed in; writes follow cairn.people.permissions, like the UI.
"""

# No `from __future__ import annotations` here: ninja reads the signatures' real types.

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cairn.api import READ_ERRORS, WRITE_ERRORS, Pagination, apply, save, user_of
from cairn.customers.actions import POLICY_REFUSAL, delete_record, save_policy
from cairn.customers.models import GRACE_DAYS_MAX, Account, ChurnPolicy, Contact, Product, Subscription
from cairn.customers.queries import with_arr_and_renewal
from cairn.customers.schemas import (
    AccountFilter,
    AccountIn,
    AccountOut,
    AccountPatch,
    ContactFilter,
    ContactIn,
    ContactOut,
    ContactPatch,
    ProductOut,
    SubscriptionFilter,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)
from cairn.engagements.models import Engagement, Status
from cairn.people import access
from cairn.people.models import User

accounts = Router(tags=["accounts"])
contacts = Router(tags=["contacts"])
subscriptions = Router(tags=["subscriptions"])
products = Router(tags=["products"])

ACCOUNT_RELATIONS = {"owner": User, "parent": Account}


def _accounts() -> QuerySet[Account]:
    return with_arr_and_renewal(Account.objects.select_related("owner"))


def _account(pk: int) -> Account:
    return get_object_or_404(_accounts(), pk=pk)


def _filter_accounts(queryset: QuerySet[Account], filters: AccountFilter) -> QuerySet[Account]:
    if filters.q:
        q = filters.q.strip()
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(industry__icontains=q) | Q(external_id__iexact=q)
        )
    if filters.segment is not None:
        queryset = queryset.filter(segment=filters.segment)
    if filters.owner is not None:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.phase:
        # Exists keeps one row per account however many engagements match.
        in_phase = Engagement.objects.filter(
            account=OuterRef("pk"), current_phase__key=filters.phase
        ).exclude(status=Status.CLOSED)
        queryset = queryset.filter(Exists(in_phase))
    if filters.renewal_after is not None:
        queryset = queryset.filter(Q(next_renewal__gte=filters.renewal_after))
    if filters.renewal_before is not None:
        queryset = queryset.filter(Q(next_renewal__lte=filters.renewal_before))
    return queryset


@accounts.get("/", response=list[AccountOut], summary="List accounts")
@paginate(Pagination)
def list_accounts(request: HttpRequest, filters: Query[AccountFilter]) -> QuerySet[Account]:
    return _filter_accounts(_accounts(), filters).order_by("name", "pk")


@accounts.get("/{int:account_id}", response={200: AccountOut, **READ_ERRORS})
def get_account(request: HttpRequest, account_id: int) -> Account:
    return _account(account_id)


@accounts.post("/", response={201: AccountOut, **WRITE_ERRORS}, summary="Create an account")
def create_account(request: HttpRequest, payload: AccountIn) -> tuple[int, Account]:
    user = user_of(request)
    access.account_creator(user, "You may not create accounts.")
    account = apply(Account(), payload.model_dump(exclude_unset=True), ACCOUNT_RELATIONS)
    save(account, by=user)
    return 201, _account(account.pk)


@accounts.patch("/{int:account_id}", response={200: AccountOut, **WRITE_ERRORS})
def update_account(request: HttpRequest, account_id: int, payload: AccountPatch) -> Account:
    user = user_of(request)
    account = access.editable_account(user, account_id, message="You may not change this account.")
    save(apply(account, payload.model_dump(exclude_unset=True), ACCOUNT_RELATIONS), by=user)
    return _account(account.pk)


@accounts.delete("/{int:account_id}", response={204: None, **WRITE_ERRORS})
def delete_account(request: HttpRequest, account_id: int) -> tuple[int, None]:
    user = user_of(request)
    account = get_object_or_404(Account, pk=account_id)
    access.leader(user, "Only CS leaders delete accounts.")
    delete_record(account, by=user)
    return 204, None


# Said before the account is fetched, so it cannot name it.
CHILD_REFUSAL = "You may not change the contacts and subscriptions of this account."


def _check_manager(contact: Contact) -> None:
    # The org chart is drawn per account: a manager at another customer makes no sense.
    if contact.reports_to is not None and contact.reports_to.account_id != contact.account_id:
        raise ValidationError({"reports_to": "The manager must be a contact of the same account."})


@contacts.get("/", response=list[ContactOut], summary="List contacts")
@paginate(Pagination)
def list_contacts(request: HttpRequest, filters: Query[ContactFilter]) -> QuerySet[Contact]:
    return filters.filter(Contact.objects.all()).order_by("last_name", "first_name", "pk")


@contacts.get("/{int:contact_id}", response={200: ContactOut, **READ_ERRORS})
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    return get_object_or_404(Contact, pk=contact_id)


@contacts.post("/", response={201: ContactOut, **WRITE_ERRORS}, summary="Create a contact")
def create_contact(request: HttpRequest, payload: ContactIn) -> tuple[int, Contact]:
    user = user_of(request)
    data = payload.model_dump(exclude_unset=True)
    # The account is checked before the manager the payload names is looked up.
    account = access.editable_account(
        user, data.pop("account"), message=CHILD_REFUSAL, field="account"
    )
    contact = apply(Contact(account=account), data, {"reports_to": Contact})
    _check_manager(contact)
    return 201, save(contact, by=user)


@contacts.patch("/{int:contact_id}", response={200: ContactOut, **WRITE_ERRORS})
def update_contact(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Contact:
    user = user_of(request)
    contact = access.account_item(
        user, Contact.objects.select_related("account"), message=CHILD_REFUSAL, pk=contact_id
    )
    apply(contact, payload.model_dump(exclude_unset=True), {"reports_to": Contact})
    _check_manager(contact)
    return save(contact, by=user)


@contacts.delete("/{int:contact_id}", response={204: None, **WRITE_ERRORS})
def delete_contact(request: HttpRequest, contact_id: int) -> tuple[int, None]:
    user = user_of(request)
    contact = access.account_item(
        user, Contact.objects.select_related("account"), message=CHILD_REFUSAL, pk=contact_id
    )
    delete_record(contact, by=user)
    return 204, None


def _subscriptions() -> QuerySet[Subscription]:
    return Subscription.objects.select_related("product")


@subscriptions.get("/", response=list[SubscriptionOut], summary="List subscriptions")
@paginate(Pagination)
def list_subscriptions(
    request: HttpRequest, filters: Query[SubscriptionFilter]
) -> QuerySet[Subscription]:
    return filters.filter(_subscriptions()).order_by("end_date", "pk")


@subscriptions.get("/{int:subscription_id}", response={200: SubscriptionOut, **READ_ERRORS})
def get_subscription(request: HttpRequest, subscription_id: int) -> Subscription:
    return get_object_or_404(_subscriptions(), pk=subscription_id)


@subscriptions.post(
    "/", response={201: SubscriptionOut, **WRITE_ERRORS}, summary="Create a subscription"
)
def create_subscription(
    request: HttpRequest, payload: SubscriptionIn
) -> tuple[int, Subscription]:
    user = user_of(request)
    data = payload.model_dump(exclude_unset=True)
    # The account is checked before the product the payload names is looked up.
    account = access.editable_account(
        user, data.pop("account"), message=CHILD_REFUSAL, field="account"
    )
    subscription = apply(Subscription(account=account), data, {"product": Product})
    return 201, save(subscription, by=user)


@subscriptions.patch("/{int:subscription_id}", response={200: SubscriptionOut, **WRITE_ERRORS})
def update_subscription(
    request: HttpRequest, subscription_id: int, payload: SubscriptionPatch
) -> Subscription:
    user = user_of(request)
    subscription = access.account_item(
        user, _subscriptions().select_related("account"), message=CHILD_REFUSAL,
        pk=subscription_id,
    )
    apply(subscription, payload.model_dump(exclude_unset=True), {"product": Product})
    return save(subscription, by=user)


@subscriptions.delete("/{int:subscription_id}", response={204: None, **WRITE_ERRORS})
def delete_subscription(request: HttpRequest, subscription_id: int) -> tuple[int, None]:
    user = user_of(request)
    subscription = access.account_item(
        user, Subscription.objects.select_related("account"), message=CHILD_REFUSAL,
        pk=subscription_id,
    )
    delete_record(subscription, by=user)
    return 204, None


@products.get("/", response=list[ProductOut], summary="List products")
@paginate(Pagination)
def list_products(request: HttpRequest) -> QuerySet[Product]:
    return Product.objects.order_by("name", "pk")


@products.get("/{int:product_id}", response={200: ProductOut, **READ_ERRORS})
def get_product(request: HttpRequest, product_id: int) -> Product:
    return get_object_or_404(Product, pk=product_id)


# The churn definition's policy: everyone reads it, leaders set it (cairn.customers.churn).
customers = Router(tags=["customers"])


class ChurnPolicyOut(Schema):
    grace_days: int = Field(description="Days a renewal may start late and still be no churn.")
    updated_by: int | None = Field(None, alias="updated_by_id", description="User id.")
    updated_at: dt.datetime | None = None


class ChurnPolicyIn(Schema):
    grace_days: int = Field(ge=0, le=GRACE_DAYS_MAX, description="From 0 to 365 days.")


@customers.get("/churn-policy", response={200: ChurnPolicyOut, **READ_ERRORS},
               summary="Read the churn definition's grace period")
def get_churn_policy(request: HttpRequest) -> ChurnPolicy:
    return ChurnPolicy.current()


@customers.put("/churn-policy", response={200: ChurnPolicyOut, **WRITE_ERRORS},
               summary="Set the churn definition's grace period (leaders)")
def set_churn_policy(request: HttpRequest, payload: ChurnPolicyIn) -> ChurnPolicy:
    user = access.leader(user_of(request), POLICY_REFUSAL)
    try:
        return save_policy(payload.grace_days, by=user)
    except ValidationError as exc:
        exc.model = ChurnPolicy  # type: ignore[attr-defined]
        raise
