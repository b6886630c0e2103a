"""The in-memory PIM: the connected App, authorization codes, access tokens, OpenID consents and
injected faults. Framework-free; every change happens under one lock because the server is threaded.
"""

import hashlib
import hmac
import threading
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from pim_emulator import scopes
from pim_emulator.clock import Clock
from pim_emulator.codes import random_code
from pim_emulator.config import EmulatorConfig
from pim_emulator.faults import Faults
from pim_emulator.openid import IdentityClaims, SigningKeys, create_id_token, generate_keys, signing_keys
from pim_emulator.urls import add_query
from pim_emulator.users import MANAGER, PimUser, pim_users

AUTH_CODE_LIFETIME = 30.0
PIM_USER_ID = MANAGER  # the pretend PIM user signed in at first, with the "manage apps" right

_ERROR_PREFIX = "akeneo_connectivity.connection.connect.apps."
APP_NOT_FOUND = _ERROR_PREFIX + "error.app_not_found"
RESPONSE_TYPE_NOT_BLANK = _ERROR_PREFIX + "constraint.response_type.not_blank"
RESPONSE_TYPE_MUST_BE_CODE = _ERROR_PREFIX + "constraint.response_type.must_be_code"
SCOPE_TOO_LONG = _ERROR_PREFIX + "constraint.scope.too_long"

MSG_AUTH_REQUIRED = "Authentication is required"
MSG_UNKNOWN_BEARER = "The access token provided is invalid."
MSG_APP_DISCONNECTED = "The access token provided is invalid. Your app has been disconnected from that PIM."


# --- records -------------------------------------------------------------------------------


@dataclass
class ConnectedApp:
    scopes: tuple[str, ...]  # granted authorization scopes, stored as requested (not expanded)
    connected_at: float
    outdated_scopes: bool = False
    requested_scopes: tuple[str, ...] = ()  # what the App asked for through scopes/update


@dataclass
class UserConsent:
    sub: str  # PPID: stable per (user, app) until the App is disconnected
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class AuthCode:
    client_id: str
    user_id: str
    created_at: float


@dataclass
class AccessToken:
    client_id: str
    scope: str
    revoked: bool = False


@dataclass(frozen=True)
class PendingAuthorization:
    """An authorize request waiting for the user's consent (kept in the browser's session)."""

    client_id: str
    authorization_scopes: tuple[str, ...]
    authentication_scopes: tuple[str, ...]
    state: str | None

    def to_session(self) -> dict[str, Any]:
        return {
            "authorization": list(self.authorization_scopes),
            "authentication": list(self.authentication_scopes),
            "state": self.state,
        }

    @classmethod
    def from_session(cls, client_id: str, data: Mapping[str, Any]) -> "PendingAuthorization":
        return cls(
            client_id=client_id,
            authorization_scopes=tuple(data.get("authorization", ())),
            authentication_scopes=tuple(data.get("authentication", ())),
            state=data.get("state"),
        )

    @property
    def wants_openid(self) -> bool:
        return scopes.OPENID in self.authentication_scopes


# --- outcomes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizeRejected:
    """Shown as a PIM error page; the App's callback is never called."""

    error_key: str


@dataclass(frozen=True)
class AuthorizeForbidden:
    """The PIM's 403: the user may not connect this App (only a user who may manage Apps can)."""

    message: str


@dataclass(frozen=True)
class ConsentRequired:
    pending: PendingAuthorization
    step: Literal["authorize", "authenticate"]  # full wizard, or the profile/email screen only


@dataclass(frozen=True)
class RedirectToCallback:
    url: str


AuthorizeOutcome = AuthorizeRejected | AuthorizeForbidden | ConsentRequired | RedirectToCallback


@dataclass(frozen=True)
class TokenError:
    error: str
    description: str | None = None

    def to_json(self) -> dict[str, str]:
        body = {"error": self.error}
        if self.description is not None:
            body["error_description"] = self.description
        return body


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    scope: str
    id_token: str | None

    def to_json(self) -> dict[str, str]:
        body = {"access_token": self.access_token, "token_type": "bearer", "scope": self.scope}
        if self.id_token is not None:
            body["id_token"] = self.id_token
        return body


@dataclass(frozen=True)
class ApiDenied:
    status: int
    message: str


@dataclass(frozen=True)
class ApiCaller:
    client_id: str
    granted_scopes: tuple[str, ...]


# --- the PIM -------------------------------------------------------------------------------


