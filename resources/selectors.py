"""Read queries for shared materials. Permission questions live in accounts.permissions."""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from accounts.models import User
from accounts.permissions import Person, may_share_resource_in_room
from circles.models import SDG, Circle, Language, Membership, MembershipRole, MembershipState
from circles.selectors import _text_search
from libraries.models import Library, LibraryStaff

from .models import RemovalRequest, RemovalStatus, Resource, ResourceAdoption, ResourceDownload, Visibility

CATALOGUE_PAGE_SIZE = 20
SORT_NEWEST = "newest"
SORT_MOST_USED = "most-used"


def staff_libraries(user: Person) -> QuerySet[Library]:
    """The libraries where the person is staff (every library for superusers), by name."""
    if not user.is_authenticated:
        return Library.objects.none()
    libraries = Library.objects.select_related("municipality").order_by("name")
    return libraries if user.is_superuser else libraries.filter(staff__user=user).distinct()


def circles_run_by(user: Person) -> QuerySet[Circle]:
    """The circles the person runs: as an active facilitator, or as staff of the host library."""
    if not user.is_authenticated:
        return Circle.objects.none()
    if user.is_superuser:
        return Circle.objects.select_related("host_library").order_by("title")
    facilitated = Membership.objects.filter(
        user=user, role=MembershipRole.FACILITATOR, state=MembershipState.ACTIVE
    ).values("circle_id")
    staffed = LibraryStaff.objects.filter(user=user).values("library_id")
    return (
        Circle.objects.filter(Q(pk__in=facilitated) | Q(host_library_id__in=staffed))
        .select_related("host_library")
        .order_by("title")
    )


def _visible_q(user: Person) -> Q:
    """The database's answer to accounts.permissions.may_view_resource, for every resource at once."""
    visible = Q(visibility=Visibility.PUBLIC)
    if not user.is_authenticated:
        return visible
    if user.is_superuser:
        return Q()
    memberships = Membership.objects.filter(user=user, state=MembershipState.ACTIVE)
    staffed = LibraryStaff.objects.filter(user=user).values("library_id")
    # Asked inside the one query, not before it.
    is_staff_or_facilitator = Exists(LibraryStaff.objects.filter(user=user)) | Exists(
        memberships.filter(role=MembershipRole.FACILITATOR)
    )
    visible |= Q(circle_id__in=memberships.values("circle_id"))
    visible |= Q(owner_library_id__in=staffed) | Q(circle__host_library_id__in=staffed)
    visible |= Q(circle_id__in=memberships.filter(role=MembershipRole.FACILITATOR).values("circle_id"))
    visible |= Q(visibility=Visibility.STAFF) & is_staff_or_facilitator
    return visible


def visible_resources(user: Person) -> QuerySet[Resource]:
    """Every resource the person may see."""
    return Resource.objects.filter(_visible_q(user))


def _count(model, field: str = "resource") -> Coalesce:
    counted = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted[:1]), Value(0), output_field=IntegerField())


def _with_card_data(resources: QuerySet[Resource]) -> QuerySet[Resource]:
    """What a resource card shows, in a constant number of queries: library, SDGs, use counts."""
    return (
        resources.select_related("owner_library", "circle")
        .prefetch_related(Prefetch("sdgs", queryset=SDG.objects.order_by("number")))
        .annotate(download_count=_count(ResourceDownload), adoption_count=_count(ResourceAdoption))
        .annotate(use_count=F("download_count") + F("adoption_count"))
    )


def _catalogue_filter(resources: QuerySet[Resource], filters: dict) -> QuerySet[Resource]:
    if filters.get("sdg"):
        resources = resources.filter(
            Exists(Resource.sdgs.through.objects.filter(resource=OuterRef("pk"), sdg__number__in=filters["sdg"]))
        )
    if filters.get("library"):
        library = filters["library"]
        resources = resources.filter(
            Q(owner_library=library) | Exists(ResourceAdoption.objects.filter(resource=OuterRef("pk"), library=library))
        )
    for field in ("format", "language", "licence"):
        if filters.get(field):
            resources = resources.filter(**{field: filters[field]})
    return resources


def _resource_text_search(resources: QuerySet[Resource], words: str) -> QuerySet[Resource]:
    """Materials matching the words, annotated with `search_rank` (higher is better).

    PostgreSQL: Danish full-text search for every material, and English as well for English ones
    ("libraries" is found by "library" only with English stemming). Elsewhere: circles' fallback.
    """
    if connections[resources.db].vendor != "postgresql":
        return _text_search(resources, words)
    ranks = []
    matches = Q()
    for config, language in (("danish", None), ("english", Language.ENGLISH)):
        vector = SearchVector("title", weight="A", config=config) + SearchVector(
            "description", weight="B", config=config
        )
        query = SearchQuery(words, config=config, search_type="websearch")
        resources = resources.alias(**{f"search_{config}": vector})
        match = Q(**{f"search_{config}": query})
        matches |= match if language is None else match & Q(language=language)
        rank = SearchRank(vector, query)
        ranks.append(rank if language is None else Case(When(language=language, then=rank), default=Value(0.0)))
    return resources.filter(matches).annotate(search_rank=Greatest(*ranks, output_field=FloatField()))


