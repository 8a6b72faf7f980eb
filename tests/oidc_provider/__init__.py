"""A real OpenID Connect provider for the tests, run as its own process
(`python -m tests.oidc_provider --port N`): Authlib's authorization server
(the provider side of the library, not the client the app uses) in a small
Flask app, with discovery, an HTML login page, the token endpoint, JWKS and
RP-initiated logout, signing its id_tokens with its own RSA key.

Tests set it up over HTTP (/_control/..., guarded by a token): the client
(the app's redirect URI), the people who can log in with their groups, and
misbehaviour for the refusal tests (a wrong audience, an expired id_token,
a token signed by another key). tests/oidc_helpers.py starts it.
"""
