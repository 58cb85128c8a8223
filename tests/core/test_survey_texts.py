"""Free-text answers shown without names: known first and last names (accents, Œ, Ł,
compound names), any word after a civility, phones and e-mails; particles and everyday
words stay."""

from __future__ import annotations

from bippop_desk.registry.survey_texts import name_words, pseudonymise, shown_order

KNOWN = name_words(["Hélène Œuvray", "Jean-Paul Le Goff", "Łukasz Zieliński"])


def test_known_names_in_any_spelling_are_masked_and_particles_stay() -> None:
    text = "HÉLÈNE et Helene, Œuvray, Jean-Paul Le Goff et Łukasz sont venus. Le lundi, ça va."
    assert pseudonymise(text, KNOWN) == (
        "[nom] et [nom], [nom], [nom]-[nom] Le [nom] et [nom] sont venus. Le lundi, ça va."
    )


def test_a_word_after_a_civility_phones_and_e_mails_are_masked() -> None:
    text = "Mme Durand et M. Petit : 06 12 34 56 78, +33 3 44 40 72 00, durand@exemple.fr"
    assert pseudonymise(text, KNOWN) == (
        "Mme [nom] et M. [nom] : [téléphone], [téléphone], [e-mail]"
    )


def test_lower_case_words_are_never_masked_even_when_they_spell_a_name() -> None:
    assert pseudonymise("un petit peu de jean", name_words(["Jean Petit"])) == (
        "un petit peu de jean"
    )


def test_the_texts_are_listed_in_an_order_of_their_own() -> None:
    texts = [f"réponse {n}" for n in range(20)]
    assert sorted(shown_order(texts, 7)) == sorted(texts)
    assert shown_order(texts, 7) == shown_order(list(reversed(texts)), 7) != texts
