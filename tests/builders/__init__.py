"""Builders for the objects tests need, one module per app (the persona world is in
`tests.builders.world`). Builders go through the services, so what they build is what the
product would have built; the permission matrix (tests/permissions/) and the ordinary tests
share them."""
