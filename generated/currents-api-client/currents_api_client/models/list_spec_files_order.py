from typing import Literal

ListSpecFilesOrder = Literal[
    "avgDuration",
    "failedExecutions",
    "failureRate",
    "flakeRate",
    "flakyExecutions",
    "fullyReported",
    "overallExecutions",
    "suiteSize",
    "timeoutExecutions",
    "timeoutRate",
]

LIST_SPEC_FILES_ORDER_VALUES: set[ListSpecFilesOrder] = {
    "avgDuration",
    "failedExecutions",
    "failureRate",
    "flakeRate",
    "flakyExecutions",
    "fullyReported",
    "overallExecutions",
    "suiteSize",
    "timeoutExecutions",
    "timeoutRate",
}


def check_list_spec_files_order(value: str) -> ListSpecFilesOrder:
    if value in LIST_SPEC_FILES_ORDER_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_SPEC_FILES_ORDER_VALUES!r}")
