from typing import Literal

ListTestsOrder = Literal[
    "duration",
    "durationXSamples",
    "executions",
    "failRateXSamples",
    "failureRateDelta",
    "failures",
    "flakiness",
    "flakinessRateDelta",
    "flakinessXSamples",
    "passes",
    "title",
]

LIST_TESTS_ORDER_VALUES: set[ListTestsOrder] = {
    "duration",
    "durationXSamples",
    "executions",
    "failRateXSamples",
    "failureRateDelta",
    "failures",
    "flakiness",
    "flakinessRateDelta",
    "flakinessXSamples",
    "passes",
    "title",
}


def check_list_tests_order(value: str) -> ListTestsOrder:
    if value in LIST_TESTS_ORDER_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_TESTS_ORDER_VALUES!r}")
