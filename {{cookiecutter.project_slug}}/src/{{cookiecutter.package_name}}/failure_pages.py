"""The page for each way something can fail, as data: a title, what happened, and what to click next.

Worded for the person who clicked Connect; every web layer renders these with the same template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlencode

from .browser_sessions import StateProblem
from .oauth import ExchangeFailure
from .openid import SignInProblem


@dataclass(frozen=True)
class Action:
    label: str
    href: str


@dataclass(frozen=True)
class Problem:
    title: str
    status: int
    paragraphs: list[str]
    actions: list[Action] = field(default_factory=list)


TO_DASHBOARD = Action("Go to the dashboard", "/")


def restart_action(pim_url: str) -> Action:
    return Action("Start the connection again", f"/activate?{urlencode({'pim_url': pim_url})}")


OPEN_FROM_PIM = "Open the App again from your PIM (Connect > App Store, or Connected Apps > Open app)."


def invalid_pim_url(reason: str) -> Problem:
    return Problem(
        title="This PIM address cannot be used",
        status=400,
        paragraphs=[reason, OPEN_FROM_PIM],
        actions=[TO_DASHBOARD],
    )


def state_problem(problem: StateProblem) -> Problem:
    explanation = {
        StateProblem.MISSING: "The PIM came back without the state the App sent it, so this answer cannot be "
        "matched to a connection started here.",
        StateProblem.UNKNOWN: "This answer does not match any connection started in this browser. It may "
        "have been used already, started in another browser, or the App's address changed in between (a new "
        "tunnel URL is a new site, without the App's cookie).",
        StateProblem.EXPIRED: "The connection was started too long ago. Start it again.",
    }[problem]
    return Problem(
        title="This connection attempt cannot be trusted",
        status=400,
        paragraphs=[explanation, OPEN_FROM_PIM],
        actions=[TO_DASHBOARD],
    )


def missing_code(pim_url: str) -> Problem:
    return Problem(
        title="The PIM sent no authorization code",
        status=400,
        paragraphs=["The callback arrived without a code, so no token can be requested."],
        actions=[restart_action(pim_url), TO_DASHBOARD],
    )


def pim_reported_error(pim_url: str, error: str, description: str) -> Problem:
    return Problem(
        title="The PIM did not authorize the App",
        status=400,
        paragraphs=[f"The PIM answered: {error}" + (f" ({description})" if description else "") + "."],
        actions=[restart_action(pim_url), TO_DASHBOARD],
    )


def exchange_failed(failure: ExchangeFailure, detail: str, pim_url: str) -> Problem:
    restart = [restart_action(pim_url), TO_DASHBOARD]
    pages = {
        ExchangeFailure.CODE_EXPIRED: Problem(
            title="The authorization code expired",
            status=400,
            paragraphs=[
                "An Akeneo authorization code lives 30 seconds, and this one was used too late.",
                "Start the connection again; it only takes a few seconds.",
            ],
            actions=restart,
        ),
        ExchangeFailure.CODE_INVALID: Problem(
            title="The authorization code is not valid",
            status=400,
            paragraphs=[
                "The PIM does not know this code: codes work once only, so it was probably used already "
                "(a page reloaded, or a link opened twice).",
            ],
            actions=restart,
        ),
        ExchangeFailure.INVALID_CLIENT: Problem(
            title="The PIM refused the App's credentials",
            status=502,
            paragraphs=[
                "The client ID or, most likely, the client secret is wrong: it may have been mistyped or "
                "regenerated in the PIM.",
                "Copy both again from the PIM (Connect > App Store > your App) into AKENEO_CLIENT_ID and "
                "AKENEO_CLIENT_SECRET, restart the App, then start the connection again.",
            ],
            actions=restart,
        ),
        ExchangeFailure.REJECTED: Problem(
            title="The PIM rejected the token request",
            status=502,
            paragraphs=[f"The PIM answered: {detail}."],
            actions=restart,
        ),
        ExchangeFailure.PIM_ERROR: Problem(
            title="The PIM failed to issue a token",
            status=502,
            paragraphs=[f"The PIM's answer was not a token ({detail}). Try again in a moment."],
            actions=restart,
        ),
        ExchangeFailure.UNREACHABLE: Problem(
            title="The PIM could not be reached",
            status=504,
            paragraphs=[
                f"The App could not connect to {pim_url} to request its token. The PIM may be down, or not "
                "reachable from the App's server.",
            ],
            actions=restart,
        ),
        ExchangeFailure.FORBIDDEN_ADDRESS: Problem(
            title="The App will not connect to this address",
            status=502,
            paragraphs=[
                f"{detail}.",
                "Loopback, link-local and cloud metadata addresses are refused so that a visitor cannot use "
                "the App to reach services on its own server.",
            ],
            actions=[TO_DASHBOARD],
        ),
        ExchangeFailure.TIMEOUT: Problem(
            title="The PIM took too long to answer",
            status=504,
            paragraphs=[
                f"{pim_url} did not answer the token request in time. The code may have expired meanwhile, "
                "so start again.",
            ],
            actions=restart,
        ),
    }
    return pages[failure]


SIGN_IN_REASONS = {
    SignInProblem.NO_ID_TOKEN: "The PIM's answer held no id_token, although the App asked for openid.",
    SignInProblem.MALFORMED: "The id_token the PIM sent is not a valid JSON Web Token ({detail}).",
    SignInProblem.ALGORITHM: "The id_token is not signed the way the PIM signs ({detail}): it was not made "
    "by the PIM.",
    SignInProblem.SIGNATURE: "The id_token's signature does not match the PIM's public key (the one it "
    "publishes now, checked within the last minute): it was not signed by this PIM.",
    SignInProblem.ISSUER: "The id_token was not issued by this PIM ({detail}).",
    SignInProblem.AUDIENCE: "The id_token was issued for another App: its audience is not this App's "
    "client ID.",
    SignInProblem.EXPIRED: "The id_token has expired. If this keeps happening, check the clocks of the App's "
    "server and of the PIM.",
    SignInProblem.NOT_YET_VALID: "The id_token says it was issued in the future. Check the clocks of the "
    "App's server and of the PIM.",
    SignInProblem.MISSING_SUB: "The id_token names no user (its sub claim is missing, empty, too long or "
    "holds control characters).",
    SignInProblem.KEY_UNAVAILABLE: "The App could not get the PIM's public key to check the id_token "
    "({detail}).",
}


def sign_in_failed(problem: SignInProblem, detail: str, pim_url: str) -> Problem:
    """The PIM's id_token failed a check: nobody is signed in, though the App's token was stored."""
    return Problem(
        title="You could not be signed in",
        status=502,
        paragraphs=[
            SIGN_IN_REASONS[problem].format(detail=detail or "no detail"),
            f"The App is still connected to {pim_url}: it kept the access token from the same answer. But "
            "it cannot tell who you are, so this browser is shown none of that PIM's data.",
            OPEN_FROM_PIM,
        ],
        actions=[restart_action(pim_url), TO_DASHBOARD],
    )


HTTP_ERROR_TEXTS = {
    400: "The request could not be understood.",
    404: "There is no page at this address.",
    405: "This address does not answer this kind of request.",
}


def http_error(status: int) -> Problem:
    """A plain HTTP error (unknown page, wrong method…) in the App's own page, alike in every web layer."""
    try:
        known = HTTPStatus(status)
        title, text = known.phrase, HTTP_ERROR_TEXTS.get(status, f"{known.description}.")
    except ValueError:
        title, text = f"Error {status}", "The request could not be served."
    return Problem(title=title, status=status, paragraphs=[text], actions=[TO_DASHBOARD])


def unexpected_error() -> Problem:
    return Problem(
        title="Something went wrong",
        status=500,
        paragraphs=["The App hit an unexpected error. The details are in the App's log."],
        actions=[TO_DASHBOARD],
    )


def forbidden_form() -> Problem:
    return Problem(
        title="This form has expired",
        status=403,
        paragraphs=[
            "The form was not sent from a page of this App in this browser, or your session ended in between."
        ],
        actions=[TO_DASHBOARD],
    )
