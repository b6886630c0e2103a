"""Every failure page ends with something to click, and says each thing once."""

import pytest

from {{ cookiecutter.package_name }} import failure_pages
from {{ cookiecutter.package_name }}.browser_sessions import StateProblem
from {{ cookiecutter.package_name }}.oauth import ExchangeFailure

PIM = "https://acme.cloud.akeneo.com"
PAGES = {
    "invalid pim_url": failure_pages.invalid_pim_url("The pim_url contains a backslash."),
    "missing code": failure_pages.missing_code(PIM),
    "PIM error": failure_pages.pim_reported_error(PIM, "access_denied", ""),
    "forbidden form": failure_pages.forbidden_form(),
    "unexpected": failure_pages.unexpected_error(),
    "404": failure_pages.http_error(404),
    "405": failure_pages.http_error(405),
    **{f"state {problem.value}": failure_pages.state_problem(problem) for problem in StateProblem},
    **{
        f"exchange {failure.value}": failure_pages.exchange_failed(failure, "detail", PIM)
        for failure in ExchangeFailure
    },
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_failure_page_offers_something_to_click(page):
    assert page.actions
    assert all(action.href.startswith("/") for action in page.actions)


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_failure_page_says_each_thing_once(page):
    assert len(set(page.paragraphs)) == len(page.paragraphs)
    assert len({action.label for action in page.actions}) == len(page.actions)
    assert page.title not in page.paragraphs
