"""Faults injected on demand, so an App's retry and error paths can be tried without a real outage."""

from dataclasses import asdict, dataclass, replace
from typing import Any

from pim_emulator.openid import ID_TOKEN_FAULTS

FAIL = "fail"  # answer 500
HANG = "hang"  # sleep hang_seconds, then answer
TOKEN_ENDPOINT_MODES = (FAIL, HANG)
MAX_HANG_SECONDS = 600.0
MAX_LATENCY_MS = 60_000


class FaultError(ValueError):
    """A fault setting is invalid; the message says which one."""


@dataclass(frozen=True)
class Faults:
    rate_limit_count: int = 0  # how many of the next API calls get a 429
    retry_after: int = 1  # seconds, sent in the Retry-After header
    token_endpoint: str | None = None  # None, "fail" (500) or "hang" (sleep, then answer)
    hang_seconds: float = 20.0
    latency_ms: int = 0  # added to every API call
    id_token: str | None = None  # None, or one of ID_TOKEN_FAULTS

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        count = data.pop("rate_limit_count")
        retry_after = data.pop("retry_after")
        data["rate_limit"] = {"count": count, "retry_after": retry_after} if count else None
        return data

    def updated(self, changes: dict[str, Any]) -> "Faults":
        """Apply a partial update like `{"rate_limit": {"count": 2}, "latency_ms": 50}`.

        Keys left out keep their value; `null` clears a fault.
        """
        unknown = set(changes) - {"rate_limit", "token_endpoint", "hang_seconds", "latency_ms", "id_token"}
        if unknown:
            raise FaultError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        faults = self
        if "rate_limit" in changes:
            faults = faults._with_rate_limit(changes["rate_limit"])
        if "token_endpoint" in changes:
            mode = changes["token_endpoint"]
            if mode is not None and mode not in TOKEN_ENDPOINT_MODES:
                raise FaultError('token_endpoint must be "fail", "hang" or null')
            faults = replace(faults, token_endpoint=mode)
        if "id_token" in changes:
            fault = changes["id_token"]
            if fault is not None and fault not in ID_TOKEN_FAULTS:
                raise FaultError(f"id_token must be one of {', '.join(ID_TOKEN_FAULTS)}, or null")
            faults = replace(faults, id_token=fault)
        if "hang_seconds" in changes:
            seconds = _number(changes["hang_seconds"], "hang_seconds", 0, MAX_HANG_SECONDS)
            faults = replace(faults, hang_seconds=seconds)
        if "latency_ms" in changes:
            latency = _number(changes["latency_ms"], "latency_ms", 0, MAX_LATENCY_MS)
            faults = replace(faults, latency_ms=int(latency))
        return faults

    def _with_rate_limit(self, value: Any) -> "Faults":
        if value is None:
            return replace(self, rate_limit_count=0)
        if not isinstance(value, dict):
            raise FaultError('rate_limit must be an object like {"count": 2, "retry_after": 1}')
        count = int(_number(value.get("count", 1), "rate_limit.count", 0, 1_000_000))
        retry_after = int(_number(value.get("retry_after", 1), "rate_limit.retry_after", 0, 3600))
        return replace(self, rate_limit_count=count, retry_after=retry_after)


def _number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FaultError(f"{name} must be a number")
    if not low <= value <= high:
        raise FaultError(f"{name} must be between {low:g} and {high:g}")
    return float(value)
