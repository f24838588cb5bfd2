"""The materials catalogue through its real view: each filter, most-used first, and full-text search."""

import pytest
from django.urls import reverse

from resources import services
from resources.models import Licence, ResourceFormat, Visibility
from tests import factories

from . import files

CATALOGUE = reverse("resources:list")


def titles(client, **query) -> list[str]:
    return [resource.title for resource in client.get(CATALOGUE, query).context["page_obj"].object_list]


def test_licence_filter_shows_only_that_licence(client, library):
    factories.ResourceFactory(owner_library=library, title="Fri plan", licence=Licence.CC0)
    factories.ResourceFactory(owner_library=library, title="Lukket plan", licence=Licence.ALL_RIGHTS_RESERVED)
    factories.ResourceFactory(owner_library=library, title="Del ens plan", licence=Licence.CC_BY_SA)
    assert titles(client, licence=Licence.CC0) == ["Fri plan"]
    assert titles(client, licence=Licence.ALL_RIGHTS_RESERVED) == ["Lukket plan"]
    assert titles(client, licence=Licence.CC_BY) == []


def test_format_filter_finds_the_material_of_that_kind(client, library):
    factories.ResourceFactory(owner_library=library, title="Film om affald", format=ResourceFormat.VIDEO)
    factories.ResourceFactory(owner_library=library, title="Dias om affald", format=ResourceFormat.SLIDES)
    factories.ResourceFactory(owner_library=library, title="Handout om affald", format=ResourceFormat.HANDOUT)
    assert titles(client, format=ResourceFormat.VIDEO) == ["Film om affald"]
    assert titles(client, format=ResourceFormat.SLIDES) == ["Dias om affald"]


def test_language_filter(client, library):
    factories.ResourceFactory(owner_library=library, title="Klimasamtaler", language="da")
    factories.ResourceFactory(owner_library=library, title="Climate talks", language="en")
    assert titles(client, language="da") == ["Klimasamtaler"]
    assert titles(client, language="en") == ["Climate talks"]
    assert titles(client) == ["Climate talks", "Klimasamtaler"]


def test_library_filter_shows_its_own_and_its_adopted_materials(client, library, library_staff):
    other_library = factories.LibraryFactory()
    adopted = factories.ResourceFactory(owner_library=library, title="Lånt af Herlev")
    factories.ResourceFactory(owner_library=library, title="Kun hos os")
    factories.ResourceFactory(owner_library=other_library, title="Herlevs egen")
    factories.ResourceFactory(owner_library=factories.LibraryFactory(), title="En tredjes")
    services.resource_adopt(
        resource=adopted, library=other_library, adopted_by=factories.LibraryStaffFactory(library=other_library).user
    )
    assert set(titles(client, library=other_library.slug)) == {"Lånt af Herlev", "Herlevs egen"}
    assert set(titles(client, library=library.slug)) == {"Lånt af Herlev", "Kun hos os"}


def test_sdg_filter_finds_materials_about_any_of_the_ticked_goals(client, library, sdgs):
    food = factories.ResourceFactory(owner_library=library, title="Madspild")
    food.sdgs.set([sdgs[2], sdgs[12]])
    climate = factories.ResourceFactory(owner_library=library, title="Klima")
    climate.sdgs.set([sdgs[13]])
    factories.ResourceFactory(owner_library=library, title="Uden mål")
    assert titles(client, sdg=12) == ["Madspild"]
    assert titles(client, sdg=13) == ["Klima"]
    assert set(titles(client, sdg=[2, 13])) == {"Madspild", "Klima"}
    assert titles(client, sdg=5) == []


def _file_material(library_staff, library, title: str):
    return services.resource_create_file(
        created_by=library_staff,
        owner_library=library,
        title=title,
        upload=files.upload("plan.pdf", files.pdf()),
        format=ResourceFormat.HANDOUT,
        visibility=Visibility.PUBLIC,
    )


def test_most_used_first_follows_the_downloads(client, library, library_staff, media_root):
    once = _file_material(library_staff, library, "Hentet én gang")
    often = _file_material(library_staff, library, "Hentet tre gange")
    never = _file_material(library_staff, library, "Aldrig hentet")
    assert titles(client, sort="most-used") == ["Aldrig hentet", "Hentet tre gange", "Hentet én gang"]
    downloaders = [None, factories.LibraryStaffFactory().user, factories.UserFactory()]
    for person in downloaders:
        client.logout()
        if person is not None:
            client.force_login(person)
        assert client.get(reverse("resources:download", kwargs={"pk": often.pk})).status_code == 200
    client.get(reverse("resources:download", kwargs={"pk": once.pk}))
    client.logout()
    assert often.downloads.count() == 3 and once.downloads.count() == 1 and not never.downloads.exists()
    assert titles(client, sort="most-used") == ["Hentet tre gange", "Hentet én gang", "Aldrig hentet"]
    assert titles(client) == ["Aldrig hentet", "Hentet tre gange", "Hentet én gang"]


@pytest.mark.postgres
def test_full_text_search_finds_other_forms_of_a_danish_word(client, library):
    factories.ResourceFactory(owner_library=library, title="Tjekliste: mindre madspild derhjemme")
    factories.ResourceFactory(
        owner_library=library, title="Plakat", description="Brug resterne fra madspildet i går til frokost."
    )
    factories.ResourceFactory(owner_library=library, title="Klimacaféen holder åbent")
    assert titles(client, q="madspildet") == ["Tjekliste: mindre madspild derhjemme", "Plakat"]
    assert titles(client, q="madspild -plakat") == ["Tjekliste: mindre madspild derhjemme"]
    assert titles(client, q="klimacaféens") == ["Klimacaféen holder åbent"]


@pytest.mark.postgres
def test_full_text_search_stems_english_materials_in_english(client, library):
    factories.ResourceFactory(owner_library=library, title="Climate talks for libraries", language="en")
    factories.ResourceFactory(owner_library=library, title="Biblioteker og klima", language="da")
    # Danish stemming keeps "library" and "libraries" apart; English makes both "librari".
    assert titles(client, q="library") == ["Climate talks for libraries"]
    assert titles(client, q="talking") == ["Climate talks for libraries"]
    assert titles(client, q="bibliotekerne") == ["Biblioteker og klima"]


@pytest.mark.sqlite
def test_search_on_the_embedded_default_needs_every_word_and_ranks_title_hits_first(client, library):
    factories.ResourceFactory(owner_library=library, title="Plakat", description="Madspild og klima i hverdagen.")
    factories.ResourceFactory(owner_library=library, title="Madspild i køkkenet", description="Klima og mad.")
    factories.ResourceFactory(owner_library=library, title="Klimacaféen", description="Kaffe og kage.")
    assert titles(client, q="madspild klima") == ["Madspild i køkkenet", "Plakat"]
    assert titles(client, q="KAGE") == ["Klimacaféen"]
