"""What schemathesis cannot read in the schema: one parameter that needs
another. OpenAPI 3 has no way to say it, so the parameter's description says it
(`ordering=modified` only with `modified_since`, otherwise a 400, held by
tests/test_api_contract.py) and this tells the generator. Loaded by
schemathesis.toml, for the CLI and tests/test_api_schema.py alike."""

import schemathesis


@schemathesis.hook("filter_query").apply_to(path="/api/v1/articles/", method="GET")
def ordering_modified_needs_modified_since(context, query):
    query = query or {}
    return query.get("ordering") != "modified" or "modified_since" in query
