"""Test data: one factory per model, used by every test."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from chat.models import Room
from circles.models import SDG, Circle, CircleStatus, Meeting, Membership, MembershipRole, MembershipState
from libraries.models import (
    ActionPlanArea,
    Commitment,
    Initiative,
    InitiativeStatus,
    Library,
    LibraryStaff,
    Municipality,
    Region,
    StaffRole,
    Venue,
)
from resources.models import Resource, ResourceFormat, Visibility

PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@cirkler.example")
    display_name = factory.Faker("name", locale="da_DK")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """A verified primary address, as allauth keeps it (pass verified=False to skip)."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Kommune {n}")
    code = factory.Sequence(lambda n: f"{(n % 899) + 100:03d}")
    region = Region.HOVEDSTADEN


class LibraryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Library

    name = factory.Sequence(lambda n: f"Bibliotek {n}")
    slug = factory.Sequence(lambda n: f"bibliotek-{n}")
    municipality = factory.SubFactory(MunicipalityFactory)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    library = factory.SubFactory(LibraryFactory)
    name = factory.Sequence(lambda n: f"Mødelokale {n}")
    address = "Bibliotekstorvet 1"


class LibraryStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryStaff

    library = factory.SubFactory(LibraryFactory)
    user = factory.SubFactory(UserFactory)
    role = StaffRole.STAFF


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Circle
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Læringscirkel {n}")
    slug = factory.Sequence(lambda n: f"laeringscirkel-{n}")
    description = "Vi taler om **verdensmålene**."
    host_library = factory.SubFactory(LibraryFactory)
    status = CircleStatus.OPEN

    @factory.post_generation
    def sdgs(circle, create, extracted, **kwargs):
        if create and extracted:
            circle.sdgs.set(extracted)

    @factory.post_generation
    def room(circle, create, extracted, **kwargs):
        if create:
            Room.objects.create(circle=circle)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    circle = factory.SubFactory(CircleFactory)
    user = factory.SubFactory(UserFactory)
    role = MembershipRole.MEMBER
    state = MembershipState.ACTIVE


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    circle = factory.SubFactory(CircleFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda meeting: meeting.starts_at + datetime.timedelta(hours=2))


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    library = factory.SubFactory(LibraryFactory)
    title = factory.Sequence(lambda n: f"Indsats {n}")
    description = "Vi gør **noget** for verdensmålene."
    area = ActionPlanArea.OUTREACH
    status = InitiativeStatus.PLANNED

    @factory.post_generation
    def sdgs(initiative, create, extracted, **kwargs):
        if create and extracted:
            initiative.sdgs.set(extracted)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    library = factory.SubFactory(LibraryFactory)
    text = factory.Sequence(lambda n: f"Vi lover {n} ting.")
    position = factory.Sequence(lambda n: n + 1)


class ResourceFactory(factory.django.DjangoModelFactory):
    """A shared link (the factory makes no files)."""

    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Materiale {n}")
    url = factory.Sequence(lambda n: f"https://materialer.cirkler.example/{n}")
    format = ResourceFormat.HANDOUT
    owner_library = factory.SubFactory(LibraryFactory)
    visibility = Visibility.PUBLIC


def sdg(number: int) -> SDG:
    return SDG.objects.get(number=number)
