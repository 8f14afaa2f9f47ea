from typing import Literal

ListProjectRunsTagOperator = Literal["AND", "OR"]

LIST_PROJECT_RUNS_TAG_OPERATOR_VALUES: set[ListProjectRunsTagOperator] = {
    "AND",
    "OR",
}


def check_list_project_runs_tag_operator(value: str) -> ListProjectRunsTagOperator:
    if value in LIST_PROJECT_RUNS_TAG_OPERATOR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_PROJECT_RUNS_TAG_OPERATOR_VALUES!r}")