@dataclass
class _Data:
    app: ConnectedApp | None = None
    consents: dict[tuple[str, str], UserConsent] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    token_requests: int = 0
    user_id: str = PIM_USER_ID  # who is signed in to the PIM
    public_key_requests: int = 0
    scope_notices: int = 0  # scopes/update calls
    rotated_keys: SigningKeys | None = None  # None: the process-wide key pair


class PimState:
    """One PIM with one registered App (the custom App from the emulator's config)."""

    def __init__(self, config: EmulatorConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._lock = threading.Lock()
        self._data = _Data()
        self.users = pim_users(config)

    # --- authorize -----------------------------------------------------------------------

    def authorize(
        self,
        *,
        client_id: str,
        response_type: str,
        scope: str,
        state: str | None,
    ) -> AuthorizeOutcome:
        if not client_id or client_id != self.config.client_id:
            return AuthorizeRejected(APP_NOT_FOUND)
        if not response_type:
            return AuthorizeRejected(RESPONSE_TYPE_NOT_BLANK)
        if response_type != "code":
            return AuthorizeRejected(RESPONSE_TYPE_MUST_BE_CODE)
        if len(scope) > scopes.MAX_SCOPE_LENGTH:
            return AuthorizeRejected(SCOPE_TOO_LONG)
        requested = scopes.parse(scope)
        pending = PendingAuthorization(
            client_id=client_id,
            authorization_scopes=requested.authorization,
            authentication_scopes=requested.authentication,
            state=state,
        )
        with self._lock:
            return self._decide(pending)

    def _decide(self, pending: PendingAuthorization) -> AuthorizeOutcome:
        app = self._data.app
        user = self.current_user
        manager = user.can_manage_apps
        if app is None:
            if not manager:
                return AuthorizeForbidden(
                    f"{user.name} may not connect Apps: ask someone who may manage Apps."
                )
            return self._ask_consent(pending, "authorize")
        if manager and scopes.new_scopes(pending.authorization_scopes, app.scopes):
            return self._ask_consent(pending, "authorize")
        if manager:
            # Already connected and nothing new: the request replaces the granted scopes, even when
            # it asks for fewer (the docs' reason to always request the full list).
            app.scopes = pending.authorization_scopes
            app.outdated_scopes = False
            app.requested_scopes = ()
        # A user who may only open the App leaves its scopes as they are, new ones included: no wizard.
        if not pending.wants_openid:
            self._reset_consent(pending.client_id)
            return RedirectToCallback(self._callback_with_code(pending))
        consented = self._consented_scopes(pending.client_id)
        newly_requested = set(pending.authentication_scopes) - set(consented)
        if newly_requested & {"profile", "email"}:
            return self._ask_consent(pending, "authenticate")
        # openid alone needs no screen; consent follows the request (dropped scopes are removed).
        self._record_consent(pending)
        return RedirectToCallback(self._callback_with_code(pending))

    def _ask_consent(
        self, pending: PendingAuthorization, step: Literal["authorize", "authenticate"]
    ) -> AuthorizeOutcome:
        if self.config.auto_consent:
            return RedirectToCallback(self._approve_locked(pending))
        return ConsentRequired(pending, step)

    def approve(self, pending: PendingAuthorization) -> str:
        """The user clicked Allow: connect or update the App, then return the callback URL."""
        with self._lock:
            return self._approve_locked(pending)

    def _approve_locked(self, pending: PendingAuthorization) -> str:
        app = self._data.app
        if not self.current_user.can_manage_apps:
            pass  # the profile/email consent screen only: the App's scopes stay as they are
        elif app is None:
            self._data.app = ConnectedApp(scopes=pending.authorization_scopes, connected_at=self.clock())
        else:
            app.scopes = pending.authorization_scopes
            app.outdated_scopes = False
            app.requested_scopes = ()
        if pending.wants_openid:
            self._record_consent(pending)
        else:
            self._reset_consent(pending.client_id)
        return self._callback_with_code(pending)

    def _callback_with_code(self, pending: PendingAuthorization) -> str:
        code = random_code()
        self._data.codes[code] = AuthCode(pending.client_id, self._data.user_id, self.clock())
        return add_query(self.config.callback_url, {"code": code, "state": pending.state})

    def _consented_scopes(self, client_id: str) -> tuple[str, ...]:
        consent = self._data.consents.get((self._data.user_id, client_id))
        return consent.scopes if consent else ()

    def _record_consent(self, pending: PendingAuthorization) -> None:
        key = (self._data.user_id, pending.client_id)
        consent = self._data.consents.get(key)
        if consent is None:
            self._data.consents[key] = UserConsent(str(uuid.uuid4()), pending.authentication_scopes)
        else:
            consent.scopes = pending.authentication_scopes  # upsert keeps the sub

    def _reset_consent(self, client_id: str) -> None:
        consent = self._data.consents.get((self._data.user_id, client_id))
        if consent is not None:
            consent.scopes = ()

    # --- token ---------------------------------------------------------------------------

    def count_token_request(self) -> None:
        with self._lock:
            self._data.token_requests += 1

    def exchange_code(self, params: Mapping[str, str]) -> TokenGrant | TokenError:
        client_id = params.get("client_id", "")
        code = params.get("code", "")
        grant_type = params.get("grant_type", "")
        code_identifier = params.get("code_identifier", "")
        code_challenge = params.get("code_challenge", "")
        now = self.clock()
        with self._lock:
            # Same order as the PIM's validator; only the first violation is reported.
            known_client = client_id == self.config.client_id
            all_given = client_id and code_identifier and code_challenge
            if all_given and not (known_client and self._challenge_ok(code_identifier, code_challenge)):
                return TokenError("invalid_client")
            if not client_id:
                return TokenError("invalid_request")
            if not known_client:
                return TokenError("invalid_client")
            if not code:
                return TokenError("invalid_request")
            auth_code = self._data.codes.get(code)
            if auth_code is None:
                return TokenError("invalid_grant", "Code is not valid")
            if now > auth_code.created_at + AUTH_CODE_LIFETIME:
                return TokenError("invalid_grant", "Code has expired")
            if grant_type != "authorization_code":
                return TokenError("unsupported_grant_type")
            if not code_identifier or not code_challenge:
                return TokenError("invalid_request")
            del self._data.codes[code]  # single use
            app = self._data.app
            if app is None:  # codes are dropped on disconnect, so this is only a safety net
                return TokenError("invalid_grant", "Code is not valid")
            return self._grant(client_id, app, auth_code, now)

    def _challenge_ok(self, code_identifier: str, code_challenge: str) -> bool:
        secret = self.config.client_secret
        expected = hashlib.sha256((code_identifier + secret).encode()).hexdigest()
        return hmac.compare_digest(expected.encode(), code_challenge.encode())

    def _grant(self, client_id: str, app: ConnectedApp, auth_code: AuthCode, now: float) -> TokenGrant:
        scope = scopes.join(app.scopes)
        access_token = self._token_for(client_id, scope)
        consent = self._data.consents.get((auth_code.user_id, client_id))
        if consent is None or scopes.OPENID not in consent.scopes:
            return TokenGrant(access_token, scope, None)
        user = self.users[auth_code.user_id]
        identity = IdentityClaims(
            sub=consent.sub, first_name=user.first_name, last_name=user.last_name, email=user.email
        )
        id_token = create_id_token(
            issuer=self.config.public_url,
            audience=client_id,
            identity=identity,
            consented_scopes=consent.scopes,
            now=now,
            keys=self._keys_locked(),
            fault=self._data.faults.id_token,
        )
        return TokenGrant(access_token, scopes.join(app.scopes + consent.scopes), id_token)

    def _token_for(self, client_id: str, scope: str) -> str:
        """Reuse the App's token for this exact scope string, or replace all its tokens."""
        tokens = self._data.tokens
        for value, token in tokens.items():
            if token.client_id == client_id and not token.revoked and token.scope == scope:
                return value
        for value in [v for v, t in tokens.items() if t.client_id == client_id and not t.revoked]:
            del tokens[value]
        value = random_code()
        tokens[value] = AccessToken(client_id, scope)
        return value

    # --- the API's side --------------------------------------------------------------------

    def authenticate(self, authorization_header: str | None) -> ApiCaller | ApiDenied:
        scheme, _, value = (authorization_header or "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            return ApiDenied(401, MSG_AUTH_REQUIRED)
        with self._lock:
            token = self._data.tokens.get(value)
            if token is None:
                return ApiDenied(401, MSG_UNKNOWN_BEARER)
            app = self._data.app
            if token.revoked or app is None:
                return ApiDenied(401, MSG_APP_DISCONNECTED)
            return ApiCaller(token.client_id, app.scopes)

    def flag_outdated_scopes(self, requested: str) -> None:
        with self._lock:
            self._data.scope_notices += 1
            app = self._data.app
            if app is not None:
                app.outdated_scopes = True
                app.requested_scopes = tuple(sorted({s for s in requested.split(" ") if s}))

    def disconnect(self) -> bool:
        """Forget the connected App; its tokens answer "…disconnected from that PIM." from now on."""
        with self._lock:
            client_id = self.config.client_id
            was_connected = self._data.app is not None
            self._data.app = None
            for token in self._data.tokens.values():
                if token.client_id == client_id:
                    token.revoked = True
            self._data.consents = {k: v for k, v in self._data.consents.items() if k[1] != client_id}
            self._data.codes = {k: v for k, v in self._data.codes.items() if v.client_id != client_id}
            return was_connected

    def reset(self) -> None:
        with self._lock:
            self._data = _Data()

    # --- users and keys ------------------------------------------------------------------

    @property
    def current_user(self) -> PimUser:
        return self.users[self._data.user_id]

    def switch_user(self, user_id: str) -> PimUser:
        """Sign another pretend user in to the PIM; KeyError for an unknown one."""
        with self._lock:
            user = self.users[user_id]
            self._data.user_id = user.id
            return user

    def public_key_pem(self) -> str:
        """The certificate the public-key endpoint publishes now (counted, for the App's cache tests)."""
        with self._lock:
            self._data.public_key_requests += 1
            return self._keys_locked().certificate_pem

    def rotate_key(self) -> None:
        """A new key pair, as the PIM makes from time to time: id_tokens signed before no longer verify."""
        keys = generate_keys()
        with self._lock:
            self._data.rotated_keys = keys

    def _keys_locked(self) -> SigningKeys:
        return self._data.rotated_keys or signing_keys()

    # --- saving --------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """What survives a restart; authorization codes live 30 seconds and are left out."""
        with self._lock:
            data = self._data
            return {
                "app": asdict(data.app) if data.app else None,
                "consents": [
                    {"user": user, "client_id": client, **asdict(consent)}
                    for (user, client), consent in data.consents.items()
                ],
                "tokens": {value: asdict(token) for value, token in data.tokens.items()},
                "faults": asdict(data.faults),
                "token_requests": data.token_requests,
                "user": data.user_id,
            }

    def load(self, saved: Mapping[str, Any]) -> None:
        app = saved.get("app")
        with self._lock:
            self._data = _Data(
                app=ConnectedApp(
                    scopes=tuple(app["scopes"]),
                    connected_at=app["connected_at"],
                    outdated_scopes=app["outdated_scopes"],
                    requested_scopes=tuple(app["requested_scopes"]),
                )
                if app
                else None,
                consents={
                    (c["user"], c["client_id"]): UserConsent(c["sub"], tuple(c["scopes"]))
                    for c in saved.get("consents", [])
                },
                tokens={value: AccessToken(**token) for value, token in saved.get("tokens", {}).items()},
                faults=Faults(**saved.get("faults", {})),
                token_requests=saved.get("token_requests", 0),
                user_id=saved.get("user", PIM_USER_ID) if saved.get("user") in self.users else PIM_USER_ID,
            )

    # --- faults --------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._data.faults

    def update_faults(self, changes: dict[str, Any]) -> Faults:
        with self._lock:
            self._data.faults = self._data.faults.updated(changes)
            return self._data.faults

    def take_rate_limit(self) -> int | None:
        """Consume one injected 429; returns its Retry-After seconds, or None when none is left."""
        with self._lock:
            faults = self._data.faults
            if faults.rate_limit_count <= 0:
                return None
            self._data.faults = replace(faults, rate_limit_count=faults.rate_limit_count - 1)
            return faults.retry_after

    # --- views of the state ----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            data = self._data
            app = data.app
            consent = data.consents.get((data.user_id, self.config.client_id))
            return {
                "user": data.user_id,
                "connected": app is not None,
                "client_id": self.config.client_id,
                "granted_scopes": list(app.scopes) if app else [],
                "authentication_scopes": list(consent.scopes) if consent else [],
                "connected_at": app.connected_at if app else None,
                "outdated_scopes": bool(app and app.outdated_scopes),
                "requested_scopes": list(app.requested_scopes) if app else [],
                "active_tokens": sum(1 for t in data.tokens.values() if not t.revoked),
                "token_requests": data.token_requests,
                "public_key_requests": data.public_key_requests,
                "scope_notices": data.scope_notices,
                "faults": data.faults.to_json(),
            }
