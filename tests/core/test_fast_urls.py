"""``{% url %}`` through ``core.reverse`` gives exactly what Django's ``reverse`` gives: for every
named URL of the project, with good and with unacceptable arguments."""

import uuid

import pytest
from django.template import Context, Engine, RequestContext, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from ketamine_clinic.core.reverse import _plans, reverse_args
from ketamine_clinic.core.templatetags.fast_urls import FastURLNode

SAMPLES = {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"), "int": 42, "str": "a b%c", "slug": "a-b_c",
           "path": "a/b c"}
BAD = {"uuid": "not-a-uuid", "int": "x", "str": "a/b", "slug": "a b", "path": ""}


def named_urls(resolver=None, namespace=""):
    """(full name, [converter kind per positional parameter]) for every named pattern."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_urls(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters  # a re_path's groups have none: text
            kinds = [type(converters[p]).__name__.removesuffix("Converter").lower() if p in converters else "str"
                     for p in entry.pattern.regex.groupindex]
            yield f"{namespace}{entry.name}", kinds


def django_or_error(name, args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return NoReverseMatch


def fast_or_error(name, args):
    try:
        return reverse_args(name, args)
    except NoReverseMatch:
        return NoReverseMatch


def test_every_named_url_reverses_as_django_reverses_it():
    urls = list(named_urls())
    assert len(urls) > 100
    # Each is answered from its plan, not by falling back to Django.
    assert [name for name, kinds in urls if not _plans(None, "/", name, None, len(kinds))] == []
    for name, kinds in urls:
        for args in ([SAMPLES.get(k, "x") for k in kinds], [BAD.get(k, "") for k in kinds], ["x"] * (len(kinds) + 1)):
            assert fast_or_error(name, args) == django_or_error(name, args), (name, args)
    assert fast_or_error("no-such-name", []) is NoReverseMatch
    assert fast_or_error("nosuchnamespace:chart", []) is NoReverseMatch


def test_the_url_tag_is_the_builtin_and_renders_as_djangos():
    template = Template("{% url 'patients:chart' pid %}|{% url 'patients:chart' public_id=pid %}|"
                        "{% url 'patients:chart' pid as link %}{{ link }}|{% url 'patients:chart' 'bad' as none %}[{{ none }}]")
    assert isinstance(template.nodelist[0], FastURLNode)
    pid = SAMPLES["uuid"]
    expected = reverse("patients:chart", args=[pid])
    assert template.render(Context({"pid": pid})) == f"{expected}|{expected}|{expected}|[]"
    request = RequestFactory().get("/")
    assert Template("{% url 'patients:chart' pid %}").render(RequestContext(request, {"pid": pid})) == expected
    with pytest.raises(NoReverseMatch):
        Template("{% url 'patients:chart' 'bad' %}").render(Context())
    with pytest.raises(TemplateSyntaxError):
        Engine.get_default().from_string("{% url %}")
