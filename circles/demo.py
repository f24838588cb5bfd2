"""Demo data: libraries in four municipalities with action plans, people with demo logins, circles of every kind.

Everything is created through the services, so the demo obeys the same rules as real use.
Running it again changes nothing: each object is looked up by its natural key first.
"""

import datetime
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from chat.models import Room
from chat.services import message_post
from libraries.models import (
    ActionPlanArea,
    Commitment,
    Initiative,
    InitiativeStatus,
    Library,
    Municipality,
    Region,
    StaffRole,
    Venue,
)
from libraries.services import commitment_create, initiative_create, library_staff_set
from resources.demo import seed_demo_materials
from resources.models import Licence, ResourceFormat, Visibility
from resources.services import resource_create_link

from .models import (
    SDG,
    ActionStatus,
    Audience,
    Circle,
    CircleKind,
    CircleStatus,
    JoinPolicy,
    Language,
    MeetingFormat,
    ProjectAction,
)
from .services import circle_create, facilitator_appoint, meeting_create, membership_join, project_action_create

DEMO_PASSWORD = "cirkler-demo"
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
# A fixed namespace makes the demo's chat client_ids the same on every run.
DEMO_NAMESPACE = uuid.UUID("6f1d3c52-7c1e-4d55-9a43-3e0f2b1c9a10")


@dataclass(frozen=True)
class DemoInitiative:
    title: str
    area: ActionPlanArea
    status: InitiativeStatus
    sdgs: tuple[int, ...]
    description: str


OUTREACH = ActionPlanArea.OUTREACH
INVOLVEMENT = ActionPlanArea.CITIZEN_INVOLVEMENT
OWN = ActionPlanArea.OWN_SUSTAINABILITY

BALLERUP_ACTION_PLAN = [
    DemoInitiative(
        "Læringscirkler for en bæredygtig fremtid",
        OUTREACH,
        InitiativeStatus.UNDER_WAY,
        (4, 17),
        "Små læringscirkler, der mødes både online og i bibliotekets rum. Vi deler workshopmaterialer med andre "
        "biblioteker, så flere kan komme i gang.",
    ),
    DemoInitiative(
        "Verdens Bedste Løsninger LIVE!",
        OUTREACH,
        InitiativeStatus.PLANNED,
        (7, 13, 17),
        "En årlig vidensfestival om de bedste bæredygtige løsninger for borgere, grønne foreninger og fagfolk – "
        "i Posthuset og som livestream.",
    ),
    DemoInitiative(
        "Sammen om Verdensmål for 60+",
        INVOLVEMENT,
        InitiativeStatus.UNDER_WAY,
        (3, 11, 13),
        "Borgere over 60 arbejder sammen med verdensmålene. Når man handler sammen om noget meningsfuldt, "
        "giver det **trivsel** – og biblioteket bliver et samlingssted for lokale handlefællesskaber.",
    ),
    DemoInitiative(
        "GRO SELV: workshops for unge",
        INVOLVEMENT,
        InitiativeStatus.UNDER_WAY,
        (12, 13, 15),
        "Et åbent fællesskab af unge under den grønne tænketank CONCITO. Workshops og events, der gør "
        "bæredygtighed praktisk.",
    ),
    DemoInitiative(
        "Posthuset som samlingssted",
        INVOLVEMENT,
        InitiativeStatus.DONE,
        (11, 17),
        "Det gamle posthus på Banegårdspladsen er et nyt samlingssted for alle borgere, foreninger og løse "
        "fællesskaber.",
    ),
    DemoInitiative(
        "DB2030: vi deler erfaringer med andre biblioteker",
        OUTREACH,
        InitiativeStatus.UNDER_WAY,
        (4, 17),
        "Vi er med i det landsdækkende netværk af biblioteker, der arbejder med verdensmålene, og deler "
        "materialer og erfaringer på tværs af kommuner.",
    ),
    DemoInitiative(
        "Affaldssortering i hele huset",
        OWN,
        InitiativeStatus.DONE,
        (12,),
        "Vi sorterer affald på kontorer og i publikumsområder.",
    ),
    DemoInitiative(
        "Intet engangsservice af plast",
        OWN,
        InitiativeStatus.DONE,
        (12, 14),
        "Til møder og arrangementer bruger vi service, der kan vaskes og bruges igen.",
    ),
    DemoInitiative(
        "Dobbeltsidet print som standard",
        OWN,
        InitiativeStatus.UNDER_WAY,
        (12, 15),
        "Alle printere på biblioteket printer på begge sider af papiret, medmindre man vælger andet.",
    ),
]

