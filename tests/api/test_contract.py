"""The OpenAPI contract: one schema per component name, every status code the API can return declared."""

import typing
from collections import defaultdict

import pydantic
import pytest

from ketamine_clinic.api import api


def _annotations(t) -> typing.Iterator:
    yield t
    for arg in typing.get_args(t):
        yield from _annotations(arg)


def _schemas_by_name() -> dict[str, set[str]]:
    """Every pydantic model the operations take or answer, by the name OpenAPI gives its component.

    ninja names a component after the class (``__name__``), so two classes of one name collide:
    the second silently documents the first's shape."""
    found: dict[str, set[str]] = defaultdict(set)
    seen: set[int] = set()

    def walk(model):
        if not (isinstance(model, type) and issubclass(model, pydantic.BaseModel)) or id(model) in seen:
            return
        seen.add(id(model))
        if not model.__module__.startswith("ninja"):  # ninja's own wrappers are inlined, not components
            found[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
        for field in model.model_fields.values():
            for t in _annotations(field.annotation):
                walk(t)

    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    for t in _annotations(model):
                        walk(t)
    return found


def test_every_schema_component_name_belongs_to_one_class():
    found = _schemas_by_name()
    assert len(found) > 50  # the walk reaches the routers' schemas
    collisions = {name: sorted(classes) for name, classes in found.items() if len(classes) > 1}
    assert collisions == {}


def test_the_dose_and_alert_bodies_are_documented_with_their_own_shapes(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]

    def body_ref(path, method="post"):
        return paths[path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    assert body_ref("/api/v1/pk/predict") == "PredictIn"
    assert "PkDoseIn" in schema["components"]["schemas"]["PredictIn"]["properties"]["doses"]["items"]["$ref"]
    assert body_ref("/api/v1/plans/{plan_id}/dose") == "PlanDoseIn"
    assert body_ref("/api/v1/sessions/{session_id}/dose") == "SessionDoseIn"
    assert body_ref("/api/v1/alerts/{alert_id}/acknowledge") == "RiskAlertAcknowledgeIn"
    alerts = paths["/api/v1/alerts"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert alerts["items"]["$ref"].endswith("/RiskAlertOut")
    assert "risk_level" in schema["components"]["schemas"]["RiskAlertOut"]["properties"]


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            yield f"{method.upper()} {path}", op


def _can_be_malformed(param) -> bool:
    """Any text fits an unconstrained string path parameter; anything else can be refused."""
    schema = param.get("schema", {})
    plain_text = schema.get("type") == "string" and not set(schema) & {"format", "maxLength", "minLength", "pattern", "enum"}
    return not plain_text or (param["in"] == "query" and param.get("required", False))


def test_every_operation_declares_the_errors_its_input_can_cause(client):
    """A typed, bounded or required parameter can be malformed (422); a body can be unparseable
    (400), too large (413) or invalid (422); a secured operation answers 401 without credentials."""
    schema = client.get("/api/v1/openapi.json").json()
    missing = {}
    for name, op in _operations(schema):
        declared = set(op["responses"])
        needed = {"401"} if op.get("security") or schema.get("security") else set()
        if any(_can_be_malformed(p) for p in op.get("parameters", [])):
            needed.add("422")
        if "requestBody" in op:
            needed |= {"400", "413", "422"}
        if needed - declared:
            missing[name] = sorted(needed - declared)
    assert missing == {}


@pytest.mark.parametrize("path", [
    "/patients/not-a-uuid", "/patients/not-a-uuid/responses", "/sessions/not-a-uuid", "/sessions/not-a-uuid/checklist",
    "/sessions/not-a-uuid/vitals", "/locations/not-a-uuid/board", "/rems-forms/not-a-uuid", "/rems-forms/not-a-uuid/pdf",
])
def test_a_malformed_id_is_a_declared_422(client_for, nurse, path):
    response = client_for(nurse).get(f"/api/v1{path}")
    assert response.status_code == 422 and response.json()["detail"]
    schema = client_for(nurse).get("/api/v1/openapi.json").json()
    template = next(p for p in schema["paths"] if p.split("{")[0] == f"/api/v1{path.split('not-a-uuid')[0]}" and
                    p.count("{") == 1 and p.endswith(path.split("not-a-uuid")[1]))
    assert "422" in schema["paths"][template]["get"]["responses"]
