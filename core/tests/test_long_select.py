"""core.forms.LongSelect writes the same <select> as Django's templates (bench/load.py found
the activity form's per-option template renders the page's largest cost at national scale)."""

from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import LongSelect

labels = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
choices = st.lists(st.tuples(st.integers(0, 10**6).map(str), labels), max_size=8, unique_by=lambda c: c[0])


def both(widget_choices, value, attrs=None):
    fast = LongSelect(choices=widget_choices).render("school", value, attrs=attrs)
    django = forms.Select(choices=widget_choices).render("school", value, attrs=attrs)
    return str(fast), str(django)


def test_same_html_as_django_with_selection_attributes_and_escaping():
    widget_choices = [("", "---------"), ("1", "Åsen <skole> & «Ung»"), ('2"x', "B")]
    fast, django = both(widget_choices, "1", attrs={"id": "id_school", "required": True, "disabled": False})
    assert fast == django
    assert " selected>Åsen &lt;skole&gt; &amp; «Ung»</option>" in fast
    assert 'value="2&quot;x"' in fast
    assert " disabled" not in fast


def test_same_html_as_django_with_groups():
    widget_choices = [("Oslo", [("1", "A"), ("2", "B")]), ("3", "C")]
    assert both(widget_choices, "2")[0] == both(widget_choices, "2")[1]


def test_a_widget_with_other_templates_renders_through_them():
    class Other(LongSelect):
        option_template_name = "django/forms/widgets/select_option.html"
        template_name = "django/forms/widgets/select.html"

    widget = Other(choices=[("1", "<b>")])
    widget.option_template_name = "django/forms/widgets/input.html"  # not the default: the templates are used
    assert "<option" not in str(widget.render("x", "1"))


@settings(max_examples=60, deadline=None)
@given(widget_choices=choices, value=st.one_of(st.none(), labels, st.integers(0, 10**6).map(str)))
def test_same_html_as_django_for_any_choices_and_value(widget_choices, value):
    fast, django = both(widget_choices, value, attrs={"id": "id_x", "class": 'a" onmouseover="x'})
    assert fast == django
