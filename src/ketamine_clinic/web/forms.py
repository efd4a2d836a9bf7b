"""A bound form that shows the field errors a service found."""


def with_errors(form, errors: dict[str, list[str]]):
    """``form`` (bound) showing a service's field errors too; those the form found itself are not
    repeated, and a field the form does not have becomes a form-wide error."""
    for field, msgs in errors.items():
        target = field if field in form.fields else None
        already = form.errors.get(target or "__all__", [])
        for msg in msgs:
            if msg not in already:
                form.add_error(target, msg)
    return form


def bound(form_class, data, errors: dict[str, list[str]], **kwargs):
    """``form_class`` bound to what was posted, with the service's field errors."""
    return with_errors(form_class(data=data, **kwargs), errors)
