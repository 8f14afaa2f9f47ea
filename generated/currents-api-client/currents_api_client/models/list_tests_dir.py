from typing import Literal

ListTestsDir = Literal["asc", "desc"]

LIST_TESTS_DIR_VALUES: set[ListTestsDir] = {
    "asc",
    "desc",
}


def check_list_tests_dir(value: str) -> ListTestsDir:
    if value in LIST_TESTS_DIR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_TESTS_DIR_VALUES!r}")
