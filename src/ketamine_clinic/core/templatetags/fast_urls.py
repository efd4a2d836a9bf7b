"""Django's ``{% url %}``, reversed through ``core.reverse.reverse_args`` (a template builtin:
settings.TEMPLATES). Same arguments, same output, same errors; see core/reverse.py for why."""

from django import template
from django.template.defaulttags import URLNode, url as django_url_tag
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from ..reverse import reverse_args

register = template.Library()


class FastURLNode(URLNode):
    def render(self, context):
        if self.kwargs:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        if not isinstance(view_name, str):
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        request = getattr(context, "request", None)
        try:  # as Django's tag: the request's current app, else its resolved namespace
            current_app = request.current_app
        except AttributeError:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:
            url = reverse_args(view_name, args, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Django's ``{% url %}``, reversed through ``reverse_args``."""
    node = django_url_tag(parser, token)
    return FastURLNode(node.view_name, node.args, node.kwargs, node.asvar)
