"""Bibliography labels that match the author-year citations in the text.

The chapters cite with ``bibtex_reference_style: author_year`` ("[Schuessler et al.,
2020]"), but pybtex's default formatting style labels the bibliography "alpha"-style
("[SMD+20]"), so a reader cannot find a citation in the list by its label. This
extension registers the formatting style ``author_year_labels``: pybtex's ``unsrt``
entries in alphabetical order, labelled "Strogatz, 2018", "Sussillo and Barak, 2013", "Dinc et al., 2025a"
(the year as in the bib file, which carries a/b where one author list has two entries in
a year, so text and list agree). Set by ``bibtex_default_style`` in ``_config.yml``.
"""
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _last_name(person):
    return " ".join(person.last_names).replace("{", "").replace("}", "")


def label(entry):
    """``Name, year``, ``Name and Name, year`` or ``Name et al., year``."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last_name(p) for p in people]
    if len(names) > 2:
        who = f"{names[0]} et al."
    else:
        who = " and ".join(names)
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield label(entry)


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = "author_year_title"      # the list in alphabetical order


def setup(app):
    register_plugin("pybtex.style.formatting", "author_year_labels", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
