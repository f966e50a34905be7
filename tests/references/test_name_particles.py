"""One list of name particles serves all three places that need one: splitting a reference's
author list (`references.names`), recognising names in an author-year citation
(`documents.authoryear`), and comparing a cited name with an entry's (`checks.authoryear`).

Every name below is a family name as printed in a real article of ../shared/corpus/realdocs
(the article is named in the case id); the citation texts are quoted from those articles.
"""

from __future__ import annotations

import importlib

import pytest

from citecheck.checks.authoryear import name_key
from citecheck.documents.authoryear import parse_names
from citecheck.references.names import NAME_PARTICLES, split_names

# (author list as PLOS prints it, the first family name it must yield)
AUTHOR_LISTS = [
    pytest.param("van 't Veer LJ, Dai H", "van 't Veer", id="elife02935-van-t-Veer"),
    pytest.param("de la Fuente A, Smith J", "de la Fuente", id="elife04953-de-la-Fuente"),
    pytest.param("ter Kuile BH, Jones K", "ter Kuile", id="elife02304-ter-Kuile"),
    pytest.param("dos Santos Silva I, Beral V", "dos Santos Silva", id="pbio.1001199-dos-Santos-Silva"),
    pytest.param("von der Heydt R, Peterhans E", "von der Heydt", id="pone.0067380-von-der-Heydt"),
    pytest.param("Dal Cin P, Kim T", "Dal Cin", id="pone.0012262-Dal-Cin"),
    pytest.param("di Sant'Agnese PA, Ross J", "di Sant'Agnese", id="pone.0012262-di-Sant-Agnese"),
    pytest.param("Van den Broek M, Li X", "Van den Broek", id="pcbi.1004152-Van-den-Broek"),
    pytest.param("de Ruyter van Steveninck R, Bialek W", "de Ruyter van Steveninck", id="pcbi.1004141-de-Ruyter"),
    pytest.param("dela Cruz CS, Tanoue LT", "dela Cruz", id="pone.0012262-dela-Cruz"),
    pytest.param("do Rosario VE, Smith A", "do Rosario", id="pone.0010685-do-Rosario"),
    pytest.param("den Besten G, Smith A", "den Besten", id="pone.0012262-den-Besten"),
    pytest.param("du Preez I, Smith A", "du Preez", id="pone.0087236-du-Preez"),
]


@pytest.mark.parametrize(("written", "family"), AUTHOR_LISTS)
def test_an_author_list_keeps_the_particles_with_the_family_name(written: str, family: str) -> None:
    names, _et_al = split_names(written)
    assert names[0]["family"] == family


# (the names part of a citation as printed, the names it must yield)
CITED_NAMES = [
    pytest.param("von Philipsborn et al.", ("von Philipsborn",), id="elife04493-von-Philipsborn"),
    pytest.param("Des Marais and Rausher", ("Des Marais", "Rausher"), id="elife02304-Des-Marais"),
    pytest.param("De Alwis et al.", ("De Alwis",), id="elife02935-De-Alwis"),
    pytest.param("De Wit", ("De Wit",), id="elife04490-De-Wit"),
    pytest.param("van 't Veer", ("van 't Veer",), id="elife02935-van-t-Veer"),
    pytest.param("de la Fuente et al.", ("de la Fuente",), id="elife04953-de-la-Fuente"),
    pytest.param("ter Kuile and Smith", ("ter Kuile", "Smith"), id="elife02304-ter-Kuile"),
    pytest.param("dos Santos et al.", ("dos Santos",), id="elife04953-dos-Santos"),
    pytest.param("van der Zande", ("van der Zande",), id="elife02304-van-der-Zande"),
]


@pytest.mark.parametrize(("text", "names"), CITED_NAMES)
def test_a_citation_may_name_authors_with_particles(text: str, names: tuple[str, ...]) -> None:
    parsed = parse_names(text)
    assert parsed is not None
    assert parsed[0] == names


# (as cited, as the entry gives the family name): the same person
SAME_PERSON = [
    pytest.param("van der Zande", "van der Zande", id="elife02304-identical"),
    pytest.param("Van der Zande", "van der Zande", id="elife02304-capitalised-particle"),
    pytest.param("Zande", "van der Zande", id="elife02304-particles-dropped"),
    pytest.param("van 't Veer", "van 't Veer", id="elife02935-van-t-Veer"),
    pytest.param("Veer", "van 't Veer", id="elife02935-van-t-dropped"),
    pytest.param("von Philipsborn", "von Philipsborn", id="elife04493-von"),
    pytest.param("Philipsborn", "von Philipsborn", id="elife04493-von-dropped"),
    pytest.param("ter Kuile", "ter Kuile", id="elife02304-ter"),
    pytest.param("de la Fuente", "De La Fuente", id="elife04953-case"),
    pytest.param("Des Marais", "Des Marais", id="elife02304-Des"),
]


@pytest.mark.parametrize(("cited", "family"), SAME_PERSON)
def test_particles_do_not_make_two_people(cited: str, family: str) -> None:
    assert name_key(cited) == name_key(family)


# Particles never hide a different person: the family name proper still decides.
DIFFERENT_PEOPLE = [
    pytest.param("van den Broek", "van den Bosch", id="pbio.1001315-Broek-vs-pone.0080518-Bosch"),
    pytest.param("de Souza", "de Sousa Abreu", id="pmed.0030520-Souza-vs-pone.0115067-Sousa-Abreu"),
    pytest.param("Le Roy", "Le Roch", id="pone.0081648-Roy-vs-pone.0074790-Roch"),
]


@pytest.mark.parametrize(("cited", "family"), DIFFERENT_PEOPLE)
def test_particles_never_merge_two_people(cited: str, family: str) -> None:
    assert name_key(cited) != name_key(family)


@pytest.mark.parametrize("module", ["citecheck.checks.authoryear", "citecheck.documents.authoryear"])
def test_one_list_of_particles(module: str) -> None:
    imported = importlib.import_module(module)
    assert imported.NAME_PARTICLES is NAME_PARTICLES
    assert not hasattr(imported, "_PARTICLES"), "a second list of particles"