def resource_search(*, user: Person, filters: dict, page: int) -> Page:
    """The materials the person may see that match the catalogue's filters, 20 to a page.

    `filters` holds what ResourceFilterForm.filters() returns: q, sdg (numbers), format, language,
    library, licence, sort ("newest", the default, or "most-used"). Text matches come first.
    """
    resources = _with_card_data(_catalogue_filter(visible_resources(user), filters))
    if filters.get("sort") == SORT_MOST_USED:
        ordering = [F("use_count").desc(), "-created_at", "-pk"]
    else:
        ordering = ["-created_at", "-pk"]
    words = (filters.get("q") or "").strip()
    if words:
        resources = _resource_text_search(resources, words)
        ordering.insert(0, F("search_rank").desc())
    return Paginator(resources.order_by(*ordering), CATALOGUE_PAGE_SIZE).get_page(page)


def resource_for_page(*, pk: int) -> Resource:
    """One resource with what its page shows: library, circle, SDGs, and the libraries that adopted it."""
    return (
        Resource.objects.select_related("owner_library", "circle__host_library", "created_by")
        .prefetch_related(
            Prefetch("sdgs", queryset=SDG.objects.order_by("number")),
            Prefetch(
                "adoptions", queryset=ResourceAdoption.objects.select_related("library").order_by("library__name")
            ),
        )
        .get(pk=pk)
    )


def versions_of(*, resource: Resource) -> list:
    """The earlier files of a resource, newest first, with who uploaded them."""
    return list(resource.versions.select_related("uploaded_by").order_by("-number"))


def downloads_per_library(*, resource: Resource) -> list[dict]:
    """How often the file was downloaded, per library of the people who did (None: visitors and people without one)."""
    return list(
        ResourceDownload.objects.filter(resource=resource)
        .values("library__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "library__name")
    )


def circle_resources(*, user: Person, circle: Circle) -> list[Resource]:
    """The circle's materials the person may see, newest first."""
    return list(
        visible_resources(user).filter(circle=circle).select_related("owner_library").order_by("-created_at", "-pk")
    )


def library_resources(*, user: Person, library: Library) -> tuple[list[Resource], list[ResourceAdoption]]:
    """(the library's own materials the person may see, the materials it adopted that the person may see)."""
    own = list(visible_resources(user).filter(owner_library=library).order_by("title"))
    adopted = list(
        ResourceAdoption.objects.filter(library=library, resource__in=visible_resources(user))
        .select_related("resource__owner_library")
        .order_by("resource__title")
    )
    return own, adopted


def libraries_that_may_adopt(*, user: Person, resource: Resource) -> list[Library]:
    """Libraries where the person is staff that do not own or already have the resource."""
    if resource.visibility == Visibility.CIRCLE:
        return []
    return list(staff_libraries(user).exclude(pk=resource.owner_library_id).exclude(adoptions__resource=resource))


def library_of_person(user: Person) -> Library | None:
    """The library a download is counted for: where the person is staff, else their home library."""
    if not user.is_authenticated:
        return None
    role = LibraryStaff.objects.filter(user=user).select_related("library").order_by("pk").first()
    if role is not None:
        return role.library
    return user.home_library if isinstance(user, User) else None


def rooms_for_sharing(*, user: Person, resource: Resource) -> list[Circle]:
    """The circles in whose discussion the person may post a link to the resource (may_share_resource_in_room)."""
    if not user.is_authenticated:
        return []
    circles = Circle.objects.filter(
        memberships__user=user, memberships__state=MembershipState.ACTIVE, room__isnull=False
    ).select_related("room")
    if resource.visibility != Visibility.PUBLIC:
        # Only its own circle's people may all see material that is not public: no need to ask the others.
        circles = circles.filter(pk=resource.circle_id)
    return [
        circle
        for circle in circles.distinct().order_by("title")
        if may_share_resource_in_room(user, resource, circle.room)
    ]


def removal_requests_of(*, library: Library) -> tuple[list[RemovalRequest], list[RemovalRequest]]:
    """(the library's open requests for removal, oldest first; the 20 it answered last)."""
    requests = RemovalRequest.objects.filter(library=library).select_related("resource")
    open_requests = list(requests.filter(status=RemovalStatus.OPEN).order_by("created_at", "pk"))
    answered = list(requests.exclude(status=RemovalStatus.OPEN).order_by("-handled_at", "-pk")[:20])
    return open_requests, answered


def open_removal_request_count(*, library: Library) -> int:
    return RemovalRequest.objects.filter(library=library, status=RemovalStatus.OPEN).count()