BALLERUP_COMMITMENTS = [
    "Vi sorterer affald på kontorer og i publikumsområder.",
    "Vi bruger ikke engangsservice af plast.",
    "Vi printer dobbeltsidet.",
    "Vi deler vores workshopmaterialer med andre biblioteker.",
]

HERLEV_ACTION_PLAN = [
    DemoInitiative(
        "Reparationscafé",
        INVOLVEMENT,
        InitiativeStatus.UNDER_WAY,
        (12,),
        "Borgere lærer hinanden at reparere ting i stedet for at smide dem ud.",
    ),
    DemoInitiative(
        "Læringscirkler på engelsk",
        OUTREACH,
        InitiativeStatus.PLANNED,
        (5, 10),
        "Online læringscirkler på engelsk, så flere borgere kan være med.",
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: str


DEMO_LOGINS = [
    DemoLogin("admin@cirkler.example", "Site-administrator", "site admin (Django admin)"),
    DemoLogin("bibliotekar@cirkler.example", "Birgitte Holm", "library admin, Ballerup Bibliotek"),
    DemoLogin("herlev@cirkler.example", "Jonas Friis", "library staff, Herlev Bibliotek"),
    DemoLogin("facilitator@cirkler.example", "Grethe Sørensen", "facilitator of several circles"),
    DemoLogin("frivillig@cirkler.example", "Amira Nielsen", "young volunteer (GRO SELV), facilitator"),
    DemoLogin("medlem@cirkler.example", "Ole Hansen", "member, 72"),
    DemoLogin("inger@cirkler.example", "Inger Lund", "member, 68"),
    DemoLogin("karl@cirkler.example", "Karl Mortensen", "member, 75"),
    DemoLogin("sofie@cirkler.example", "Sofie Berg", "member, 19"),
]


def _user(login: DemoLogin, password_hash: str) -> User:
    user = User.objects.filter(email__iexact=login.email).first()
    if user is None:
        create = User.objects.create_superuser if login.email.startswith("admin@") else User.objects.create_user
        user = create(login.email, None, display_name=login.name)
        # One hash for the one published demo password: hashing it once per person costs seconds.
        user.password = password_hash
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def _municipality(name: str, code: str, region: Region) -> Municipality:
    municipality, _created = Municipality.objects.get_or_create(code=code, defaults={"name": name, "region": region})
    return municipality


def _library(slug: str, **fields) -> Library:
    library, _created = Library.objects.get_or_create(slug=slug, defaults=fields)
    return library


def _venue(library: Library, name: str, **fields) -> Venue:
    venue, _created = Venue.objects.get_or_create(library=library, name=name, defaults=fields)
    return venue


def _action_plan(
    library: Library, author: User, initiatives: list[DemoInitiative], commitments: list[str], goals: dict[int, SDG]
) -> None:
    """The library's action plan and commitments, each created once (looked up by its text)."""
    for item in initiatives:
        if not Initiative.objects.filter(library=library, title=item.title).exists():
            initiative_create(
                created_by=author,
                library=library,
                title=item.title,
                area=item.area,
                status=item.status,
                sdgs=[goals[number] for number in item.sdgs],
                description=item.description,
            )
    for text in commitments:
        if not Commitment.objects.filter(library=library, text=text).exists():
            commitment_create(created_by=author, library=library, text=text)


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=COPENHAGEN)


def _next_weekday(today: datetime.date, weekday: int) -> datetime.date:
    """The given weekday (0 = Monday) of next week or later: at least three days ahead."""
    days = (weekday - today.weekday()) % 7
    return today + datetime.timedelta(days=days if days >= 3 else days + 7)


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Create the demo data when it is missing. Returns the demo logins."""
    password_hash = make_password(DEMO_PASSWORD)
    people = {login.email.split("@")[0]: _user(login, password_hash) for login in DEMO_LOGINS}
    admin = people["admin"]

    ballerup = _municipality("Ballerup", "151", Region.HOVEDSTADEN)
    herlev = _municipality("Herlev", "163", Region.HOVEDSTADEN)
    egedal = _municipality("Egedal", "240", Region.HOVEDSTADEN)
    roskilde = _municipality("Roskilde", "265", Region.SJAELLAND)

    main_library = _library(
        "ballerup-bibliotek",
        name="Ballerup Bibliotek",
        municipality=ballerup,
        address="Hovedbiblioteket, Banegårdspladsen",
        postcode="2750",
        city="Ballerup",
        description="Bibliotekerne i Ballerup arbejder med verdensmålene: læringscirkler, GRO SELV og Posthuset som nyt samlingssted.",
    )
    main_hall = _venue(
        main_library,
        "Hovedbiblioteket, mødesalen",
        address="Banegårdspladsen",
        postcode="2750",
        city="Ballerup",
        step_free=True,
        hearing_loop=True,
    )
    post_office = _venue(
        main_library,
        "Posthuset",
        address="Banegårdspladsen",
        postcode="2750",
        city="Ballerup",
        step_free=True,
        accessibility_notes="Det gamle posthus: niveaufri adgang fra pladsen, handicaptoilet i stueetagen.",
    )
    herlev_library = _library(
        "herlev-bibliotek", name="Herlev Bibliotek", municipality=herlev, postcode="2730", city="Herlev"
    )
    herlev_room = _venue(
        herlev_library,
        "Biblioteket, studiesalen",
        address="Herlev Bygade",
        postcode="2730",
        city="Herlev",
        step_free=True,
    )
    egedal_library = _library(
        "egedal-bibliotekerne", name="Egedal Bibliotekerne", municipality=egedal, postcode="3660", city="Stenløse"
    )
    _venue(
        egedal_library,
        "Stenløse Bibliotek",
        address="Stenløse Centervej",
        postcode="3660",
        city="Stenløse",
        step_free=True,
    )
    roskilde_library = _library(
        "roskilde-bibliotek", name="Roskilde Bibliotek", municipality=roskilde, postcode="4000", city="Roskilde"
    )
    _venue(
        roskilde_library,
        "Biblioteket, café-rummet",
        address="Dronning Margrethes Vej",
        postcode="4000",
        city="Roskilde",
        hearing_loop=True,
    )

    library_staff_set(library=main_library, user=people["bibliotekar"], role=StaffRole.ADMIN)
    library_staff_set(library=herlev_library, user=people["herlev"], role=StaffRole.STAFF)

    goals = {sdg.number: sdg for sdg in SDG.objects.all()}
    _action_plan(main_library, people["bibliotekar"], BALLERUP_ACTION_PLAN, BALLERUP_COMMITMENTS, goals)
    _action_plan(herlev_library, people["herlev"], HERLEV_ACTION_PLAN, [], goals)

    if Circle.objects.filter(slug="klimasamtaler-for-60").exists():
        _project_group_actions(people, goals)
        return DEMO_LOGINS

    staff = people["bibliotekar"]
    today = timezone.localdate()

    def circle(
        slug: str, facilitators: list[User], members: list[User], meetings: int, weekday: int, hour: int, **fields
    ) -> Circle:
        new = circle_create(created_by=fields.pop("created_by", staff), slug=slug, **fields)
        for person in facilitators:
            facilitator_appoint(appointed_by=admin, circle=new, user=person)
        first = _next_weekday(today, weekday)
        for week in range(meetings):
            day = first + datetime.timedelta(weeks=week)
            meeting_create(created_by=admin, circle=new, starts_at=_local(day, hour), ends_at=_local(day, hour + 2))
        for person in members:
            membership_join(circle=new, user=person)
        return new

    climate = circle(
        "klimasamtaler-for-60",
        [people["facilitator"]],
        [people["medlem"], people["inger"], people["karl"]],
        meetings=6,
        weekday=1,
        hour=10,
        host_library=main_library,
        title="Klimasamtaler for 60+",
        description="Vi mødes hver tirsdag i **Posthuset** og taler om klimaet i hverdagen: mad, transport og varme.\n\n"
        "- Ingen forudsætninger\n- Kaffe og kage\n- Vi slutter af med en lille handling, vi gør sammen",
        sdgs=[goals[13], goals[12], goals[3]],
        kind=CircleKind.LEARNING_CIRCLE,
        audience=Audience.SENIORS,
        format=MeetingFormat.IN_PERSON,
        venue=post_office,
        capacity=12,
        status=CircleStatus.OPEN,
        starts_on=_next_weekday(today, 1),
        rhythm="Hver tirsdag kl. 10–12",
    )
    food = circle(
        "groen-hverdag-mindre-madspild",
        [people["facilitator"], people["frivillig"]],
        [people["sofie"], people["inger"]],
        meetings=4,
        weekday=3,
        hour=16,
        host_library=main_library,
        title="Grøn hverdag: mindre madspild",
        description="Unge og ældre bytter gode råd om rester, indkøb og opbevaring. Vi mødes i mødesalen, og du kan også være med online.",
        sdgs=[goals[2], goals[12]],
        audience=Audience.INTERGENERATIONAL,
        format=MeetingFormat.HYBRID,
        venue=main_hall,
        online_url="https://meet.cirkler.example/madspild",
        join_policy=JoinPolicy.APPROVAL,
        capacity=16,
        status=CircleStatus.OPEN,
        starts_on=_next_weekday(today, 3),
        rhythm="Hver anden torsdag kl. 16–18",
    )
    circle(
        "gro-selv-byhaver-og-biodiversitet",
        [people["frivillig"]],
        [people["sofie"]],
        meetings=4,
        weekday=2,
        hour=17,
        host_library=main_library,
        title="GRO SELV: byhaver og biodiversitet",
        description="Et åbent fællesskab for unge: vi planter, bygger insekthoteller og laver en vild blomstereng ved biblioteket.",
        sdgs=[goals[15], goals[11]],
        audience=Audience.YOUTH,
        format=MeetingFormat.IN_PERSON,
        venue=main_hall,
        status=CircleStatus.OPEN,
        starts_on=_next_weekday(today, 2),
        rhythm="Onsdage kl. 17–19",
    )
    water = circle(
        "renere-vandloeb-paa-tvaers",
        [people["facilitator"], people["frivillig"]],
        [people["medlem"], people["sofie"], people["karl"]],
        meetings=3,
        weekday=0,
        hour=13,
        host_library=main_library,
        title="Renere vandløb på tværs af kommuner",
        description="En projektgruppe for Ballerup, Herlev og Egedal: vi kortlægger affald i Harrestrup Å og rydder op sammen.",
        sdgs=[goals[6], goals[14], goals[17]],
        kind=CircleKind.PROJECT_GROUP,
        audience=Audience.INTERGENERATIONAL,
        format=MeetingFormat.HYBRID,
        venue=main_hall,
        online_url="https://meet.cirkler.example/vandloeb",
        partner_libraries=[herlev_library, egedal_library],
        status=CircleStatus.RUNNING,
        starts_on=_next_weekday(today, 0),
        rhythm="Første mandag i måneden",
    )
    circle(
        "verdens-bedste-loesninger-live",
        [people["facilitator"]],
        [people["medlem"], people["inger"]],
        meetings=1,
        weekday=5,
        hour=11,
        host_library=main_library,
        title="Verdens Bedste Løsninger LIVE!",
        description="Vidensfestival om de bedste bæredygtige løsninger – i Posthuset og som livestream.",
        sdgs=[goals[7], goals[13], goals[17]],
        kind=CircleKind.EVENT,
        audience=Audience.EVERYONE,
        format=MeetingFormat.HYBRID,
        venue=post_office,
        online_url="https://meet.cirkler.example/vbl-live",
        capacity=80,
        status=CircleStatus.OPEN,
        starts_on=_next_weekday(today, 5),
    )
    circle(
        "everyday-equality-online",
        [people["frivillig"]],
        [people["sofie"]],
        meetings=4,
        weekday=3,
        hour=19,
        host_library=herlev_library,
        created_by=people["herlev"],
        title="Everyday equality (online, in English)",
        description="An online circle in English on equality at work and at home.",
        sdgs=[goals[5], goals[10]],
        language=Language.ENGLISH,
        format=MeetingFormat.ONLINE,
        online_url="https://meet.cirkler.example/equality",
        status=CircleStatus.OPEN,
        starts_on=_next_weekday(today, 3),
        rhythm="Thursdays 19–20:30",
    )
    circle(
        "klimacafe-online",
        [people["facilitator"]],
        [people["inger"]],
        meetings=4,
        weekday=0,
        hour=19,
        host_library=main_library,
        title="Klimacafé online",
        description="Tag en kop kaffe med hjemmefra: vi mødes på skærmen og taler om små klimahandlinger i hverdagen. "
        "Vi hjælper gerne med at komme på første gang.",
        sdgs=[goals[13], goals[7]],
        audience=Audience.SENIORS,
        format=MeetingFormat.ONLINE,
        online_url="https://meet.cirkler.example/klimacafe",
        capacity=10,
        status=CircleStatus.OPEN,
        starts_on=_next_weekday(today, 0),
        rhythm="Mandage kl. 19–21",
    )
    circle(
        "reparationscafe",
        [people["facilitator"]],
        [people["medlem"], people["inger"], people["karl"], people["sofie"]],
        meetings=3,
        weekday=4,
        hour=10,
        host_library=herlev_library,
        created_by=people["herlev"],
        title="Reparationscafé: lær at reparere",
        description="Tag en ting med, der trænger til en hånd. Få pladser, så der er tid til alle.",
        sdgs=[goals[12]],
        audience=Audience.INTERGENERATIONAL,
        venue=herlev_room,
        capacity=3,
        status=CircleStatus.OPEN,
        starts_on=_next_weekday(today, 4),
        rhythm="Fredage kl. 10–12",
    )
    circle_create(
        created_by=staff,
        slug="energi-i-hjemmet-kladde",
        host_library=main_library,
        title="Energi i hjemmet (kladde)",
        sdgs=[goals[7]],
        status=CircleStatus.DRAFT,
    )

    conversation = {
        climate: [
            ("facilitator", "Velkommen til klimasamtalerne! Skriv gerne, hvad I håber at få ud af det."),
            ("medlem", "Jeg vil gerne vide, om det betyder noget, at jeg cykler i stedet for at tage bilen."),
            ("inger", "Jeg tager en kage med på tirsdag 🙂"),
            ("facilitator", "Dejligt! Vi starter med at tale om mad og madspild."),
        ],
        water: [
            ("frivillig", "Herlev har lånt os gribetænger og sække. Vi mødes ved broen kl. 13."),
            ("karl", "Jeg har gummistøvler med. Skal vi tage billeder af det, vi finder?"),
            ("facilitator", "Ja, tak! Så kan vi lægge dem i vores fælles materialer bagefter."),
        ],
        food: [("frivillig", "Husk at tage en madpakke med af rester – så smager vi på hinandens!")],
    }
    for chat_circle, lines in conversation.items():
        room = Room.objects.get(circle=chat_circle)
        for number, (who, body) in enumerate(lines):
            message_post(
                room=room,
                author=people[who],
                body=body,
                client_id=uuid.uuid5(DEMO_NAMESPACE, f"{chat_circle.slug}-{number}"),
            )

    resource_create_link(
        created_by=staff,
        owner_library=main_library,
        title="Verdensmålene forklaret",
        url="https://www.un.org/sustainabledevelopment/",
        format=ResourceFormat.GUIDE,
        sdgs=list(goals.values()),
        description="FN's egen side om de 17 verdensmål.",
        licence=Licence.ALL_RIGHTS_RESERVED,
    )
    resource_create_link(
        created_by=staff,
        owner_library=main_library,
        title="Workshopplan: den første læringscirkel",
        url="https://materialer.cirkler.example/workshopplan-laeringscirkel",
        format=ResourceFormat.WORKSHOP_PLAN,
        sdgs=[goals[4], goals[17]],
        description="Sådan kører I det første møde: præsentationsrunde, fælles spilleregler og valg af emne.",
        visibility=Visibility.STAFF,
    )
    resource_create_link(
        created_by=people["facilitator"],
        owner_library=main_library,
        circle=climate,
        title="Handout: 10 små klimahandlinger",
        url="https://materialer.cirkler.example/10-klimahandlinger",
        format=ResourceFormat.HANDOUT,
        sdgs=[goals[13]],
        visibility=Visibility.CIRCLE,
        licence=Licence.CC_BY_SA,
    )
    seed_demo_materials(
        staff=staff,
        facilitator=people["facilitator"],
        other_staff=people["herlev"],
        library=main_library,
        other_library=herlev_library,
        circle=climate,
        goals=goals,
    )
    _project_group_actions(people, goals)
    return DEMO_LOGINS


@dataclass(frozen=True)
class DemoAction:
    title: str
    owner: str
    sdg: int
    status: ActionStatus
    due_in_days: int
    description: str


WATER_GROUP_ACTIONS = [
    DemoAction(
        "Kortlæg affald langs Harrestrup Å",
        "karl",
        6,
        ActionStatus.DONE,
        -7,
        "Vi gik strækningen fra Ballerup til Herlev og noterede, hvor der ligger mest affald.",
    ),
    DemoAction(
        "Lån gribetænger og sække i Herlev",
        "frivillig",
        17,
        ActionStatus.DOING,
        5,
        "Herlev Bibliotek låner os udstyr til oprydningsdagen.",
    ),
    DemoAction(
        "Fælles oprydningsdag ved broen",
        "medlem",
        14,
        ActionStatus.TODO,
        14,
        "Alle tre kommuner mødes ved broen kl. 13. Tag gummistøvler med.",
    ),
    DemoAction(
        "Del billeder af fundene i gruppens materialer",
        "sofie",
        6,
        ActionStatus.TODO,
        21,
        "",
    ),
]


def _project_group_actions(people: dict[str, User], goals: dict[int, SDG]) -> None:
    """The cross-municipality project group's actions, each created once (looked up by its title)."""
    group = Circle.objects.filter(slug="renere-vandloeb-paa-tvaers").first()
    if group is None:
        return
    today = timezone.localdate()
    for item in WATER_GROUP_ACTIONS:
        if ProjectAction.objects.filter(circle=group, title=item.title).exists():
            continue
        project_action_create(
            created_by=people["facilitator"],
            circle=group,
            title=item.title,
            description=item.description,
            sdg=goals[item.sdg],
            owner=people[item.owner],
            due_on=today + datetime.timedelta(days=item.due_in_days),
            status=item.status,
        )
